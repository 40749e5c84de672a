"""Batch runners: many claims through the DRG grouper, many members through the HCC scorer.

Bad records never stop a run: each goes to the rejects output with the reason. The per-record
functions here are pure (dicts in, dicts/frames out); reading and writing files is in ``cli``.

>>> case, err = case_from_dict({"case_id": "1", "principal_dx": "I50.23", "secondary_dx": ["N17.9"],
...                             "age": 70, "sex": "F", "discharge_date": "2025-11-02"})
>>> err, case.secondary_dx[0].code
(None, 'N179')
>>> case_from_dict({"case_id": "2", "age": 70})[1]
'missing principal_dx'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from coderight.grouping.drg import DrgGrouper
from coderight.grouping.models import Diagnosis, DrgResult, InpatientCase


def case_from_dict(d: dict) -> tuple[InpatientCase | None, str | None]:
    """An :class:`InpatientCase` from one JSON claim, or (None, reason)."""
    try:
        pdx = d.get("principal_dx") or d.get("pdx")
        if not pdx:
            return None, "missing principal_dx"
        sdx = []
        for s in d.get("secondary_dx") or d.get("sdx") or []:
            sdx.append(Diagnosis(s) if isinstance(s, str) else Diagnosis(s["code"], s.get("poa", "Y")))
        dd = d.get("discharge_date")
        return InpatientCase(
            principal_dx=str(pdx), secondary_dx=tuple(sdx),
            procedures=tuple(p if isinstance(p, str) else p["code"] for p in d.get("procedures") or []),
            age=int(d["age"]) if d.get("age") is not None else 65,
            sex=str(d.get("sex") or "U"),
            discharge_status=int(d.get("discharge_status") or 1),
            discharge_date=date.fromisoformat(dd) if dd else date(2025, 10, 1),
            principal_poa=str(d.get("principal_poa") or "Y"),
            admit_dx=d.get("admit_dx"),
            case_id=str(d["case_id"]) if d.get("case_id") is not None else None,
        ), None
    except (ValueError, TypeError, KeyError) as e:
        return None, f"{type(e).__name__}: {e}"


def result_row(r: DrgResult) -> dict:
    """A flat output row for one grouped case."""
    w = r.weight
    return {
        "case_id": r.case_id, "grouper_version": r.grouper_version, "drg": r.drg, "mdc": r.mdc,
        "drg_description": r.drg_description, "severity": r.severity, "return_code": r.return_code,
        "initial_drg": r.initial_drg, "hac_status": r.hac_status,
        "cc_mcc_drivers": ";".join(r.cc_mcc_drivers),
        "excluded_cc_mcc": ";".join(s.code for s in r.secondary if s.excluded),
        "mce_edits": ";".join(f"{e.name}:{e.code_type}" for e in r.mce_edits),
        "weight": w.weight if w else None, "gmlos": w.gmlos if w else None, "amlos": w.amlos if w else None,
    }


def group_records(records: Iterable[tuple[int, dict | str]], grouper: DrgGrouper
                  ) -> Iterator[tuple[str, dict]]:
    """Yield ("ok", row) or ("reject", {line, case_id, reason}) per input record.

    A record is a parsed JSON dict, or the raw text when it failed to parse (rejected).
    """
    for line, rec in records:
        if isinstance(rec, str):
            yield "reject", {"line": line, "case_id": None, "reason": rec}
            continue
        case, err = case_from_dict(rec)
        if case is None:
            yield "reject", {"line": line, "case_id": rec.get("case_id"), "reason": err}
            continue
        try:
            res = grouper.group(case)
        except Exception as e:  # one bad record never stops the batch
            yield "reject", {"line": line, "case_id": case.case_id, "reason": f"{type(e).__name__}: {e}"}
            continue
        row = result_row(res)
        row["line"] = line
        yield "ok", row
