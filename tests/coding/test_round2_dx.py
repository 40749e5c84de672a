"""Round-2 diagnosis mechanisms, each with real codes: disease-specific integral symptoms (I.B.5),
comparisons are not diagnoses, unspecified dropped beside a specific code of the same category
(I.A.9 / I.B.1), injury phrases written site-first, eponym possessives."""

from __future__ import annotations


def codes(coder, text, setting="outpatient"):
    return coder.code(text, setting=setting).codes()


def test_tachycardia_is_not_integral_to_hypertension(coder):
    """I.B.5 integral means routinely associated with that disease, not the same body system."""
    got = codes(coder, "DISCHARGE DIAGNOSES: Hypertension. Tachycardia.", "inpatient")
    assert {"I10", "R00.0"} <= set(got)


def test_stroke_deficits_are_coded(coder):
    """I.C.9.d: the neurologic deficits of an acute stroke are coded with it."""
    got = codes(coder, "ASSESSMENT: Acute ischemic stroke with aphasia.")
    assert {"I63.9", "R47.01"} <= set(got)


def test_fever_still_integral_to_pneumonia(coder):
    assert codes(coder, "DISCHARGE DIAGNOSES: Pneumonia. Fever.", "inpatient") == ["J18.9"]


def test_comparison_is_not_a_diagnosis(coder):
    r = coder.code("HPI: She states that it felt like a heart attack and she had chest pain.")
    assert "I21.9" not in r.codes() and "R07.9" in r.codes()
    assert any(s.code == "I21.9" and s.reason == "hypothetical" for s in r.set_aside)


def test_symptom_integral_only_to_a_reported_diagnosis(coder):
    """A diagnosis set aside (not addressed in the assessment) does not absorb a symptom the
    assessment names."""
    text = "HPI: History of gastroenteritis last year.\nASSESSMENT: Abdominal pain."
    assert "R10.9" in codes(coder, text)


def test_unspecified_dropped_beside_specific_same_condition(coder):
    """I.A.9 / I.B.1: M54.9 (dorsalgia, unspecified) goes when M54.50 (low back pain) is coded."""
    r = coder.code("ASSESSMENT: Back pain. Low back pain, worse with lifting.")
    assert r.codes() == ["M54.50"]
    assert any(s.code == "M54.9" and s.reason.startswith("unspecified") for s in r.set_aside)
    got = codes(coder, "DISCHARGE DIAGNOSES: Encephalopathy. Metabolic encephalopathy.", "inpatient")
    assert got == ["G93.41"]


def test_two_symptoms_of_one_category_both_kept(coder):
    """Dyspnea (R06.00) and wheezing (R06.2) are two findings, not one condition said twice."""
    got = codes(coder, "DISCHARGE DIAGNOSES: Dyspnea. Wheezing.", "inpatient")
    assert {"R06.00", "R06.2"} <= set(got)


def test_injury_written_site_first(coder):
    """Notes write the site, the structure, then the injury; a ligament 'strain' is its sprain."""
    assert codes(coder, "ASSESSMENT AND PLAN\n1. Right knee MCL strain.") == ["S83.411A"]
    assert codes(coder, "ASSESSMENT\nRight knee posterior cruciate ligament strain.") == ["S83.521A"]
    assert codes(coder, "ASSESSMENT\nAcute lumbar strain.") == ["S39.012A"]
    assert codes(coder, "ASSESSMENT\nLeft knee medial meniscus tear.") == ["S83.242A"]


def test_plural_possessive_eponyms(coder):
    """"Colles fracture" and "Colles' fracture" are one term (index: Fracture, traumatic, Colles')."""
    assert codes(coder, "ASSESSMENT\nRight wrist Colles fracture.") == ["S52.531A"]
    assert codes(coder, "ASSESSMENT\nGraves' disease.") == codes(coder, "ASSESSMENT\nGraves disease.")


def test_rank_and_confidence_follow_the_evidence(coder):
    """After the first-listed diagnosis, codes rank by evidence: said in several sections and
    sentences, exact multi-word terms, certain, not a symptom. Confidence follows the same score."""
    text = ("ASSESSMENT:\n1. Hypertension.\n2. Low back pain.\n3. Type 2 diabetes.\n"
            "PLAN:\nType 2 diabetes: continue metformin, recheck A1c.\nHPI: His type 2 diabetes is stable.")
    r = coder.code(text)
    assert r.codes() == ["E11.9", "I10", "M54.50"]
    conf = {d.code: d.confidence for d in r.diagnoses}
    assert conf["E11.9"] > conf["I10"] > conf["M54.50"] and all(0 < v <= 0.98 for v in conf.values())


def test_case_report_keeps_order_of_mention(coder):
    """A narrative without an assessment keeps the provider's order."""
    got = codes(coder, "A 60-year-old man with hypertension presented with pneumonia.", "inpatient")
    assert got == ["I10", "J18.9"]


def test_due_to_link_selects_the_index_subterm(coder):
    """'X due to / secondary to Y' walks the index's 'due to' / 'in' subterm of X."""
    assert codes(coder, "ASSESSMENT: Cardiomyopathy due to alcohol abuse.")[0] == "I42.6"
    got = codes(coder, "ASSESSMENT: Anemia secondary to chronic kidney disease stage 3a.")
    assert got == ["N18.31", "D63.1"]  # D63.1: code first the underlying chronic kidney disease
