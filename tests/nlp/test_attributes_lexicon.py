"""Attributes (laterality, acuity, type, stage, …), the curated abbreviations, index walks."""

from __future__ import annotations

import pytest

from coderight.nlp.abbreviations import ABBREVIATIONS


def first(pipeline, text):
    d = pipeline(text)
    assert d.mentions, text
    return d.mentions[0]


@pytest.mark.parametrize("text,attrs", [
    ("Acute on chronic systolic heart failure.", {"acuity": "acute on chronic", "type": "systolic"}),
    ("Chronic diastolic heart failure.", {"acuity": "chronic", "type": "diastolic"}),
    ("CKD stage 3a.", {"stage": "3a"}),
    ("CKD 3b.", {"stage": "3b"}),
    ("CKD stage IV.", {"stage": "4"}),
    ("Right knee osteoarthritis.", {"laterality": "right"}),
    ("Left ventricular failure.", {}),
    ("Severe persistent asthma with exacerbation.", {"severity": "severe", "persistence": "persistent",
                                                      "exacerbation": "yes"}),
])
def test_attributes(pipeline, text, attrs):
    m = first(pipeline, text)
    assert {k: m.attributes.get(k) for k in attrs} == attrs
    if not attrs:
        assert "laterality" not in m.attributes


@pytest.mark.parametrize("text,code", [
    ("HTN", "I10"), ("T2DM", "E11.9"), ("DM2", "E11.9"), ("CKD", "N18.9"), ("AKI", "N17.9"),
    ("CHF", "I50.9"), ("HFrEF", "I50.20"), ("HFpEF", "I50.30"), ("AFib", "I48.91"), ("CAD", "I25.10"),
    ("COPD", "J44.9"), ("GERD", "K21.9"), ("OSA", "G47.33"), ("BPH", "N40.0"), ("UTI", "N39.0"),
])
def test_abbreviations(pipeline, text, code):
    assert first(pipeline, f"{text}.").code == code


def test_upper_only_abbreviations(pipeline):
    assert not [m for m in pipeline("We will pad the splint.").mentions if m.code == "I73.9"]
    assert [m.code for m in pipeline("PAD.").mentions] == ["I73.9"]


def test_every_curated_code_exists(codebook):
    tab = codebook.icd10cm
    for surface, (_exp, code) in ABBREVIATIONS.items():
        if code:
            assert tab.find(code.rstrip("-")) is not None, (surface, code)


def test_index_subterm_walk(pipeline):
    m = first(pipeline, "Osteoarthritis of the right knee.")
    assert m.code.startswith("M17")
    assert m.path[:2] == ("Osteoarthritis", "knee")


def test_status_post_transplant(pipeline):
    assert first(pipeline, "s/p kidney transplant").code == "Z94.0"
