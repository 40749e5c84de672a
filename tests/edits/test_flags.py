"""The engine skips a rule when the claim lacks the rule's `when` flag. The flags are necessary
conditions, so skipping must never lose a finding: on randomised claims built from the rule
examples' codes, modifiers, diagnoses, places of service and dates, the scrub with flags equals the
scrub that calls every rule on every claim, finding for finding and in order."""

from __future__ import annotations

import random
import re

import pytest

from coderight.edits.notation import parse_claim
from coderight.edits.rules import ALL_RULES

EXAMPLES = [ex for r in ALL_RULES for key in ("fails", "passes") for ex in r.describe()[key]]
CODES = sorted({m.group(1) for ex in EXAMPLES for m in re.finditer(r"(?:^|\s)([0-9A-Z]\d{3}[0-9A-Z])(?=[-\s]|$)", ex)}
               | {"96372", "J1100", "71046", "93000", "20610", "11042", "11045", "27447", "45380", "45385"})
DX = ["I10", "E11.9", "E10.9", "N40.0", "O80", "Z37.0", "Z38.00", "G63", "E11.40", "M54.5", "E11", "S52.501",
      "S52.501A", "S52.501Z", "M54.50", "J45.909", "F32.A"]
MODS = ["25", "59", "XS", "RT", "LT", "50", "26", "TC", "24", "57", "91", "76", "2B", "95", "F1"]


def _line(rng: random.Random) -> str:
    code = rng.choice(CODES)
    mods = rng.sample(MODS, rng.choice((0, 0, 0, 1, 1, 2)))
    toks = ["-".join([code, *mods])]
    if rng.random() < 0.3:
        toks.append(f"x{rng.choice((2, 3, 0.5, 10))}")
    if rng.random() < 0.2:
        toks.append(rng.choice(("p-", "p2", "p1,3", "p13", "p0")))
    if rng.random() < 0.15:
        toks.append(rng.choice(("@+1", "@-1", "@+20", "@+95")))
    if rng.random() < 0.1:
        toks.append("#1679576722")
    return " ".join(toks)


def _claim(rng: random.Random) -> str:
    attrs = [f"dx={','.join(rng.sample(DX, rng.choice((1, 1, 2, 3, 4))))}" if rng.random() < 0.9 else "dx=-",
             f"sex={rng.choice('FMU')}", f"age={rng.choice((0, 5, 30, 45, 70))}",
             f"pos={rng.choice(('11', '11', '22', '21', '30', 'AB', '02'))}",
             f"payer={rng.choice(('medicare', 'medicaid', 'commercial'))}"]
    if rng.random() < 0.1:
        attrs.append(f"dos={rng.choice(('2023-05-01', '2031-01-05', '2024-09-30'))}")
    if rng.random() < 0.05:
        attrs.append("tob=0131")
    return " ".join(attrs + [" + ".join(_line(rng) for _ in range(rng.choice((1, 1, 2, 2, 3, 5))))])


@pytest.fixture(scope="module")
def engines(codebook):
    from coderight.edits.engine import Engine

    return Engine(codebook), Engine(codebook, use_flags=False)


def test_flags_never_drop_a_finding(engines):
    rng = random.Random(7)
    texts = EXAMPLES + [_claim(rng) for _ in range(3000)]
    claims = [parse_claim(t, f"C{i}") for i, t in enumerate(texts)]
    fast, every = engines
    got = [r.to_dict() for r in fast.scrub_many(claims)]
    want = [r.to_dict() for r in every.scrub_many(claims)]
    assert sum(len(r["findings"]) for r in want) > 1000
    diff = [(texts[i], a, b) for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b]
    assert not diff, diff[:3]
