"""Scrub throughput: claims per second on one core, and peak memory.

Generates N realistic professional claims (default 100,000) from the real tables (seeded RNG):
E/M visits and procedures drawn from the PFS (active codes, with their global days), add-on
codes with a primary from the NCCI add-on table, drugs and supplies from HCPCS Level II, real
NCCI PTP pairs (with and without bypass modifiers) on a share of claims, MUE-exceeding units on a
few, diagnoses drawn from the ICD-10-CM codes valid in FY2024, dates of service in 2024 Q3.
Then scrubs them with the full catalog on one core and writes bench/results/claims_scrub.json.

    CODERIGHT_DATA_MIRROR=../shared/data .venv/bin/python bench/claims_scrub.py [-n 100000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from coderight.claims.model import Claim, Diagnosis, Line, Patient, Payer, Provider
from coderight.codesets.codebook import Codebook, sync
from coderight.codesets.registry import DATASETS
from coderight.edits.engine import Engine

Q3 = date(2024, 7, 1)


def codebook() -> Codebook:
    cb = Codebook()
    missing = [d for d in DATASETS if not cb.is_current(d)]
    if missing:
        built, failed = sync(cb.cache.root, os.environ.get("CODERIGHT_DATA_MIRROR"), only=missing)
        if failed:
            sys.exit(f"sync failed: {failed}")
    return cb


def pools(cb: Codebook, rng: random.Random) -> dict:
    pfs, ncci, icdv, mue = cb.dataset("pfs"), cb.dataset("ncci"), cb.dataset("icd10cm_validity"), cb.dataset("mue")
    d = date(2024, 8, 1)
    em = ["99212", "99213", "99214", "99215", "99203", "99204", "99232", "99233", "99223", "99285", "99284"]
    procs, tests = [], []
    for code in pfs.codes():
        row = pfs.rvu(code)
        if row.status != "A" or not code[:1].isdigit():
            continue
        lim = mue.limit(code, d)
        if lim is None:
            continue
        if row.global_days in ("000", "010", "090"):
            procs.append(code)
        elif row.global_days == "XXX" and not (99202 <= int(code[:5]) <= 99499 if code.isdigit() else False):
            tests.append(code)
    procs, tests = sorted(procs), sorted(tests)
    aoc = ncci.aoc.table_for(d)
    addons = sorted((a, sorted(p for p in prim if p != "CCCCC")) for a, prim in aoc.items()
                    if any(p != "CCCCC" for p in prim))
    t = ncci.ptp.table_for(d, "practitioner")[1]
    idx = rng.sample(range(t.n), 20000)
    from coderight.codesets.ncci import decode_code

    pairs = [(decode_code(int(t.keys[i]) >> 26), decode_code(int(t.keys[i]) & ((1 << 26) - 1)), int(t.mod[i]))
             for i in idx if t.deletion[i] > 20000]
    drugs = sorted(c for c in cb.dataset("hcpcs").codes() if c[0] in "JGA" and cb.dataset("hcpcs").is_valid(c, d))
    tab = cb.icd10cm
    dx = [c for c, _t, bill in tab.titles() if bill and c[0] not in "OPVWXYZSTU"]
    dx = [c for c in rng.sample(dx, 12000) if icdv.check(c, d)[0].value == "valid"][:6000]
    return {"em": em, "procs": procs, "tests": tests, "addons": addons, "pairs": pairs, "drugs": drugs, "dx": dx}


def generate(n: int, p: dict, rng: random.Random) -> list[Claim]:
    out = []
    npis = [f"1{rng.randrange(10**8, 10**9)}" for _ in range(400)]
    for i in range(n):
        dos = Q3 + timedelta(days=rng.randrange(92))
        r = rng.random()
        lines: list[Line] = []
        if r < 0.45:  # office visit only
            lines.append(Line(rng.choice(p["em"]), (), 1, 120.0))
            if rng.random() < 0.3:
                lines.append(Line(rng.choice(p["tests"]), (), 1, 45.0))
        elif r < 0.65:  # visit + procedure
            proc = rng.choice(p["procs"])
            lines.append(Line(rng.choice(p["em"]), ("25",) if rng.random() < 0.8 else (), 1, 130.0))
            lines.append(Line(proc, (), 1, 300.0))
        elif r < 0.78:  # a real PTP pair
            c1, c2, mod = rng.choice(p["pairs"])
            mods = ("XS",) if mod == 1 and rng.random() < 0.6 else ()
            lines += [Line(c1, (), 1, 400.0), Line(c2, mods, 1, 200.0)]
        elif r < 0.86:  # add-on with (usually) its primary
            addon, prim = rng.choice(p["addons"])
            if rng.random() < 0.9:
                lines.append(Line(rng.choice(prim), (), 1, 250.0))
            lines.append(Line(addon, (), rng.choice((1, 1, 2)), 90.0))
        elif r < 0.94:  # injection visit
            lines += [Line(rng.choice(p["em"]), ("25",), 1, 110.0), Line("96372", (), 1, 30.0),
                      Line(rng.choice(p["drugs"]), (), rng.choice((1, 2, 4, 10)), 25.0)]
        else:  # tests / imaging, sometimes too many units
            for _ in range(rng.choice((1, 2, 3))):
                lines.append(Line(rng.choice(p["tests"]), (), rng.choice((1, 1, 1, 2, 3)), 60.0))
        ndx = rng.choice((1, 1, 2, 2, 3, 4))
        for ln in lines:
            ln.date = dos
            ln.dx_pointers = tuple(sorted(rng.sample(range(1, ndx + 1), min(ndx, rng.choice((1, 1, 2))))))
        birth = date(1930 + rng.randrange(90), rng.randrange(1, 13), rng.randrange(1, 29))
        out.append(Claim(
            f"B{i:07d}", lines, [Diagnosis(rng.choice(p["dx"])) for _ in range(ndx)],
            Patient(f"M{i}", rng.choice("FM"), birth),
            Payer(rng.choice(("medicare", "medicare", "medicare", "medicaid", "commercial"))),
            Provider("1234567893"), Provider(rng.choice(npis)),
            pos=rng.choice(("11", "11", "11", "11", "22", "21", "02")), from_date=dos))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--no-freeze", action="store_true", help="leave the input batch to the cyclic GC")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    cb = codebook()
    engine = Engine(cb)
    t_load = time.perf_counter() - t0
    p = pools(cb, rng)
    t1 = time.perf_counter()
    claims = generate(args.n, p, rng)
    t_gen = time.perf_counter() - t1
    if args.profile:
        import cProfile
        import pstats

        cProfile.runctx("list(engine.scrub_many(claims))", globals(), locals(), "/tmp/scrub.prof")
        pstats.Stats("/tmp/scrub.prof").sort_stats(os.environ.get("PSORT", "cumulative")).print_stats(25)
        return 0
    if not args.no_freeze:
        gc.collect()
        gc.freeze()  # the input batch is long-lived: keep the collector from re-walking it
    t2 = time.perf_counter()
    clean = 0
    by_rule: Counter = Counter()
    at_risk = 0.0
    for res in engine.scrub_many(claims):
        clean += res.clean
        at_risk += res.money_at_risk
        for f in res.findings:
            by_rule[f.rule] += 1
    t_scrub = time.perf_counter() - t2
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {
        "claims": args.n, "lines": sum(len(c.lines) for c in claims), "seed": args.seed,
        "scrub_seconds": round(t_scrub, 3), "claims_per_second": round(args.n / t_scrub),
        "engine_load_seconds": round(t_load, 3), "generate_seconds": round(t_gen, 3),
        "peak_rss_mb": round(peak_mb, 1), "clean_rate": round(clean / args.n, 4),
        "money_at_risk": round(at_risk, 2), "findings_by_rule": dict(by_rule.most_common()),
        "gc_freeze_input": not args.no_freeze, "rules": len(engine.rules), "cores": 1, "python": sys.version.split()[0],
        "releases": cb.versions(),
    }
    print(f"{args.n:,} claims ({out['lines']:,} lines) scrubbed in {t_scrub:.2f} s on one core: "
          f"{out['claims_per_second']:,} claims/s; peak RSS {peak_mb:,.0f} MB; engine load {t_load:.2f} s; "
          f"clean rate {100 * out['clean_rate']:.1f} %")
    print("findings by rule:", ", ".join(f"{k} {v}" for k, v in by_rule.most_common()))
    res_dir = Path(__file__).parent / "results"
    res_dir.mkdir(exist_ok=True)
    (res_dir / "claims_scrub.json").write_text(json.dumps(out, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
