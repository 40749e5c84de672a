"""Evaluation of diagnosis coding against a gold set: micro precision / recall / F1 over code
sets, MAP over each note's ranked list (CodiEsp's official measure, as trectools computes it),
a per-family breakdown (ICD-10-CM chapter letter), and the error list (false positives with the
evidence that produced them; misses).

Gold formats read: the CodiEsp ``devD.tsv`` (``doc_id<TAB>code``, no header), the ACI-Bench
Amazon gold TSV (header ``encounter_id aci_split icd10cm_code description``), or JSON lines
``{"id": …, "codes": [...]}``. Predictions: the JSON lines `coderight suggest` writes.

>>> gold = {"a": {"E11.22", "N18.31"}, "b": {"I10"}}
>>> pred = {"a": ["E11.22", "I10"], "b": ["I10"]}
>>> m = score(gold, pred)
>>> (m["precision"], m["recall"], round(m["f1"], 3), m["map"])
(0.6667, 0.6667, 0.667, 0.75)
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path


def norm_code(code: str) -> str:
    c = code.strip().upper().replace(" ", "")
    if len(c) > 3 and "." not in c:
        c = c[:3] + "." + c[3:]
    return c


def load_gold(path: str | Path) -> dict[str, set[str]]:
    p = Path(path)
    gold: dict[str, set[str]] = defaultdict(set)
    text = p.read_text(encoding="utf-8")
    if p.suffix == ".jsonl":
        for line in text.splitlines():
            if line.strip():
                o = json.loads(line)
                gold[str(o["id"])].update(norm_code(c) for c in o.get("codes", []))
        return dict(gold)
    rows = list(csv.reader(text.splitlines(), delimiter="\t"))
    if rows and rows[0] and rows[0][0] == "encounter_id":
        head = rows[0]
        ci = head.index("icd10cm_code")
        for r in rows[1:]:
            if len(r) > ci and r[ci].strip():
                gold[r[0]].add(norm_code(r[ci]))
        return dict(gold)
    for r in rows:
        if len(r) >= 2 and r[1].strip():
            gold[r[0]].add(norm_code(r[1]))
    return dict(gold)


def load_predictions(path: str | Path) -> tuple[dict[str, list[str]], dict[str, dict]]:
    """(id → ranked codes, id → record) from a predictions JSON-lines file."""
    ranked: dict[str, list[str]] = {}
    recs: dict[str, dict] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        o = json.loads(line)
        i = str(o.get("id"))
        ranked[i] = [norm_code(d["code"]) for d in o.get("diagnoses", [])]
        recs[i] = o
    return ranked, recs


def _ap(ranked: list[str], gold: set[str]) -> float:
    if not gold:
        return 0.0
    hits, total, seen = 0, 0.0, set()
    for k, c in enumerate(ranked, 1):
        if c in gold and c not in seen:
            hits += 1
            total += hits / k
        seen.add(c)
    return total / len(gold)


def _cat(c: str) -> str:
    return c[:3]


def score(gold: dict[str, set[str]], pred: dict[str, list[str]], level: str = "code") -> dict:
    """Micro P/R/F1 and MAP over the gold documents. level='category' compares 3-character
    categories (a secondary view for gold sets that label categories)."""
    tp = fp = fn = 0
    aps = []
    fam: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for doc, g in gold.items():
        r = pred.get(doc, [])
        if level == "category":
            g = {_cat(c) for c in g}
            seen: list[str] = []
            for c in r:
                if _cat(c) not in seen:
                    seen.append(_cat(c))
            r = seen
        ps = set(r)
        tp += len(ps & g)
        fp += len(ps - g)
        fn += len(g - ps)
        for c in ps & g:
            fam[c[0]][0] += 1
        for c in ps - g:
            fam[c[0]][1] += 1
        for c in g - ps:
            fam[c[0]][2] += 1
        aps.append(_ap(r, g))
    p = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
    families = {}
    for k in sorted(fam):
        a, b, c = fam[k]
        fp_ = a / (a + b) if a + b else 0.0
        fr_ = a / (a + c) if a + c else 0.0
        families[k] = {"tp": a, "fp": b, "fn": c, "precision": round(fp_, 4), "recall": round(fr_, 4),
                       "f1": round(2 * fp_ * fr_ / (fp_ + fr_), 4) if fp_ + fr_ else 0.0}
    return {"documents": len(gold), "tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4),
            "recall": round(rc, 4), "f1": round(f1, 4), "map": round(sum(aps) / len(aps), 4) if aps else 0.0,
            "families": families, "level": level}


def errors(gold: dict[str, set[str]], pred: dict[str, list[str]], recs: dict[str, dict]) -> list[dict]:
    """False positives (with the evidence that produced them) and misses, per document."""
    out = []
    for doc, g in sorted(gold.items()):
        r = pred.get(doc, [])
        rec = recs.get(doc, {})
        by_code = {norm_code(d["code"]): d for d in rec.get("diagnoses", [])}
        for c in r:
            if c not in g:
                d = by_code.get(c, {})
                out.append({"id": doc, "kind": "false_positive", "code": c, "title": d.get("title", ""),
                            "evidence": [e.get("text") for e in d.get("evidence", [])][:3]})
        for c in sorted(g - set(r)):
            out.append({"id": doc, "kind": "miss", "code": c})
    return out
