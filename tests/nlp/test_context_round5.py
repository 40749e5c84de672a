"""ConText cues of the round-5 false-positive pass: resolved and never-taken, might have, consent
risk lists and differentials to the sentence end, vaccinated against, negative template fields."""

from __future__ import annotations

import pytest


def status(pipeline, text, target):
    d = pipeline(text)
    got = [m for m in d.mentions if target.lower() in m.text.lower()]
    assert got, [m.text for m in d.mentions]
    return got[-1].status


@pytest.mark.parametrize("text,target,want", [
    ("She is no longer suffering from back pain.", "back pain", "negated"),
    ("She has never been on hormone replacement therapy.", "hormone replacement", "negated"),
    ("The knee pain never went away.", "knee pain", "affirmed"),
    ("My concern is that he might have Lyme disease.", "lyme", "uncertain"),
    ("The risks of surgery including infection, wound issues (such as a leak) which may require "
     "additional procedures, seizure, stroke, or death.", "stroke", "hypothetical"),
    ("There is a possibility of chronic pain after surgery.", "chronic pain", "hypothetical"),
    ("He is fully vaccinated against COVID-19.", "covid", "hypothetical"),
    ("Possible etiologies of her chest pain include GERD, dyspepsia, esophagitis, musculoskeletal "
     "etiologies, and anxiety.", "anxiety", "uncertain"),
    ("Alcohol Use: None.", "alcohol", "negated"),
    ("Tobacco Use: Non-smoker.", "tobacco", "negated"),
    ("Hypertension: no changes to his lisinopril.", "hypertension", "affirmed"),
    ("Hypertension: stable.", "hypertension", "affirmed"),
    # a colon-value cue that does not end the field is an ordinary forward cue
    ("Endocrine: Denies diabetes.", "diabetes", "negated"),
    ("His history did not reveal any pathology: No DM.", "dm", "negated"),
])
def test_round5_cues(pipeline, text, target, want):
    assert status(pipeline, text, target) == want
