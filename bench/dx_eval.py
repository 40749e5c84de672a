"""Diagnosis coding on the development gold sets: ACI-Bench (67 labelled outpatient visits,
expert ICD-10-CM) and CodiEsp dev (250 case reports, English translation, CIE-10-ES labels).

Prints micro P/R/F1 and MAP per set and writes bench/results/dx_eval.json (+ predictions and
error lists next to it, not committed).

CodiEsp annotates every diagnosis *mentioned* in a case report, negated or uncertain ones
included ("No history of nephrolithiasis" is labelled N20.0), so two views are reported:
- ``coding``: what `code_encounter` reports (inpatient rules);
- ``mentions``: the coded diagnoses followed by the mentions set aside (negated, uncertain, …),
  i.e. the CodiEsp task definition.
Published bests: ACI-Bench exact-match F1 0.576; CodiEsp-D MAP 0.662, micro-F1 0.687.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dx_common  # noqa: E402

from coderight.coding.encounter import Coder  # noqa: E402
from coderight.coding.evaluate import errors, load_gold, norm_code, score  # noqa: E402

OUT = Path(__file__).resolve().parent / "results"
DETAILS = Path(os.environ.get("DX_EVAL_DETAILS", tempfile.gettempdir())) / "coderight-dx-eval"
"""Predictions and error lists (gold-derived: never committed)."""


def run(coder, notes, setting, with_aside=False, conv=None):
    pred, recs = {}, {}
    for nid, text in notes:
        r = coder.code(text, setting=setting, id=nid)
        rec = r.to_record()
        codes = [norm_code(d["code"]) for d in rec["diagnoses"]]
        if with_aside:
            for s in r.set_aside:
                c = norm_code(s.code)
                if c not in codes and coder.tab.is_billable(c):
                    codes.append(c)
        if conv is not None:
            seen: list[str] = []
            for c in codes:
                c = norm_code(conv(c))
                if c not in seen:
                    seen.append(c)
            codes = seen
        pred[nid] = codes
        recs[nid] = rec
    return pred, recs


def main() -> int:
    cb = dx_common.codebook()
    coder = Coder(cb)
    results = {"data_versions": cb.versions()}
    conv = dx_common.release_crosswalk(cb)  # CodiEsp gold is CIE-10-ES 2018 (≈ ICD-10-CM FY2017)
    sets = [
        ("aci_bench", dx_common.aci_notes(), dx_common.aci_gold_path(), "outpatient", False, None),
        ("codiesp_dev_en", dx_common.codiesp_notes(), dx_common.codiesp_gold_path(), "inpatient", False, conv),
        ("codiesp_dev_en_mentions", dx_common.codiesp_notes(), dx_common.codiesp_gold_path(), "inpatient", True, conv),
    ]
    OUT.mkdir(exist_ok=True)
    for name, notes, gold_path, setting, aside, cw in sets:
        gold = load_gold(gold_path)
        t = time.perf_counter()
        pred, recs = run(coder, notes, setting, aside, cw)
        dt = time.perf_counter() - t
        pred = {k: v for k, v in pred.items() if k in gold}
        m = score(gold, pred)
        mc = score(gold, pred, level="category")
        results[name] = {"release_crosswalk": dx_common.CODIESP_RELEASE_DAY if cw else None, "code": m, "category": {k: mc[k] for k in ("precision", "recall", "f1", "map")},
                         "notes": len(notes), "seconds": round(dt, 2), "setting": setting}
        print(f"{name:<26} n={m['documents']:<4} P {m['precision']:.3f} R {m['recall']:.3f} "
              f"F1 {m['f1']:.3f} MAP {m['map']:.3f} | category F1 {mc['f1']:.3f} MAP {mc['map']:.3f} "
              f"| {len(notes) / dt:.0f} notes/s")
        DETAILS.mkdir(parents=True, exist_ok=True)
        with open(DETAILS / f"{name}.errors.json", "w") as f:
            json.dump(errors(gold, pred, recs), f, indent=1)
        with open(DETAILS / f"{name}.predictions.jsonl", "w") as f:
            for nid in pred:
                f.write(json.dumps(recs[nid]) + "\n")
    results["published_best"] = {"aci_bench_f1": 0.576, "codiesp_d_map": 0.662, "codiesp_d_f1": 0.687}
    with open(OUT / "dx_eval.json", "w") as f:
        json.dump(results, f, indent=1)
    print(f"errors and predictions: {DETAILS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
