"""The acceptance conventions of issue 3, each with real codes."""

from __future__ import annotations


def codes(coder, text, setting="outpatient"):
    return coder.code(text, setting=setting).codes()


def test_diabetes_with_ckd_stage_3a(coder):
    """I.A.15 'with' + E11.22 use additional code for the CKD stage."""
    assert codes(coder, "Type 2 diabetes with CKD stage 3a.") == ["E11.22", "N18.31"]


def test_diabetes_and_ckd_in_a_problem_list(coder):
    got = codes(coder, "PAST MEDICAL HISTORY: Type 2 diabetes mellitus, chronic kidney disease stage 3a.")
    assert set(got) == {"E11.22", "N18.31"}


def test_hypertension_with_heart_failure_and_ckd(coder):
    got = codes(coder, "Assessment: hypertension, heart failure, CKD stage 3a.")
    assert got[0] == "I13.0"
    assert {"I50.9", "N18.31"} <= set(got)
    assert "I10" not in got


def test_hypertension_with_esrd(coder):
    got = codes(coder, "Hypertension. ESRD on dialysis.")
    assert "I12.0" in got and "N18.6" in got


def test_denied_chest_pain_is_not_coded(coder):
    r = coder.code("Patient denies chest pain.")
    assert "R07.9" not in r.codes() and not any(c.startswith("R07") for c in r.codes())
    assert [s.reason for s in r.set_aside if s.code == "R07.9"] == ["negated"]


def test_rule_out_outpatient_codes_symptoms(coder):
    got = codes(coder, "Cough and fever for three days. Assessment: rule out pneumonia.")
    assert "J18.9" not in got
    assert {"R05.9", "R50.9"} <= set(got)


def test_rule_out_inpatient_discharge_is_coded(coder):
    text = "DISCHARGE DIAGNOSES:\n1. Rule out pneumonia.\nHOSPITAL COURSE:\nCough and fever."
    got = codes(coder, text, "inpatient")
    assert got[0] == "J18.9"
    assert "R05.9" not in got and "R50.9" not in got  # integral to the pneumonia


def test_history_of_breast_cancer(coder):
    got = codes(coder, "History of breast cancer, status post mastectomy.")
    assert "Z85.3" in got
    assert not any(c.startswith("C50") for c in got)


def test_family_history_colon_cancer(coder):
    assert codes(coder, "Mother had colon cancer.") == ["Z80.0"]
    assert codes(coder, "FAMILY HISTORY:\nColon cancer in her father.") == ["Z80.0"]


def test_unspecified_heart_failure_gets_a_query(coder):
    r = coder.code("Assessment: heart failure.")
    assert r.codes() == ["I50.9"]
    kinds = {q.kind for q in r.queries}
    assert {"acuity", "type"} <= kinds
    for q in r.queries:
        assert q.current_code == "I50.9"
        assert "Clinically undetermined" in q.options and any(o.startswith("Other") for o in q.options)
        assert "pay" not in q.question.lower() and "reimburse" not in q.question.lower()
        assert q.evidence and q.evidence[0].text == "heart failure"
        assert q.codes_at_stake


def test_specified_heart_failure_needs_no_query(coder):
    r = coder.code("Acute on chronic systolic heart failure.")
    assert r.codes() == ["I50.23"]
    assert not r.queries


def test_right_knee_primary_osteoarthritis(coder):
    assert codes(coder, "Assessment: right knee primary osteoarthritis.") == ["M17.11"]
    assert codes(coder, "Primary osteoarthritis of the right knee.") == ["M17.11"]


def test_bilateral_knee_osteoarthritis(coder):
    assert codes(coder, "Osteoarthritis of both knees.") == ["M17.0"]


def test_copd_exacerbation(coder):
    assert codes(coder, "COPD with acute exacerbation.") == ["J44.1"]


def test_ckd_stage_without_diabetes(coder):
    assert codes(coder, "CKD stage 4.") == ["N18.4"]


def test_injury_gets_seventh_character(coder):
    got = codes(coder, "Sprain of right ankle.")
    assert got and len(got[0].replace(".", "")) == 7 and got[0].endswith("A")


def test_kidney_transplant_status(coder):
    assert "Z94.0" in codes(coder, "He is status post kidney transplant.")


def test_integral_symptom_dropped(coder):
    got = codes(coder, "Assessment: pneumonia with cough.")
    assert got == ["J18.9"]


def test_result_shape_and_versions(coder):
    r = coder.code("HTN.")
    d = r.diagnoses[0]
    assert (d.code, d.rank) == ("I10", 1) and 0 < d.confidence <= 1
    assert d.rationale and d.evidence[0].text == "HTN"
    assert "icd10cm" in r.data_versions
    assert r.em is None and r.procedures == []
