"""Clinical-validation and linkage queries from whole notes through the real coder and code set:
the diagnosis stays coded (I.A.19), the query asks, the wording is non-leading."""

from __future__ import annotations

import pytest


def _queries(coder, text, kind, setting="inpatient"):
    res = coder.code(text, setting=setting)
    for q in res.queries:
        for e in q.evidence:
            assert text[e.start:e.end] == e.text
    return res, [q for q in res.queries if q.kind == kind]


def test_sepsis_without_indicators_is_coded_and_queried(coder):
    note = ("DISCHARGE DIAGNOSES:\n1. Sepsis.\n2. Urinary tract infection.\n\n"
            "HOSPITAL COURSE: Treated with ceftriaxone. Afebrile, no tachycardia. Vitals stable.")
    res, qs = _queries(coder, note, "clinical_validation")
    assert "A41.9" in [d.code for d in res.diagnoses]  # coded from the provider's statement
    assert [q.codes_at_stake for q in qs] == [["A41.9"]]
    q = qs[0]
    assert q.options[-2:] == ["Other (please specify)", "Clinically undetermined"]
    assert any("ruled out" in o for o in q.options)  # the non-supporting answer is offered
    assert "I.A.19" in q.basis[0] and q.basis[-1] == "found: none"  # negated fever/tachycardia do not count
    assert not any(w in q.question.lower() for w in ("payment", "reimburse", "drg"))


@pytest.mark.parametrize("course", [
    "On arrival T 39.1, HR 122, WBC 18.2.",                         # SIRS: two criteria
    "Lactate 3.4 and hypotension requiring norepinephrine.",         # lactate + vasopressors
    "Respiratory failure requiring intubation on day 1.",            # Sepsis-3: one organ dysfunction
])
def test_sepsis_with_indicators_is_not_queried(coder, course):
    note = f"DISCHARGE DIAGNOSES:\n1. Sepsis.\n\nHOSPITAL COURSE: {course}"
    _res, qs = _queries(coder, note, "clinical_validation")
    assert qs == []


def test_acute_respiratory_failure_needs_more_than_its_own_words(coder):
    note = "ASSESSMENT: Acute respiratory failure with hypoxia. COPD.\nVitals: SpO2 96% on room air, RR 16."
    res, qs = _queries(coder, note, "clinical_validation")
    assert "J96.01" in [d.code for d in res.diagnoses]
    assert [q.current_code for q in qs] == ["J96.01"]
    note2 = "ASSESSMENT: Acute respiratory failure with hypoxia.\nSpO2 84% on room air, placed on BiPAP."
    assert _queries(coder, note2, "clinical_validation")[1] == []


def test_aki_supported_by_a_creatinine_rise(coder):
    assert _queries(coder, "ASSESSMENT: Acute kidney injury. Creatinine 2.4, baseline creatinine 1.1.",
                    "clinical_validation")[1] == []
    _res, qs = _queries(coder, "ASSESSMENT: Acute kidney injury. Encouraged fluids.", "clinical_validation")
    assert [q.current_code for q in qs] == ["N17.9"]


def test_uti_and_catheter_not_linked_is_queried(coder):
    note = "ASSESSMENT: Urinary tract infection. Foley catheter in place since admission."
    res, qs = _queries(coder, note, "linkage")
    assert "N39.0" in [d.code for d in res.diagnoses]  # nonessential modifier typed: Infection, urinary (tract)
    assert [q.codes_at_stake for q in qs] == [["T83.511A"]]
    assert qs[0].options[:2] == ["Urinary tract infection due to the indwelling catheter",
                                 "Urinary tract infection not related to the catheter"]
    assert "I.B.16" in qs[0].basis[0]
    linked = "ASSESSMENT: Urinary tract infection due to the Foley catheter."
    assert _queries(coder, linked, "linkage")[1] == []


def test_pneumonia_with_culture_organism_asks_for_the_organism(coder):
    note = "IMPRESSION: Community acquired pneumonia.\nRESULTS: Sputum culture positive for Klebsiella pneumoniae."
    res, qs = _queries(coder, note, "linkage")
    assert "J18.9" in [d.code for d in res.diagnoses]  # the culture alone does not make it J15.0
    assert [q.codes_at_stake for q in qs] == [["J15.0"]]
    assert [e.text for e in qs[0].evidence][1] == "Klebsiella pneumoniae"


def test_anemia_during_chemotherapy(coder):
    _res, qs = _queries(coder, "ASSESSMENT: Anemia. Breast cancer on chemotherapy, cycle 3.", "linkage",
                        setting="outpatient")
    assert [q.codes_at_stake for q in qs] == [["D64.81", "T45.1X5A"]]
    _res, qs = _queries(coder, "ASSESSMENT: Anemia. Breast cancer, chemotherapy was not given.", "linkage",
                        setting="outpatient")
    assert qs == []


def test_workflow_turns_them_into_provider_query_drafts(codebook):
    from coderight.workflow.engines import EncounterContext, Engines

    note = ("DISCHARGE DIAGNOSES:\n1. Sepsis.\n2. Urinary tract infection.\n\n"
            "HOSPITAL COURSE: Foley catheter placed on admission. Afebrile.")
    out = Engines(codebook).suggest(note, EncounterContext(source_id="T-1", setting="inpatient"))
    templates = {q.topic: q.template for q in out.queries}
    assert templates.get("A41.9") == "clinical-validation"
    assert templates.get("T83.511A") == "cause-and-effect"
