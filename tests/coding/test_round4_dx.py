"""Round 4 diagnosis mechanisms, real codes: the problem block of a problem-oriented assessment,
displaced as the fracture default inside the specifier."""

from __future__ import annotations

import pytest


def codes(coder, text, setting="outpatient"):
    return coder.code(text, setting=setting).codes()


@pytest.mark.parametrize("text,expected", [
    # an exacerbation stated under the problem line belongs to the problem
    ("ASSESSMENT AND PLAN\n\nAsthma.\n• Medical Reasoning: His symptoms are exacerbated during warmer weather.\n"
     "• Medical Treatment: Continue albuterol.\n", ["J45.901"]),
    # an exacerbation to prevent is not one
    ("ASSESSMENT AND PLAN\n\nAsthma.\n• Medical Treatment: Add Symbicort to help prevent exacerbation.\n",
     ["J45.909"]),
    # the block ends at the next problem line
    ("ASSESSMENT AND PLAN\n\nAsthma.\n• Medical Reasoning: Stable on albuterol as needed.\n\nCOPD.\n"
     "• Medical Reasoning: He reports a flare this week with more sputum.\n", ["J45.909", "J44.1"]),
])
def test_problem_block_exacerbation(coder, text, expected):
    assert codes(coder, text) == expected


def test_named_finger_phalanx_fracture_defaults_to_displaced(coder):
    # I.C.19.c.1: not stated displaced or nondisplaced → displaced; the finger and side are kept
    got = codes(coder, "IMPRESSION\n\nRight middle finger distal phalanx fracture.\n")
    assert got == ["S62.632A"]


@pytest.mark.parametrize("text,expected", [
    # a qualified structure the index does not list → "specified ligament NEC" (I.A.9.a)
    ("ASSESSMENT\n\nLeft ankle sprain of the lateral ligament complex.\n", ["S93.492A"]),
    # the structure named in another sentence of the note, same site and side
    ("ASSESSMENT\n\nRight ankle sprain.\n\nPLAN\n\nThe injury involves the right ankle calcaneofibular ligament.\n",
     ["S93.411A"]),
    # another side does not specify this one; a negated sentence specifies nothing
    ("ASSESSMENT\n\nRight ankle sprain.\n\nEXAM\n\nLeft ankle: deltoid ligament tender.\n", ["S93.401A"]),
    ("ASSESSMENT\n\nRight ankle sprain.\n\nEXAM\n\nRight ankle: no deltoid ligament tenderness.\n", ["S93.401A"]),
    # a location of tenderness is not the injured structure
    ("ASSESSMENT\n\nRight knee sprain.\n\nEXAM\n\nTender to palpation over the lateral aspect of the right knee.\n",
     ["S83.91XA"]),
])
def test_injury_specified_from_elsewhere_in_the_note(coder, text, expected):
    assert codes(coder, text) == expected
