"""CMS-HCC: agreement with hccinfhir and members/s on one core, with peak memory.

Usage: .venv/bin/python bench/grouping_hcc.py [N] [N_REF]   (defaults 200000 members, 10000
compared with hccinfhir per payment year). Writes bench/results/grouping_hcc.json.
Run with POLARS_MAX_THREADS=1 OMP_NUM_THREADS=1 for the one-core figure.
"""

from __future__ import annotations

import collections
import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("POLARS_MAX_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import polars as pl  # noqa: E402

from coderight.grouping.crosscheck import hccinfhir_scores  # noqa: E402
from coderight.grouping.hcc.score import HccScorer  # noqa: E402
from coderight.grouping.synth import hcc_population  # noqa: E402


def main(n: int = 200_000, n_ref: int = 10_000) -> dict:
    res: dict = {"members": n, "compared_members_per_year": n_ref, "years": {}}
    for year in (2024, 2025, 2026, 2027):
        mem, dx = hcc_population(n_ref, seed=year)
        scorer = HccScorer(year)
        out, rej = scorer.score_frame(pl.DataFrame(mem), pl.DataFrame(dx))
        by = collections.defaultdict(list)
        for r in dx:
            by[r["member_id"]].append(r["dx"])
        t = time.perf_counter()
        ref = hccinfhir_scores(year, mem, by)
        t_ref = time.perf_counter() - t
        ours = dict(zip(out["member_id"].to_list(), out["risk_score"].to_list(), strict=True))
        bad = [m for m in mem if abs(ours[m["member_id"]] - ref[m["member_id"]]) > 0.001]
        kids_i70 = [m for m in bad if m["age"] < 15]
        res["years"][year] = {
            "agree_0.001": round(1 - len(bad) / n_ref, 5), "disagree": len(bad),
            "disagree_explained_multi_cc_edit_under_15": len(kids_i70),
            "hccinfhir_members_per_s": round(n_ref / t_ref),
            "max_abs_diff_agreeing": max((abs(ours[k] - ref[k]) for k in ours if abs(ours[k] - ref[k]) <= 0.001),
                                         default=0.0),
        }
        print(f"PY{year}: {n_ref} members, agree to 0.001: {n_ref - len(bad)} "
              f"({len(bad)} differ, {len(kids_i70)} of them the multi-CC age-edit case); "
              f"hccinfhir {res['years'][year]['hccinfhir_members_per_s']} members/s")
    mem, dx = hcc_population(n, seed=7)
    M, D = pl.DataFrame(mem), pl.DataFrame(dx)
    for year in (2026, 2024):
        s = HccScorer(year)
        s.score_frame(M.head(1000), D.head(5000))
        t = time.perf_counter()
        out, _ = s.score_frame(M, D)
        dt = time.perf_counter() - t
        res[f"coderight_members_per_s_py{year}"] = round(n / dt)
        print(f"coderight PY{year}: {n} members, {len(dx)} diagnoses: {n / dt:.0f} members/s")
    fastest_peer = max(v["hccinfhir_members_per_s"] for v in res["years"].values())
    res["speedup_vs_fastest_peer_py2026"] = round(res["coderight_members_per_s_py2026"] / fastest_peer, 1)
    res["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(f"speed-up vs fastest peer figure (hccinfhir {fastest_peer}/s): {res['speedup_vs_fastest_peer_py2026']}x; "
          f"peak RSS {res['peak_rss_mb']} MB")
    out_dir = Path(__file__).parent / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "grouping_hcc.json").write_text(json.dumps(res, indent=1))
    return res


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
