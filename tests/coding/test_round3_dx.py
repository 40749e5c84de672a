"""Round 3 diagnosis mechanisms, real codes: external causes (activity next to the event, place,
status, bites, overexertion, collisions), injury specificity and over-coding classes."""

from __future__ import annotations

import pytest


def codes(coder, text, setting="outpatient"):
    return coder.code(text, setting=setting).codes()


@pytest.mark.parametrize("text,expected", [
    # activity in the sentence before the event; gerund "golfing" reads Activity, golf
    ("The pain began 2 weeks ago, when she was downhill skiing. She ran into a tree and twisted her right "
     "knee. Assessment: right knee sprain.", ["S83.91XA", "W22.8XXA", "Y93.23"]),
    ("He was golfing and hurt his back. Assessment: acute lumbar strain.", ["S39.012A", "Y93.53"]),
    # place of occurrence only where it is written
    ("She tripped and fell on the sidewalk. Assessment: left wrist sprain.", ["S63.502A", "W01.0XXA", "Y92.480"]),
    # status documented: work → Y99.0; stated leisure → Y99.8 beside the activity
    ("He fell from a ladder at work. Assessment: closed fracture of the left wrist.",
     ["S62.102A", "W11.XXXA", "Y99.0"]),
    ("He plays recreational basketball and fell while playing. Assessment: left ankle sprain.",
     ["S93.402A", "W19.XXXA", "Y93.67", "Y99.8"]),
    # more mechanisms: bite, overexertion, collision with a person
    ("He was bitten by a dog on his right hand yesterday. Assessment: laceration of right hand.",
     ["S61.411A", "W54.0XXA"]),
    ("He lifted some heavy boxes on Saturday. Assessment: acute lumbar strain.", ["S39.012A", "X50.0XXA"]),
    ("While playing soccer she collided with another player and fell. Assessment: right ankle sprain.",
     ["S93.401A", "W03.XXXA", "Y93.66"]),
])
def test_external_causes_round3(coder, text, expected):
    assert codes(coder, text) == expected


def test_no_place_activity_or_status_after_the_initial_encounter(coder):
    got = codes(coder, "Follow-up for right ankle sprain, subsequent encounter. She fell at home while dancing.")
    assert got == ["S93.401D", "W19.XXXD"]


def test_sport_alone_does_not_state_the_status(coder):
    got = codes(coder, "She was playing volleyball and fell on her arm. Assessment: fracture of the right humerus.")
    assert "Y93.68" in got and not any(c.startswith("Y99") for c in got)


@pytest.mark.parametrize("text,expected", [
    # a modifier between site and injury; a meniscus injury is classified to Tear of meniscus
    ("Impression: Right knee acute medial meniscus sprain.", ["S83.241A"]),
    # proximal / distal = upper / lower end of the bone
    ("Impression: Right proximal humerus fracture.", ["S42.201A"]),
    ("Assessment: left distal radius fracture.", ["S52.502A"]),
])
def test_injury_specificity_site_first(coder, text, expected):
    assert codes(coder, text) == expected


def test_site_pain_integral_and_unspecified_injury_dropped(coder):
    got = codes(coder, "CC: Right knee injury. HPI: right knee pain after she twisted her knee. "
                       "Assessment: Right knee acute medial meniscus sprain. Right knee pain.")
    assert got[0] == "S83.241A"
    assert "M25.561" not in got and "S89.91XA" not in got  # I.B.5 same site; I.A.9 unspecified injury
