"""I.A.9 / I.B.1: an assessed condition takes the specificity the same record documents for it
elsewhere (type, acuity, stage, severity), never a site or side from another line."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("note, want, gone", [
    ("PAST MEDICAL HISTORY: Chronic systolic heart failure, HTN.\n\nASSESSMENT AND PLAN:\n"
     "1. Heart failure. Continue lisinopril and metoprolol.", "I50.22", "I50.9"),
    ("HPI: Patient with HFrEF presents for follow up.\n\nASSESSMENT:\n1. CHF, stable.", "I50.20", "I50.9"),
    ("HPI: Long history of moderate persistent asthma.\nASSESSMENT: Asthma. Continue Symbicort.",
     "J45.40", "J45.909"),
])
def test_assessed_condition_takes_documented_specificity(coder, note, want, gone):
    res = coder.code(note, setting="outpatient")
    codes = [d.code for d in res.diagnoses]
    assert want in codes and gone not in codes
    d = next(d for d in res.diagnoses if d.code == want)
    assert any(e.section in ("assessment", "plan") for e in d.evidence)  # the assessed words are evidence too
    assert not any(q.current_code == gone for q in res.queries)


def test_a_site_from_another_episode_is_not_carried(coder):
    note = ("HPI: She had an episode of gout of her right first big toe about 2 months ago.\n\n"
            "ASSESSMENT:\nGout. Continue allopurinol.")
    codes = [d.code for d in coder.code(note, setting="outpatient").diagnoses]
    assert "M10.9" in codes and not any(c.startswith("M10.07") for c in codes)


def test_a_contradicting_acuity_is_not_carried(coder):
    note = ("PAST MEDICAL HISTORY: Chronic systolic heart failure.\n\nASSESSMENT:\n"
            "1. Acute heart failure. Admit for diuresis.")
    codes = [d.code for d in coder.code(note, setting="outpatient").diagnoses]
    assert "I50.22" not in codes
