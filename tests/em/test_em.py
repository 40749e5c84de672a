"""E/M: each MDM element with real wording, two of three, time edges, prolonged services, billed
comparison, modifier 25, and the dev set."""

import json
from pathlib import Path

import pytest

from coderight.coding.em import FAMILIES, level_em, mdm_level, prolonged_for, time_level
from coderight.coding.em.codes import HIGH, LOW, MODERATE, STRAIGHTFORWARD
from coderight.coding.em.mdm import classify_problem, data_element, risk_element
from coderight.coding.em.note import Note
from coderight.coding.em_suggest import suggest_em_and_procedures

AP = "ASSESSMENT AND PLAN\n"


@pytest.mark.parametrize("text,level", [
    ("1. Viral URI, supportive care.", STRAIGHTFORWARD),
    ("1. Hypertension, well controlled on lisinopril.", LOW),
    ("1. Right ankle sprain.", LOW),
    ("1. Asthma, worsening with nightly symptoms.", MODERATE),
    ("1. GERD, not at goal despite omeprazole.", MODERATE),
    ("1. New thyroid nodule, uncertain prognosis.", MODERATE),
    ("1. Pyelonephritis with fever and chills.", MODERATE),
    ("1. Closed fracture of the right distal radius.", MODERATE),
    ("1. COPD, severe exacerbation, hypoxic.", HIGH),
    ("1. Chest pain, threat to bodily function, rule out ACS.", HIGH),
])
def test_problem_types(text, level):
    assert classify_problem(text)[1] == level


def test_problem_counts():
    two_stable = level_em(AP + "1. Hypertension, stable.\n2. Hypothyroidism, stable.\n")
    assert two_stable.element("problems").level == MODERATE
    two_minor = level_em(AP + "1. Common cold.\n2. Insect bite on the arm.\n")
    assert two_minor.element("problems").level == LOW
    hist = level_em(AP + "1. History of appendicitis.\n2. Hypertension, stable.\n")
    assert [i.counted for i in hist.element("problems").items] == [False, True]


def test_data_categories():
    n = Note.read(AP + "1. Cough. CBC and BMP ordered.\n")
    assert data_element(n).level == LOW  # two unique tests
    n = Note.read(AP + "1. Fever. History obtained from mother.\n")
    assert data_element(n).level == LOW  # independent historian
    n = Note.read(AP + "1. Dyspnea. CBC, BMP and BNP ordered.\n")
    assert data_element(n).level == MODERATE  # three unique tests
    n = Note.read(AP + "1. Wrist pain. I personally reviewed the x-ray images: no fracture.\n")
    assert data_element(n).level == MODERATE  # independent interpretation
    n = Note.read(AP + "1. Heart failure. Discussed management with Dr. Smith, cardiology.\n")
    assert data_element(n).level == MODERATE  # discussion
    n = Note.read("Outside records from Mercy Hospital were reviewed.\n" + AP +
                  "1. Anemia. CBC and ferritin ordered. Discussed with Dr. Ray, hematology.\n")
    assert data_element(n).level == HIGH  # 3 items + discussion: extensive
    n = Note.read(AP + "1. Cough. No chest x-ray needed.\n")
    assert data_element(n).level == STRAIGHTFORWARD  # negated order not counted


def test_ekg_interpretation_reported_is_not_data():
    n = Note.read(AP + "1. Palpitations. I personally reviewed the EKG tracing: sinus rhythm.\n")
    assert data_element(n).level == MODERATE
    assert data_element(n, frozenset({"ekg"})).level == STRAIGHTFORWARD


@pytest.mark.parametrize("text,level", [
    ("1. Sprain. Ice, rest and elevation.", STRAIGHTFORWARD),
    ("1. Sprain. Ibuprofen over the counter as needed.", LOW),
    ("1. Knee pain. Refer to physical therapy.", LOW),
    ("1. Sinusitis. Start amoxicillin 875 mg twice daily.", MODERATE),
    ("1. Hypertension. Continue lisinopril 10 mg.", MODERATE),
    ("1. Diabetes. Patient cannot afford insulin; limited by cost.", MODERATE),
    ("1. Gallstones. Refer to general surgery for elective cholecystectomy.", MODERATE),
    ("1. Chest pain. Admit to telemetry.", HIGH),
    ("1. Pneumonia. Considered admission but CURB-65 is 0, outpatient treatment.", HIGH),
    ("1. Appendicitis. Emergency appendectomy tonight.", HIGH),
    ("1. DVT. Heparin drip with PTT every 6 hours.", HIGH),
    ("1. Renal colic. IV morphine 4 mg given.", HIGH),
    ("1. Metastatic cancer. Family agrees with comfort care, DNR.", HIGH),
])
def test_risk(text, level):
    assert risk_element(Note.read(AP + text + "\n")).level == level


def test_two_of_three():
    assert mdm_level(HIGH, STRAIGHTFORWARD, STRAIGHTFORWARD) == STRAIGHTFORWARD
    assert mdm_level(HIGH, LOW, MODERATE) == MODERATE
    assert mdm_level(MODERATE, MODERATE, STRAIGHTFORWARD) == MODERATE
    # real wording: moderate problem + moderate risk, minimal data -> 99214
    r = level_em(AP + "1. Type 2 diabetes, uncontrolled. Increase metformin to 1000 mg twice daily.\n")
    assert (r.element("problems").level, r.element("data").level, r.element("risk").level) == (MODERATE, 1, MODERATE)
    assert r.code == "99214" and r.basis == "mdm"
    # high problem alone with minimal data and OTC risk is only low
    r = level_em(AP + "1. Chest pain concerning for acute coronary syndrome. Aspirin 81 mg over the counter.\n")
    assert r.code == "99213"


@pytest.mark.parametrize("family,edges", [
    ("office_new", [(14, None), (15, "99202"), (29, "99202"), (30, "99203"), (44, "99203"), (45, "99204"),
                    (59, "99204"), (60, "99205")]),
    ("office_established", [(9, None), (10, "99212"), (19, "99212"), (20, "99213"), (29, "99213"), (30, "99214"),
                            (39, "99214"), (40, "99215")]),
    ("hospital_initial", [(39, None), (40, "99221"), (54, "99221"), (55, "99222"), (74, "99222"), (75, "99223")]),
    ("hospital_subsequent", [(24, None), (25, "99231"), (34, "99231"), (35, "99232"), (49, "99232"), (50, "99233")]),
    ("hospital_discharge", [(30, "99238"), (31, "99239")]),
    ("ed", [(120, None)]),
])
def test_time_edges(family, edges):
    for minutes, code in edges:
        assert time_level(FAMILIES[family], minutes) == code, (family, minutes)


def test_prolonged_edges():
    assert prolonged_for("99215", 54, "commercial") is None
    assert prolonged_for("99215", 55, "commercial")[1] == 1
    assert prolonged_for("99215", 68, "medicare") is None
    assert prolonged_for("99215", 69, "medicare")[0].code == "G2212"
    assert prolonged_for("99205", 88, "medicare") is None
    assert prolonged_for("99205", 89, "medicare")[1] == 1
    assert prolonged_for("99205", 104, "medicare")[1] == 2
    assert prolonged_for("99205", 75, "commercial")[0].code == "99417"
    assert prolonged_for("99233", 80, "medicare")[0].code == "G0316"


def test_time_basis_reported_when_higher():
    r = level_em(AP + "1. Hypertension, stable. Continue losartan.\nI spent a total of 41 minutes on the date of "
                 "the encounter.\n")
    assert (r.code, r.basis, r.mdm_code, r.time_minutes) == ("99215", "time", "99213", 41)
    r = level_em(AP + "1. Sprain.\nTotal time 45 minutes.\n", setting="ed")
    assert r.basis == "mdm" and r.time_code is None


def test_billed_comparison(codebook):
    note = AP + "1. Hypertension, stable. Continue losartan.\n2. Hyperlipidemia, stable on atorvastatin.\n"
    r = level_em(note, billed="99213", codebook=codebook)
    assert r.billed["status"] == "under-coded" and r.billed["levels"] == 1
    assert r.billed["delta"] == round(codebook.pfs.price("99214") - codebook.pfs.price("99213"), 2) > 0
    r = level_em(note, billed="99215", codebook=codebook)
    assert r.billed["status"] == "over-coded" and r.billed["severity"] == "compliance risk"
    r = level_em(note, billed="99283", setting="ed", codebook=codebook)
    assert r.billed["facility_pricing"] is True


def test_modifier_25_rule(codebook):
    separate = ("ASSESSMENT AND PLAN\n1. Type 2 diabetes, not at goal. Increase glipizide.\n2. Right knee "
                "osteoarthritis.\nPROCEDURE: The right knee was injected with 40 mg triamcinolone acetonide.\n")
    r = suggest_em_and_procedures(separate, "office", codebook=codebook)
    assert r.em.modifiers == ["25"] and r.em.code == "99214"
    only = "ASSESSMENT AND PLAN\n1. Right knee osteoarthritis.\nPROCEDURE: The right knee was injected with 40 mg " \
           "triamcinolone acetonide.\n"
    r = suggest_em_and_procedures(only, "office", billed="99213", codebook=codebook)
    assert r.em.separately_billable is False and r.em.billed["status"] == "not supported"
    ekg = ("ASSESSMENT AND PLAN\n1. Palpitations, new. Holter ordered.\nEKG performed today: sinus rhythm, "
           "normal intervals.\n")
    r = suggest_em_and_procedures(ekg, "office", codebook=codebook)
    assert [p.code for p in r.procedures] == ["93000"] and r.em.modifiers == []  # XXX global: no 25


DEVSET = Path(__file__).parent / "devset" / "devset.jsonl"


def test_devset_shape():
    cases = [json.loads(x) for x in DEVSET.read_text().splitlines()]
    assert len(cases) >= 40
    assert {c["setting"] for c in cases} == {"office", "hospital", "ed"}
    codes = {c["expected"]["em"] for c in cases}
    for code in ("99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215", "99221", "99222",
                 "99223", "99231", "99232", "99233", "99238", "99239", "99282", "99283", "99284", "99285"):
        assert code in codes or code in ("99202", "99221", "99231", "99282"), code
    assert any(c["expected"]["basis"] == "time" for c in cases)
    assert any(c["expected"]["procedures"] for c in cases)


def test_devset_accuracy(codebook):
    """Floor on the dev set (bench/em_devset.py prints the full report)."""
    cases = [json.loads(x) for x in DEVSET.read_text().splitlines()]
    ok = 0
    for c in cases:
        r = suggest_em_and_procedures(c["note"], c["setting"], c["billed"], c["payer"], codebook)
        ok += (r.em.code if r.em.separately_billable else None) == c["expected"]["em"]
    assert ok / len(cases) >= 0.9
