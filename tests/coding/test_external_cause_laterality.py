"""External cause codes (I.C.20), bilateral without a bilateral code (I.B.13), side bound to the
nearest site, and the lay synonyms / "see" descent of the lexicon — real codes."""

from __future__ import annotations

import pytest


def codes(coder, text, setting="outpatient"):
    return coder.code(text, setting=setting).codes()


@pytest.mark.parametrize("text,expected", [
    ("She slipped and fell on ice yesterday and sprained her right ankle. Assessment: right ankle sprain.",
     ["S93.401A", "W00.0XXA"]),
    ("Right middle finger pain after she was rear-ended in a motor vehicle accident. Assessment: "
     "nondisplaced fracture of distal phalanx of right middle finger.", ["S62.662A", "V89.2XXA"]),
    ("He fell off a ladder. Assessment: closed fracture of the left wrist.", ["S62.102A", "W11.XXXA"]),
])
def test_mechanism_from_the_external_cause_index(coder, text, expected):
    assert codes(coder, text) == expected


def test_activity_after_mechanism_initial_encounter_only(coder):
    got = codes(coder, "He was playing volleyball yesterday and fell and landed on his arm. "
                       "Assessment: fracture of the right humerus.")
    assert got[1:] == ["W19.XXXA", "Y93.68"]
    got = codes(coder, "Follow-up of right ankle sprain, subsequent encounter. She slipped and fell on ice "
                       "while playing volleyball 3 weeks ago.")
    assert got == ["S93.401D", "W00.0XXD"]  # the 7th character follows the injury; no Y93 after initial


def test_external_cause_needs_an_injury_and_an_affirmed_event(coder):
    assert codes(coder, "She fell last year. Assessment: hypertension.") == ["I10"]
    got = codes(coder, "He denies any fall. Assessment: right knee sprain.")
    assert not any(c[0] in "VWXY" for c in got)


def test_slipping_without_falling(coder):
    got = codes(coder, "He tripped on the stairs but caught himself without falling. Assessment: left ankle sprain.")
    assert got[-1] == "W18.40XA"


def test_bilateral_without_bilateral_code_codes_both_sides(coder):
    assert codes(coder, "Assessment: Bilateral medial epicondylitis.") == ["M77.01", "M77.02"]
    assert codes(coder, "Bilateral knee osteoarthritis.") == ["M17.0"]  # a bilateral code exists


def test_side_bound_to_nearest_site(coder):
    assert codes(coder, "Right shoulder pain and left knee pain.") == ["M25.511", "M25.562"]
    assert codes(coder, "Pain in the left knee after a fall on the right side.") == ["M25.562"]


@pytest.mark.parametrize("text,code", [
    ("Right foot pain.", "M79.671"),       # Pain, foot — see Pain, limb, lower → … foot M79.67-
    ("Left hand pain.", "M79.642"),
    ("Left knee pain.", "M25.562"),
    ("Right hip pain.", "M25.551"),
    ("Neck pain.", "M54.2"),
    ("She has low thyroid.", "E03.9"),
    ("Seasonal allergies.", "J30.2"),
])
def test_lay_terms(coder, text, code):
    assert codes(coder, text) == [code]
