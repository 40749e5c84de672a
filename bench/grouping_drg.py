"""MS-DRG: agreement of msdrg (our engine) with drgpy on generated cases, and speed on one core.

Usage: .venv/bin/python bench/grouping_drg.py [N]   (default 5000). Writes bench/results/grouping_drg.json.
"""

from __future__ import annotations

import collections
import json
import resource
import sys
import time
from pathlib import Path

from coderight.grouping.crosscheck import drgpy_drg
from coderight.grouping.drg import DrgGrouper
from coderight.grouping.synth import inpatient_cases


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(n: int = 5000) -> dict:
    cases = inpatient_cases(n, seed=2026)
    g = DrgGrouper(run_mce=False)
    g.group(cases[0])  # load the definitions
    t = time.perf_counter()
    ours = [g.group(c) for c in cases]
    t_ours = time.perf_counter() - t
    gm = DrgGrouper(run_mce=True)
    t = time.perf_counter()
    for c in cases:
        gm.group(c)
    t_mce = time.perf_counter() - t
    drgpy_drg(cases[0])
    t = time.perf_counter()
    ref = [drgpy_drg(c) for c in cases]
    t_ref = time.perf_counter() - t
    agree = sum(1 for a, b in zip(ours, ref, strict=True) if a.drg == b)
    pairs = collections.Counter((a.drg, b) for a, b in zip(ours, ref, strict=True) if a.drg != b)
    by_mdc = collections.Counter(a.mdc for a in ours)
    dis = [
        {"case_id": c.case_id, "msdrg": a.drg, "drgpy": b, "mdc": a.mdc, "pdx": c.principal_dx,
         "sdx": [d.code for d in c.secondary_dx], "px": list(c.procedures), "status": c.discharge_status}
        for c, a, b in zip(cases, ours, ref, strict=True) if a.drg != b
    ]
    res = {
        "cases": n,
        "agreement": round(agree / n, 4),
        "disagreements": n - agree,
        "mdcs_covered": sorted(m for m in by_mdc if m is not None),
        "msdrg_cases_per_s": round(n / t_ours),
        "msdrg_with_mce_cases_per_s": round(n / t_mce),
        "drgpy_cases_per_s": round(n / t_ref),
        "top_disagreement_pairs": [[a, b, k] for (a, b), k in pairs.most_common(25)],
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "grouping_drg.json").write_text(json.dumps(res, indent=1))
    (out / "grouping_drg_disagreements.json").write_text(json.dumps(dis, indent=0))
    print(f"cases {n}: agreement msdrg vs drgpy {res['agreement']:.2%} ({res['disagreements']} differ), "
          f"MDCs {len(res['mdcs_covered'])}")
    print(f"msdrg {res['msdrg_cases_per_s']} cases/s (with MCE {res['msdrg_with_mce_cases_per_s']}), "
          f"drgpy {res['drgpy_cases_per_s']} cases/s, peak RSS {res['peak_rss_mb']} MB")
    return res


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
