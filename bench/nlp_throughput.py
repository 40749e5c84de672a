"""Throughput of the diagnosis pipeline on one core: MTSamples dev (499 notes), NLP alone and
NLP + coding, with peak memory. Writes bench/results/nlp_throughput.json.

Target: >= 200 notes/s for the full coding call (medspaCy's ConText pipeline: ~143 notes/s here).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dx_common  # noqa: E402

from coderight.coding.encounter import Coder  # noqa: E402


def main() -> int:
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass
    cb = dx_common.codebook()
    t0 = time.perf_counter()
    coder = Coder(cb)
    load_s = time.perf_counter() - t0
    notes = [(i, t) for i, t in dx_common.mtsamples() if t.strip()]
    chars = sum(len(t) for _, t in notes)
    for i, t in notes[:20]:  # warm caches
        coder.code(t, id=i)
    best_nlp = best_all = float("inf")
    n_mentions = n_codes = 0
    for _ in range(3):
        t = time.perf_counter()
        for _i, text in notes:
            coder.pipeline(text)
        best_nlp = min(best_nlp, time.perf_counter() - t)
        t = time.perf_counter()
        n_codes = 0
        for i, text in notes:
            n_codes += len(coder.code(text, id=i).diagnoses)
        best_all = min(best_all, time.perf_counter() - t)
    n_mentions = sum(len(coder.pipeline(t).mentions) for _, t in notes)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res = {
        "notes": len(notes), "characters": chars, "load_seconds": round(load_s, 2),
        "nlp_notes_per_s": round(len(notes) / best_nlp, 1),
        "coding_notes_per_s": round(len(notes) / best_all, 1),
        "mentions": n_mentions, "codes": n_codes, "peak_rss_mb": round(peak_mb, 1),
        "lexicon_terms": len(coder.pipeline.lexicon),
    }
    print(f"MTSamples {len(notes)} notes ({chars / len(notes):.0f} chars avg), one core")
    print(f"  load (lexicon + tabular + index): {load_s:.2f}s")
    print(f"  NLP only:     {res['nlp_notes_per_s']:.0f} notes/s")
    print(f"  NLP + coding: {res['coding_notes_per_s']:.0f} notes/s  ({n_codes} codes, {n_mentions} mentions)")
    print(f"  peak RSS: {peak_mb:.0f} MB")
    out = Path(__file__).resolve().parent / "results" / "nlp_throughput.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
