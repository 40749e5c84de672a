"""E/M problems from the diagnosis engine's coded diagnoses: placed in the assessment/plan by their
evidence spans, classified by the item's status words; Z codes, history and lines that are services
stay uncounted; procedure notes keep no E/M problem. And the one entry point,
`code_encounter(..., with_em=True)`, fills ``em`` and ``procedures``."""

from __future__ import annotations

import pytest

from coderight.coding.em import level_em
from coderight.coding.em.codes import LOW, MODERATE
from coderight.coding.models import CodingResult, Diagnosis, Evidence

AP = "ASSESSMENT AND PLAN\n"


def _dx(text: str, phrase: str, code: str, status: str = "affirmed") -> Diagnosis:
    i = text.index(phrase)
    return Diagnosis(code=code, title=code, evidence=[Evidence(start=i, end=i + len(phrase), text=phrase)],
                     status=status)


def test_coded_diagnoses_are_the_problems():
    note = AP + "1. Type 2 diabetes with CKD stage 3a, A1c 9.2, worsening; increase metformin.\n" \
                "2. Hypertension, stable on lisinopril.\n3. Follow up in 3 months.\n"
    coding = CodingResult(diagnoses=[_dx(note, "Type 2 diabetes with CKD", "E11.22"),
                                     _dx(note, "CKD stage 3a", "N18.31"), _dx(note, "Hypertension", "I10")])
    r = level_em(note, "office", coding=coding)
    probs = r.element("problems")
    counted = [i for i in probs.items if i.counted]
    assert len(counted) == 2  # the combination code and its partner are one problem
    assert "E11.22, N18.31" in counted[0].rule and counted[0].level == MODERATE  # worsening
    assert "I10" in counted[1].rule and counted[1].level == LOW  # stable
    assert any(e.text == "Hypertension" for e in counted[1].evidence)
    assert "problems addressed from the coded diagnoses in the assessment/plan" in r.rationale
    assert r.code == level_em(note, "office").code == "99214"


def test_status_and_z_codes_and_outside_not_counted():
    note = "HPI: history of gout, no flares.\n" + AP + "1. Annual wellness visit.\n2. Hyperlipidemia, at goal.\n" \
           "3. Old myocardial infarction.\n"
    coding = CodingResult(diagnoses=[_dx(note, "Annual wellness visit", "Z00.00"),
                                     _dx(note, "Hyperlipidemia", "E78.5"),
                                     _dx(note, "Old myocardial infarction", "I25.2", status="historical"),
                                     _dx(note, "gout", "M10.9")])
    items = level_em(note, "office", coding=coding).element("problems").items
    by_rule = {i.rule: i for i in items}
    assert [i.counted for i in items if "E78.5" in i.rule] == [True]
    assert not any(i.counted for i in items if "Z00.00" in i.rule or "I25.2" in i.rule)
    outside = [i for i in items if "M10.9" in i.rule]
    assert outside and not outside[0].counted, by_rule


def test_service_lines_and_procedure_notes_stay_without_problems():
    note = AP + "1. Immunizations given today: MMR and varicella administered SC.\n"
    coding = CodingResult(diagnoses=[_dx(note, "varicella", "B01.9")])  # a vaccine name read as a disease
    assert not [i for i in level_em(note, "office", coding=coding).element("problems").items if i.counted]
    proc = "PROCEDURE NOTE: colonoscopy.\nINDICATION: Iron deficiency anemia.\nPROCEDURE: polyp removed.\n"
    coding = CodingResult(diagnoses=[_dx(proc, "Iron deficiency anemia", "D50.9")])
    assert level_em(proc, "office", coding=coding).code is None


def test_without_diagnoses_falls_back_to_words():
    note = AP + "1. Hypertension, stable.\n2. Hypothyroidism, stable.\n"
    assert level_em(note, coding=CodingResult()).code == level_em(note).code
    assert level_em(note, coding=[]).code == level_em(note).code


@pytest.fixture(scope="module")
def coder(codebook, mirror):
    from coderight.codesets import registry
    from coderight.codesets.codebook import sync
    from coderight.coding.encounter import Coder

    if "icd10cm_index" not in registry.DATASETS:
        registry.register("icd10cm_index", "coderight.codesets.icd10cm_index")
    if not codebook.is_current("icd10cm_index"):
        _, failed = sync(codebook.cache.root, mirror, only=["icd10cm_index"])
        assert not failed, failed
    return Coder(codebook)


def test_code_encounter_fills_em_and_procedures(coder):
    from coderight.coding.encounter import code_encounter

    note = ("Established patient.\n" + AP + "1. Hypertension, stable on lisinopril, continue.\n"
            "2. Type 2 diabetes, A1c 7.1, at goal; continue metformin.\n"
            "3. Left knee osteoarthritis: injected the left knee with 40 mg triamcinolone.\n")
    plain = code_encounter(note, coder=coder)
    assert plain.em is None and plain.procedures == []
    res = code_encounter(note, coder=coder, with_em=True)
    assert res.diagnoses and res.em["code"] in ("99213", "99214")
    assert "problems addressed from the coded diagnoses in the assessment/plan" in res.em["rationale"]
    assert {p["code"] for p in res.procedures} >= {"20610"}
    assert "25" in res.em["modifiers"]
    rec = res.model_dump()
    assert rec["em"]["code"] == res.em["code"]
