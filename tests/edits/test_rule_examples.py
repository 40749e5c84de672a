"""Every rule's docstring examples are its tests: each "Fails:" claim draws at least one finding
from that rule, each "Passes:" claim draws none from it."""

from __future__ import annotations

import pytest

from coderight.edits.base import SEVERITIES
from coderight.edits.notation import parse_claim
from coderight.edits.rules import ALL_RULES

CASES = [(r, kind, ex) for r in ALL_RULES for kind, exs in (("fails", r.describe()["fails"]),
                                                             ("passes", r.describe()["passes"])) for ex in exs]


@pytest.fixture(scope="module")
def engine(codebook):
    from coderight.edits.engine import Engine

    return Engine(codebook)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_rule_is_documented(rule):
    d = rule.describe()
    assert rule.id and rule.family and rule.severity in SEVERITIES
    assert d["title"] and d["source"] and d["fix"], f"{rule.id}: title, Source and Fix are required"
    assert d["fails"] and d["passes"], f"{rule.id}: at least one Fails and one Passes example"


@pytest.mark.parametrize("rule,kind,example", CASES, ids=[f"{r.id}:{k}:{e}" for r, k, e in CASES])
def test_rule_example(engine, rule, kind, example):
    claim = parse_claim(example)
    result = engine.scrub(claim)
    mine = [f for f in result.findings if f.rule == rule.id]
    errors = [f for f in result.findings if f.rule == "ENGINE-ERROR"]
    assert not errors, errors
    if kind == "fails":
        assert mine, f"{rule.id} should flag: {example}\nfindings: {[(f.rule, f.message) for f in result.findings]}"
        assert all(f.source and f.fix and f.message for f in mine)
    else:
        assert not mine, f"{rule.id} should pass: {example}\n{[f.message for f in mine]}"
