"""Documentation queries: where the classification has a more specific code than the note
supports, ask the provider — with the evidence, the codes at stake, and non-leading wording
(AHIMA/ACDIS "Guidelines for Achieving a Compliant Query Practice", 2022 update): an open
question or multiple choice that includes "other" and "clinically undetermined", no mention of
payment or impact, no single answer suggested.

>>> q = axis_query("heart failure", "acuity", ["acute", "acute on chronic", "chronic"], "I50.9", [])
>>> q.question
'The record documents "heart failure". Based on your clinical judgment, can the acuity be further specified?'
>>> q.options[-2:]
['Other (please specify)', 'Clinically undetermined']
"""

from __future__ import annotations

from .models import Evidence, Query

AXIS_NAMES = {
    "acuity": "acuity", "type": "type", "laterality": "laterality (side)", "stage": "stage",
    "severity": "severity", "persistence": "pattern (intermittent or persistent)",
    "trimester": "trimester", "exacerbation": "status (exacerbation)", "intractable": "intractability",
    "displacement": "displacement",
}
QUERY_AXES = ("acuity", "type", "laterality", "stage", "severity", "persistence", "trimester")
FORBIDDEN = ("payment", "reimburse", "DRG", "revenue", "money", "severity of illness score")


def axis_query(term: str, axis: str, values: list[str], code: str, evidence: list[Evidence],
               at_stake: list[str] | None = None) -> Query:
    name = AXIS_NAMES.get(axis, axis)
    opts = [v.capitalize() if axis != "stage" else f"Stage {v}" for v in values]
    opts += ["Other (please specify)", "Clinically undetermined"]
    q = Query(kind=axis,
              question=f'The record documents "{term}". Based on your clinical judgment, can the {name} be further specified?',
              options=opts, codes_at_stake=at_stake or [], current_code=code, evidence=evidence)
    assert not any(w.lower() in q.question.lower() for w in FORBIDDEN)
    return q


def build_queries(doc, cands, tab) -> list[Query]:
    out: list[Query] = []
    for c in cands:
        if c.status in ("family", "historical") or c.code.startswith("Z") or not c.mentions:
            continue
        m = c.mentions[0]
        ev = [Evidence(start=m.start, end=m.end, text=doc.text[m.start:m.end], section=m.section)]
        for axis in QUERY_AXES:
            vals = c.open_axes.get(axis)
            if not vals or len(vals) < 1:
                continue
            if axis == "stage":
                vals = [v for v in vals if v[:1].isdigit() or c.code.startswith("N18")]
                if not vals:
                    continue
            if axis == "laterality":
                vals = [v for v in vals if v in ("right", "left", "bilateral")]
                if not vals:
                    continue
            stake = _codes_at_stake(tab, c.code, axis, vals)
            out.append(axis_query(m.text, axis, vals, c.code, ev, stake))
    return out


def _codes_at_stake(tab, code: str, axis: str, vals: list[str]) -> list[str]:
    from ..nlp.attributes import dims
    from ..nlp.text import norm_words

    cat = code[:3]
    out = []
    for k in tab.descendants(cat, billable_only=True)[:400]:
        d = dims(norm_words(tab.get(k).title))
        if d.get(axis) in vals and k != code:
            out.append(k)
        if len(out) >= 8:
            break
    return out
