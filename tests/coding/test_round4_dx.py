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
