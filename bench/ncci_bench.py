"""NCCI / MUE / MCE / ICD-10-CM validity benchmark: build time, compiled-cache load, lookups/s.

Run:  CODERIGHT_DATA_MIRROR=../shared/data .venv/bin/python bench/ncci_bench.py
Writes bench/results/ncci.json. Load times are measured in a fresh interpreter (median of 3),
from the compiled cache, per dataset. Target: 20,000 claims/s through the PTP lookup.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
MINE = ["ncci", "mue", "mce", "icd10cm_validity"]
CHILD = r"""
import json, sys, time
from coderight.codesets.codebook import Codebook
cb = Codebook(sys.argv[1])
out = {}
for name in sys.argv[2:]:
    t = time.perf_counter(); cb.dataset(name); out[name] = time.perf_counter() - t
print(json.dumps(out))
"""


def main() -> None:
    from coderight.codesets.codebook import Codebook, sync

    mirror = os.environ.get("CODERIGHT_DATA_MIRROR") or str(HERE.parent.parent / "shared" / "data")
    cache = Path(os.environ.get("CODERIGHT_BENCH_CACHE") or tempfile.mkdtemp(prefix="ncci-bench-"))
    build = {}
    for name in MINE:
        t = time.perf_counter()
        built, failed = sync(cache, mirror, only=[name])
        if failed:
            raise SystemExit(f"{name}: {failed[0][1]}")
        build[name] = round(time.perf_counter() - t, 3)
        print(f"build {name:18s} {build[name]:7.2f} s  ({built[0].release})")

    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", CHILD, str(cache), *MINE], capture_output=True,
                             text=True, check=True).stdout
        runs.append(json.loads(out))
    load = {n: round(statistics.median(r[n] for r in runs) * 1000, 2) for n in MINE}
    for n in MINE:
        print(f"load  {n:18s} {load[n]:7.2f} ms (fresh process, compiled cache)")
    print(f"load  total              {sum(load.values()):7.2f} ms")

    cb = Codebook(cache)
    ncci, mue, mce, val = (cb.dataset(n) for n in MINE)
    ptp = ncci.ptp
    dos = date(2024, 8, 15)
    t = ptp._tables[0]["practitioner"]
    from coderight.codesets.ncci import decode_code

    rnd = random.Random(7)
    c1s = [decode_code(int(k) >> 26) for k in t.keys[rnd.sample(range(t.n), 2000)]]
    claims = []
    for _ in range(20000):  # 4 codes a claim: two from real column-1 codes, two common codes
        claims.append({rnd.choice(c1s), rnd.choice(c1s), rnd.choice(["99213", "36415", "43235", "45380"]),
                       rnd.choice(["43239", "45385", "29881", "29877", "J1100"])})
    t0 = time.perf_counter()
    hits = 0
    for codes in claims:
        hits += len(ptp.edits_for(codes, dos))
    dt = time.perf_counter() - t0
    claims_s = len(claims) / dt
    pairs_s = sum(len(c) * (len(c) - 1) for c in claims) / dt
    print(f"PTP   {claims_s:10,.0f} claims/s  ({pairs_s:,.0f} pair lookups/s, {hits} edits hit)")

    def rate(fn, n=50000):
        t0 = time.perf_counter()
        fn(n)
        return n / (time.perf_counter() - t0)

    codes = ["99213", "43239", "J1100", "E0601", "ZZZZZ"]
    mue_s = rate(lambda n: [mue.limit(codes[i % 5], dos) for i in range(n)])
    dx = ["N40.0", "O80", "I10", "Z38.00", "F02.80"]
    mce_s = rate(lambda n: [mce.sex_conflict(dx[i % 5], "F", dos) for i in range(n)])
    val_s = rate(lambda n: [val.is_valid(dx[i % 5], dos) for i in range(n)])
    print(f"MUE   {mue_s:10,.0f} limit()/s;  MCE {mce_s:,.0f} sex_conflict()/s;  validity {val_s:,.0f} is_valid()/s")

    result = {"build_s": build, "load_ms": load, "load_total_ms": round(sum(load.values()), 2),
              "ptp_claims_per_s": round(claims_s), "ptp_pair_lookups_per_s": round(pairs_s),
              "mue_limit_per_s": round(mue_s), "mce_sex_conflict_per_s": round(mce_s),
              "validity_is_valid_per_s": round(val_s), "claims": len(claims), "codes_per_claim": 4,
              "python": sys.version.split()[0]}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "ncci.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
