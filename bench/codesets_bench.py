"""Code-set layer benchmark: cold start from the compiled cache, resident memory, lookups/s.

Run:  .venv/bin/python bench/codesets_bench.py   (CODERIGHT_CACHE_DIR / CODERIGHT_DATA_MIRROR as for the CLI)

Cold start is measured in fresh interpreter processes (median of 5): import of coderight plus
loading every registered dataset from the compiled cache, with and without interpreter start.
Targets (issue 2): cold start under 1 s for all code sets; at least 200,000 `get` per second.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = r"""
import time, resource, json, sys
t0 = time.perf_counter()
from coderight.codesets.codebook import Codebook
from coderight.codesets.registry import DATASETS
cb = Codebook()
per = {}
for name in DATASETS:
    t = time.perf_counter()
    cb.dataset(name)
    per[name] = round(time.perf_counter() - t, 4)
total = time.perf_counter() - t0
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load_s": total, "per_dataset_s": per, "max_rss_mb": rss_mb}))
"""


def cold_start(runs: int = 5) -> dict:
    loads, walls, rss, per = [], [], [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
        walls.append(time.perf_counter() - t)
        got = json.loads(out.stdout.strip().splitlines()[-1])
        loads.append(got["load_s"])
        rss.append(got["max_rss_mb"])
        per = got["per_dataset_s"]
    return {
        "cold_load_all_s_median": round(statistics.median(loads), 3),
        "cold_process_incl_interpreter_s_median": round(statistics.median(walls), 3),
        "max_rss_mb": round(max(rss), 1),
        "per_dataset_s_last_run": per,
    }


def lookups() -> dict:
    from coderight.codesets.codebook import Codebook

    cb = Codebook()
    tab = cb.icd10cm
    codes = tab.billable_codes()
    rng = random.Random(7)
    sample = [rng.choice(codes) for _ in range(200_000)]
    for c in sample[:1000]:
        tab.get(c)
    t = time.perf_counter()
    for c in sample:
        tab.get(c)
    warm = len(sample) / (time.perf_counter() - t)
    undotted = [c.replace(".", "").lower() for c in sample[:100_000]]
    t = time.perf_counter()
    for c in undotted:
        tab.get(c)
    raw = len(undotted) / (time.perf_counter() - t)
    t = time.perf_counter()
    n = 0
    for c in sample[:20_000]:
        n += len(tab.effective_notes(c))
    notes = 20_000 / (time.perf_counter() - t)
    return {"icd10cm_get_per_s": round(warm), "icd10cm_get_unnormalized_per_s": round(raw),
            "icd10cm_effective_notes_per_s": round(notes)}


def main() -> None:
    from coderight.codesets.codebook import Codebook

    versions = Codebook().versions()
    result = {"cold_start": cold_start(), "lookups": lookups(), "data_versions": versions,
              "python": sys.version.split()[0], "cpus": os.cpu_count()}
    print(json.dumps(result, indent=1))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "codesets.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
