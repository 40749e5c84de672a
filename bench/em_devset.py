"""E/M and procedure accuracy on the hand-written development set (tests/em/devset/devset.jsonl).

Reports E/M level accuracy (exact code, including "no separately billable E/M"), basis accuracy,
E/M modifier accuracy, prolonged-service accuracy, procedure code precision/recall (code +
units), modifier accuracy on matched lines, and per-case misses. Writes bench/results/em_devset.json.

Two runs: the E/M leveler alone (problems addressed from the assessment/plan words) and the
integrated path (`code_encounter(..., with_em=True)` semantics: the diagnosis engine's coded
diagnoses are the problems addressed). The dev set was used to write the rules: its accuracy is a
development figure, not a held-out estimate.

Run: CODERIGHT_DATA_MIRROR=../shared/data .venv/bin/python bench/em_devset.py
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def codebook():
    from coderight.codesets.codebook import Codebook, sync
    from coderight.settings import Settings

    s = Settings.from_env()
    cb = Codebook(s.cache_dir)
    need = [d for d in ("pfs", "hcpcs", "ncci") if not cb.is_current(d)]
    if need and s.data_mirror:
        sync(s.cache_dir, s.data_mirror, only=need)
    return cb


def run(cases, cb, coder=None):
    from coderight.coding.em_suggest import SETTING_OF, suggest_em_and_procedures

    rows = []
    t0 = time.perf_counter()
    for c in cases:
        coding = None
        if coder is not None:
            dx_setting = "inpatient" if SETTING_OF.get(c["setting"], c["setting"]) == "hospital" else "outpatient"
            coding = coder.code(c["note"], setting=dx_setting, id=c["id"])
        r = suggest_em_and_procedures(c["note"], c["setting"], c.get("billed"), c.get("payer", "medicare"), cb,
                                      coding=coding)
        em = r.em
        code = em.code if em.separately_billable else None
        rows.append({"id": c["id"], "expected": c["expected"],
                     "got": {"em": code, "basis": em.basis, "em_modifiers": em.modifiers,
                             "prolonged": [{"code": p["code"], "units": p["units"]} for p in em.prolonged],
                             "procedures": [{"code": p.code, "modifiers": p.modifiers, "units": p.units}
                                            for p in r.procedures]},
                     "billed": em.billed,
                     "coded_dx": coding.codes() if coding is not None else None})
    return rows, time.perf_counter() - t0


def score(rows):
    n = len(rows)
    em_ok = sum(r["got"]["em"] == r["expected"]["em"] for r in rows)
    with_em = [r for r in rows if r["expected"]["em"]]
    basis_ok = sum(r["got"]["basis"] == r["expected"]["basis"] for r in with_em if r["got"]["em"] == r["expected"]["em"])
    mod_ok = sum(sorted(r["got"]["em_modifiers"]) == sorted(r["expected"]["em_modifiers"]) for r in with_em)
    prol_ok = sum(r["got"]["prolonged"] == r["expected"].get("prolonged", []) for r in rows)
    tp = fp = fn = 0
    mods_match = mods_total = 0
    for r in rows:
        exp = {(p["code"], p["units"]): p for p in r["expected"]["procedures"]}
        got = {(p["code"], p["units"]): p for p in r["got"]["procedures"]}
        exp_c = {p["code"] for p in r["expected"]["procedures"]}
        got_c = {p["code"] for p in r["got"]["procedures"]}
        tp += len(exp_c & got_c)
        fp += len(got_c - exp_c)
        fn += len(exp_c - got_c)
        for k, e in exp.items():
            g = got.get(k)
            if g is not None:
                mods_total += 1
                mods_match += sorted(g["modifiers"]) == sorted(e["modifiers"])
        r["misses"] = {"em": r["got"]["em"] != r["expected"]["em"], "missing": sorted(exp_c - got_c),
                       "extra": sorted(got_c - exp_c),
                       "units_or_mods": sorted(k[0] for k, e in exp.items()
                                               if k[0] in got_c and (k not in got or sorted(got[k]["modifiers"])
                                                                     != sorted(e["modifiers"])))}
    p = tp / (tp + fp) if tp + fp else 1.0
    rc = tp / (tp + fn) if tp + fn else 1.0
    return {"cases": n, "em_level_accuracy": round(em_ok / n, 3), "em_correct": em_ok,
            "basis_accuracy_on_correct_levels": round(basis_ok / max(1, sum(
                r["got"]["em"] == r["expected"]["em"] for r in with_em)), 3),
            "em_modifier_accuracy": round(mod_ok / max(1, len(with_em)), 3),
            "prolonged_accuracy": round(prol_ok / n, 3),
            "procedure_code_precision": round(p, 3), "procedure_code_recall": round(rc, 3),
            "procedure_tp_fp_fn": [tp, fp, fn],
            "procedure_units_and_modifier_accuracy": round(mods_match / max(1, mods_total), 3),
            "by_setting": {s: round(sum(r["got"]["em"] == r["expected"]["em"] for r in rows if r["id"].startswith(s))
                                    / max(1, sum(r["id"].startswith(s) for r in rows)), 3)
                           for s in ("off", "hosp", "ed", "gi")}}


def main() -> int:
    cases = [json.loads(x) for x in (ROOT / "tests/em/devset/devset.jsonl").read_text().splitlines() if x.strip()]
    cb = codebook()
    rows, secs = run(cases, cb)
    summary = score(rows)
    summary["seconds"] = round(secs, 3)
    summary["notes_per_second"] = round(len(cases) / secs, 1) if secs else None
    _print("E/M leveler alone (assessment/plan words)", summary, rows)
    from coderight.coding.encounter import Coder

    coder = Coder(cb)
    rows_dx, secs_dx = run(cases, cb, coder)
    summary_dx = score(rows_dx)
    summary_dx["seconds"] = round(secs_dx, 3)
    summary_dx["notes_per_second"] = round(len(cases) / secs_dx, 1) if secs_dx else None
    _print("integrated (problems from the diagnosis engine's coded diagnoses)", summary_dx, rows_dx)
    out = ROOT / "bench/results/em_devset.json"
    out.write_text(json.dumps({"summary": summary, "cases": rows,
                               "with_coded_diagnoses": {"summary": summary_dx, "cases": rows_dx}},
                              indent=1, default=str))
    return 0


def _print(title, summary, rows) -> None:
    print(title)
    for k, v in summary.items():
        print(f"  {k:45s} {v}")
    for r in rows:
        m = r["misses"]
        if m["em"] or m["missing"] or m["extra"] or m["units_or_mods"]:
            print(f"    {r['id']}: em exp {r['expected']['em']} got {r['got']['em']}; missing {m['missing']} extra "
                  f"{m['extra']} units/mods {m['units_or_mods']}"
                  + (f"; coded dx {r['coded_dx']}" if r.get("coded_dx") is not None else ""))


if __name__ == "__main__":
    os.environ.setdefault("CODERIGHT_DATA_MIRROR", str(ROOT.parent / "shared" / "data"))
    sys.exit(main())
