"""Section headings in the forms notes use, sentences and list items."""

from __future__ import annotations

import pytest

from coderight.nlp.document import Document
from coderight.nlp.text import sectionize, split_sentences, tokenize


def sections(text):
    d = Document(text)
    tokenize(d)
    sectionize(d)
    return [(s.kind, s.heading) for s in d.sections if s.kind != "preamble"]


@pytest.mark.parametrize("text,kind", [
    ("ASSESSMENT AND PLAN\n1. HTN.", "assessment"),
    ("Assessment and Plan: HTN.", "assessment"),
    ("A/P: HTN.", "assessment"),
    ("Impression: pneumonia.", "assessment"),
    ("PMH: HTN, DM.", "pmh"),
    ("Past Medical History: HTN.", "pmh"),
    ("Family History: mother with breast cancer.", "family_history"),
    ("FAMILY HISTORY\nMother with colon cancer.", "family_history"),
    ("ROS: negative.", "ros"),
    ("REVIEW OF SYSTEMS\nDenies fever.", "ros"),
    ("Discharge Diagnoses:\n1. Pneumonia.", "diagnoses"),
    ("CHIEF COMPLAINT\n\nJoint pain.", "cc"),
    ("HISTORY OF PRESENT ILLNESS\nPain.", "hpi"),
])
def test_heading_forms(text, kind):
    assert sections(text)[0][0] == kind


def test_mtsamples_run_on_headings():
    text = "SUBJECTIVE:,  This 23-year-old female presents.  PAST MEDICAL HISTORY:,  Asthma.  FAMILY HISTORY:,  Diabetes."
    assert [k for k, _ in sections(text)] == ["hpi", "pmh", "family_history"]


def test_words_in_prose_are_not_headings():
    assert sections("He has a history of falls and we discussed the plan with him.") == []


def test_numbered_problem_list_items():
    d = Document("ASSESSMENT:\n1. Hypertension.\n2. Type 2 diabetes.\n#3 CKD 3a")
    tokenize(d)
    sectionize(d)
    split_sentences(d)
    items = [d.text[s.start:s.end] for s in d.sentences if s.list_item]
    assert items == ["1. Hypertension.", "2. Type 2 diabetes.", "#3 CKD 3a"]


def test_token_offsets_are_exact():
    text = "Pt c/o SOB; T2DM, CKD 3a — s/p CABG."
    d = Document(text)
    tokenize(d)
    assert all(text[t.start:t.end] == t.text for t in d.tokens)
