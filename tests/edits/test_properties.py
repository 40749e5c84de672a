"""Property tests drawn from the real NCCI tables of the mirror (2024 Q3 practitioner files).

For a seeded random sample of active PTP pairs, a two-line claim on a date the release covers is
flagged when the modifier indicator is 0 (even with 59), flagged when it is 1 without a bypass
modifier, and clear when it is 1 with XS on the column-2 line. A pair after its deletion is
clear. The derived CSV lost the effective dates, so "before its effective date" is tested on an
official-layout release (tab text, with effective dates) written from the same real pairs. MUE
limits are tested the same way, per line (MAI 1) and per day (MAI 2, 3).
"""

from __future__ import annotations

import csv
import gzip
import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from coderight.claims.model import Claim, Diagnosis, Line, Patient, Payer, Provider
from coderight.codesets.codebook import sync

DOS = date(2024, 8, 1)
SAMPLE = 1200
MUE_SAMPLE = 1500


def _claim(cid: str, lines: list[Line], d: date = DOS) -> Claim:
    for ln in lines:
        ln.date = ln.date or d
    return Claim(cid, lines, [Diagnosis("I10")], Patient("M", "F", None, 45), Payer("medicare"),
                 Provider("1234567893"), Provider("1245319599"), pos="11", from_date=d)


@pytest.fixture(scope="module")
def engine(codebook):
    from coderight.edits.engine import Engine

    return Engine(codebook)


@pytest.fixture(scope="module")
def ptp_rows(mirror):
    """pair -> list of (deletion date or None, modifier indicator), from the mirror's practitioner file."""
    rows: dict[tuple[str, str], list[tuple[str, str]]] = {}
    path = Path(mirror) / "ncci-ptp" / "ncci_ptp_practitioner_2024-07-01.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        next(r)
        for c1, c2, dele, mod, _why in r:
            rows.setdefault((c1, c2), []).append((dele, mod))
    return rows


def _sample(rows, want, rng):
    keys = sorted(k for k, v in rows.items() if want(v))
    return rng.sample(keys, min(SAMPLE, len(keys)))


def _ptp_on_line2(results):
    return {r.claim_id: [f for f in r.findings if f.rule == "NCCI-PTP" and f.line == 2] for r in results}


def test_active_pairs_by_modifier_indicator(engine, ptp_rows):
    rng = random.Random(20240801)

    def active(mod):
        return lambda v: [m for d, m in v if not d] == [mod]  # one active row with that indicator

    mod0 = _sample(ptp_rows, active("0"), rng)
    mod1 = _sample(ptp_rows, active("1"), rng)
    assert len(mod0) >= 1000 and len(mod1) >= 1000
    claims = []
    for i, (c1, c2) in enumerate(mod0):
        claims.append(_claim(f"a{i}", [Line(c1), Line(c2)]))
        claims.append(_claim(f"b{i}", [Line(c1), Line(c2, ("59",))]))
    for i, (c1, c2) in enumerate(mod1):
        claims.append(_claim(f"c{i}", [Line(c1), Line(c2)]))
        claims.append(_claim(f"d{i}", [Line(c1), Line(c2, ("XS",))]))
    got = _ptp_on_line2(engine.scrub_many(claims))
    for i, pair in enumerate(mod0):
        assert got[f"a{i}"], f"indicator 0 pair {pair} not flagged"
        assert got[f"b{i}"], f"indicator 0 pair {pair} bypassed by 59"
    for i, pair in enumerate(mod1):
        assert got[f"c{i}"], f"indicator 1 pair {pair} not flagged without a modifier"
        assert not got[f"d{i}"], f"indicator 1 pair {pair} flagged with XS on column 2: {got[f'd{i}']}"


def test_deleted_pairs_are_clear(engine, ptp_rows):
    rng = random.Random(7)
    deleted = _sample(ptp_rows, lambda v: all(d and d <= DOS.isoformat() for d, _m in v), rng)
    assert len(deleted) >= 1000
    claims = [_claim(f"x{i}", [Line(c1), Line(c2)]) for i, (c1, c2) in enumerate(deleted)]
    got = _ptp_on_line2(engine.scrub_many(claims))
    flagged = [deleted[i] for i in range(len(deleted)) if got[f"x{i}"]]
    assert not flagged, f"deleted pairs flagged: {flagged[:5]}"


def test_date_outside_the_release_is_not_a_silent_pass(engine, ptp_rows):
    c1, c2 = "29881", "29877"
    assert [m for d, m in ptp_rows[(c1, c2)] if not d] == ["0"]
    res = engine.scrub(_claim("old", [Line(c1), Line(c2)], date(2023, 5, 1)))
    rules = {f.rule for f in res.findings}
    assert "NCCI-PTP" not in rules and "NCCI-NOT-LOADED" in rules and not res.clean


class _Book:
    """The session codebook with the NCCI dataset replaced."""

    def __init__(self, base, ncci_cache):
        from coderight.codesets.codebook import Codebook

        self.base, self.other = base, Codebook(ncci_cache)

    def dataset(self, name):
        return self.other.dataset(name) if name == "ncci" else self.base.dataset(name)

    def versions(self):
        return {**self.base.versions(), "ncci": self.other.versions()["ncci"]}


def test_effective_dates_of_an_official_release(codebook, ptp_rows, mirror, tmp_path):
    """Official CMS layout (effective dates kept): a pair is clear before its effective date."""
    from coderight.edits.engine import Engine

    rng = random.Random(11)
    pairs = _sample(ptp_rows, lambda v: [m for d, m in v if not d] in (["0"], ["1"]), rng)
    start = date(2024, 7, 1)
    eff = {p: start + timedelta(days=rng.randrange(1, 80)) for p in pairs}
    mir = tmp_path / "mirror"
    (mir / "ncci-ptp").mkdir(parents=True)
    (mir / "ncci-aoc").mkdir()
    (mir / "ncci-aoc" / "ncci_aoc_practitioner_2024-07.csv").symlink_to(
        Path(mirror) / "ncci-aoc" / "ncci_aoc_practitioner_2024-07.csv")
    with open(mir / "ncci-ptp" / "ccipra-v302r0-f1.txt", "w") as f:
        f.write("CPT codes and descriptions only are copyright American Medical Association.\n")
        f.write("Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\t"
                "Modifier\tPTP Edit Rationale\n")
        for (c1, c2), d in eff.items():
            mod = [m for dd, m in ptp_rows[(c1, c2)] if not dd][0]
            f.write(f"{c1}\t{c2}\t\t{d:%Y%m%d}\t*\t{mod}\tMisuse of column two code with column one code\n")
    cache = tmp_path / "cache"
    built, failed = sync(cache, str(mir), only=["ncci"])
    assert not failed, failed
    engine = Engine(_Book(codebook, cache))
    claims = []
    for i, (c1, c2) in enumerate(pairs):
        d = eff[(c1, c2)]
        claims.append(_claim(f"before{i}", [Line(c1), Line(c2)], d - timedelta(days=1)))
        claims.append(_claim(f"on{i}", [Line(c1), Line(c2)], d))
    got = _ptp_on_line2(engine.scrub_many(claims))
    for i, pair in enumerate(pairs):
        assert not got[f"before{i}"], f"{pair} flagged before its effective date {eff[pair]}"
        assert got[f"on{i}"], f"{pair} not flagged on its effective date {eff[pair]}"


@pytest.fixture(scope="module")
def mue_rows(mirror):
    path = Path(mirror) / "mue" / "mue_practitioner_2024-07-01.csv"
    with open(path, encoding="utf-8", newline="") as f:
        return [(r["hcpcs_code"], int(r["mue_value"]), int(r["mue_adjudication_indicator"]))
                for r in csv.DictReader(f)]


def test_mue_limits(engine, mue_rows):
    rng = random.Random(3)
    sample = rng.sample(mue_rows, MUE_SAMPLE)
    claims, expect = [], {}
    for code, value, mai in sample:
        if value >= 1:
            claims.append(_claim(f"{code}:at", [Line(code, (), value)]))
            expect[f"{code}:at"] = False
        claims.append(_claim(f"{code}:over", [Line(code, (), value + 1)]))
        expect[f"{code}:over"] = True
        if value >= 1:  # split over two lines: per day for MAI 2/3, per line for MAI 1
            claims.append(_claim(f"{code}:split", [Line(code, ("RT",), value), Line(code, ("LT",), 1)]))
            expect[f"{code}:split"] = mai in (2, 3)
    got = {r.claim_id: any(f.rule == "MUE" for f in r.findings) for r in engine.scrub_many(claims)}
    wrong = [k for k, v in expect.items() if got[k] != v]
    assert not wrong, f"{len(wrong)} MUE expectations failed, e.g. {wrong[:8]}"
    assert len(sample) >= 1000
