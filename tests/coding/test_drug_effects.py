"""I.C.19.e adverse effects and poisonings through the real coder and the Table of Drugs."""

from __future__ import annotations

import pytest


def _codes(coder, text, setting="inpatient"):
    return [d.code for d in coder.code(text, setting=setting).diagnoses]


def test_poisoning_first_then_manifestation_accidental_by_default(coder):
    res = coder.code("ASSESSMENT: Acetaminophen overdose. Nausea and vomiting.", setting="inpatient")
    codes = [d.code for d in res.diagnoses]
    assert codes[0] == "T39.1X1A" and "R11.2" in codes
    t = res.diagnoses[0]
    assert t.evidence[0].text == "Acetaminophen"
    assert any("Table of Drugs" in r for r in t.rationale) and any("I.C.19.e.5.b" in g for g in t.guideline)


def test_poisoning_intent_from_the_sentence(coder):
    assert "T40.2X2A" in _codes(coder, "HPI: Intentional overdose of oxycodone in a suicide attempt.\n"
                                       "ASSESSMENT: Overdose.")


def test_adverse_effect_follows_its_effect(coder):
    codes = _codes(coder, "ASSESSMENT: Diarrhea, side effect of metformin.", setting="outpatient")
    assert codes[codes.index("R19.7") + 1] == "T38.3X5A"


@pytest.mark.parametrize("note", [
    "ASSESSMENT: No evidence of acetaminophen overdose. Headache.",
    "ASSESSMENT: Hypertension. Continue lisinopril.",
    "ASSESSMENT: Cough due to bronchitis, on lisinopril.",
    "ASSESSMENT: Chest pain most likely related to cocaine abuse.",
])
def test_no_drug_code_without_a_stated_effect_or_poisoning(coder, note):
    assert not any("T36" <= c[:3] <= "T50" for c in _codes(coder, note))


def test_opioid_overdose_with_respiratory_depression_is_not_a_mood_disorder(coder):
    codes = _codes(coder, "ASSESSMENT: Opioid overdose with respiratory depression.")
    assert codes[0] == "T40.2X1A" and "F32.A" not in codes  # Table of Drugs "Opioid NEC"
    assert "F32.A" not in _codes(coder, "EKG: ST depression in V4-V6.")
    assert "F32.A" in _codes(coder, "ASSESSMENT: Depression, stable on sertraline.", setting="outpatient")
