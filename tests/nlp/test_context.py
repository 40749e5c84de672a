"""ConText: cues, scopes, terminators, pseudo-cues and section rules."""

from __future__ import annotations

import pytest


def status(pipeline, text, target):
    d = pipeline(text)
    got = [m for m in d.mentions if target.lower() in m.text.lower()]
    assert got, [m.text for m in d.mentions]
    return got[0].status


@pytest.mark.parametrize("text,target,want", [
    ("Denies chest pain.", "chest pain", "negated"),
    ("No chest pain, cough, or fever.", "fever", "negated"),
    ("Patient denies chest pain but reports cough.", "cough", "affirmed"),
    ("Pneumonia was ruled out.", "pneumonia", "negated"),
    ("Negative for pneumonia.", "pneumonia", "negated"),
    ("Rule out pneumonia.", "pneumonia", "uncertain"),
    ("Possible pneumonia.", "pneumonia", "uncertain"),
    ("Pneumonia is suspected.", "pneumonia", "uncertain"),
    ("History of breast cancer.", "breast cancer", "historical"),
    ("Mother had colon cancer.", "cancer", "family"),
    ("Return if chest pain develops.", "chest pain", "hypothetical"),
    ("Chest pain today.", "chest pain", "affirmed"),
    ("No change in his hypertension.", "hypertension", "affirmed"),
])
def test_context(pipeline, text, target, want):
    assert status(pipeline, text, target) == want


def test_family_history_section(pipeline):
    d = pipeline("FAMILY HISTORY:\nDiabetes and hypertension.\nSOCIAL HISTORY:\nNo tobacco.")
    assert {m.text.lower(): m.family for m in d.mentions} == {"diabetes": True, "hypertension": True}


def test_cue_span_is_kept(pipeline):
    d = pipeline("Denies chest pain.")
    cue = d.mentions[0].cues[0]
    assert (cue.kind, cue.span.text) == ("negated", "Denies")
