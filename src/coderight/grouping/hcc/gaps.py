"""HCC capture gaps for a member, vectorized over a population.

- **recapture**: an HCC documented in the prior year (after hierarchies) that this year's claims
  have not captured, neither as itself nor as a more severe HCC of its hierarchy;
- **suggested**: an HCC supported by a diagnosis the current note suggests (diagnosis engine
  output) that the claims do not carry (same hierarchy rule).

Each gap carries its value: the change in the member's payment risk score if it were captured
(scored with the same engine, so interactions, hierarchies and count terms are included).

>>> import polars as pl
>>> m = pl.DataFrame({"member_id": ["a"], "age": [70], "sex": ["F"]})
>>> prior = pl.DataFrame({"member_id": ["a", "a"], "dx": ["E1122", "I5022"]})
>>> cur = pl.DataFrame({"member_id": ["a"], "dx": ["E119"]})
>>> g = capture_gaps(HccScorer(2026), m, cur, prior_dx=prior)
>>> g.select("kind", "hcc", "label").rows()
[('recapture', '226', 'Heart Failure, Except End-Stage and Acute'), ('recapture', '37', 'Diabetes with Chronic Complications')]
"""

from __future__ import annotations

import numpy as np
import polars as pl

from coderight.grouping.hcc.score import HccScorer, _Compiled, _demographics, _hierarchies, _raw_scores


def _ancestors(cm: _Compiled) -> dict[int, np.ndarray]:
    """cc index -> indices of the CCs that would drop it (its hierarchy parents)."""
    par: dict[int, list[int]] = {}
    for p, ch in cm.hier:
        for c in ch.tolist():
            par.setdefault(c, []).append(p)
    return {c: np.array(v) for c, v in par.items()}


def _gaps(scorer: HccScorer, model: str, members: pl.DataFrame, cur: np.ndarray, other: np.ndarray, demo, kind: str,
          good: pl.DataFrame) -> pl.DataFrame:
    cm = scorer.models[model]
    anc = _ancestors(cm)
    cand = other & ~cur
    # captured through a more severe HCC of the same hierarchy: not a gap
    for c, ps in anc.items():
        col = cand[:, c]
        if col.any():
            cand[:, c] = col & ~cur[:, ps].any(axis=1)
    r, k = np.nonzero(cand)
    if r.size == 0:
        return pl.DataFrame(schema={"member_id": pl.String, "kind": pl.String, "hcc": pl.String,
                                    "label": pl.String, "raf_delta": pl.Float64})
    # value: score(current + gap) - score(current), one row per (member, gap)
    base_mat = _hierarchies(cm, cur.copy())
    sub = _subset(demo, r)
    with_gap = cur[r].copy()
    with_gap[np.arange(r.size), k] = True
    s_base, _ = _raw_scores(cm, base_mat[r], sub)
    s_gap, _ = _raw_scores(cm, _hierarchies(cm, with_gap), sub)
    w = {b.model: b.weight / scorer.norm[b.model] for b in scorer.py.blend}[model]
    delta = (s_gap - s_base) * w * (1 - scorer.ma_adj)
    ccs = np.array(cm.ccs, dtype=object)
    return pl.DataFrame({
        "member_id": good["member_id"].gather(r),
        "kind": [kind] * r.size,
        "hcc": ccs[k].tolist(),
        "label": [cm.tables.label(c) for c in ccs[k].tolist()],
        "raf_delta": delta,
    })


def _subset(demo, rows: np.ndarray):
    from dataclasses import replace

    return replace(demo, n=rows.size, age=demo.age[rows], female=demo.female[rows], aged=demo.aged[rows],
                   disabled=demo.disabled[rows], seg=demo.seg[rows], cat=demo.cat[rows],
                   ne_combo=demo.ne_combo[rows], ne_esrd_combo=demo.ne_esrd_combo[rows], dem=demo.dem[rows],
                   esrd=demo.esrd[rows])


def capture_gaps(scorer: HccScorer, members: pl.DataFrame, current_dx: pl.DataFrame,
                 prior_dx: pl.DataFrame | None = None, suggested_dx: pl.DataFrame | None = None,
                 model: str | None = None) -> pl.DataFrame:
    """Recapture gaps (prior year vs this year) and suggestion gaps (note vs claims).

    Frames: ``members`` as for scoring; ``current_dx`` / ``prior_dx`` / ``suggested_dx`` with
    ``member_id`` and ``dx``. Scored on the payment year's final model (V28 from 2024 on).
    Returns ``member_id, kind, hcc, label, raf_delta`` sorted by member, kind and value.
    """
    model = model or scorer.py.blend[-1].model
    good, cur, _ = scorer.hcc_sets(members, current_dx, model)
    demo = _demographics(good)
    cur_raw = _raw_cc(scorer, model, good, current_dx, demo)
    out = []
    for frame, kind in ((prior_dx, "recapture"), (suggested_dx, "suggested")):
        if frame is None:
            continue
        _, other, _ = scorer.hcc_sets(members, frame, model)
        out.append(_gaps(scorer, model, members, cur_raw, other, demo, kind, good))
    if not out:
        return _gaps(scorer, model, members, cur_raw, np.zeros_like(cur_raw), demo, "none", good)
    return pl.concat(out).sort(["member_id", "kind", "raf_delta"], descending=[False, False, True])


def _raw_cc(scorer: HccScorer, model: str, good: pl.DataFrame, dx: pl.DataFrame, demo) -> np.ndarray:
    from coderight.grouping.hcc.score import _cc_matrix

    rows, _ = scorer._dx_rows(good, dx)
    return _cc_matrix(scorer.models[model], rows, demo)
