"""Claim readers and writers: JSON, JSONL, CSV; dispatch to X12 837 and FHIR by content.

Every reader yields `Claim` or `Rejected`, one per input claim, so a batch never dies on one bad
claim: a rejected claim carries its position, its id when known and the reason (an 837 reason
names the segment and its position).

CSV: one row per claim line; claim-level columns repeat on each line of a claim (rows of one
claim are grouped by ``claim_id``). Columns (all optional but ``claim_id`` and ``code``)::

    claim_id, kind, patient_id, sex, birth_date, age, payer_type, payer_id, billing_npi,
    rendering_npi, specialty, pos, type_of_bill, from_date, to_date, diagnoses, code, modifiers,
    units, charge, dx_pointers, line_date, revenue_code, discharge_status

``diagnoses`` holds codes separated by spaces or ``;`` (``CODE:POA`` for present on admission);
``modifiers`` and ``dx_pointers`` are space, ``:`` or ``,`` separated.

>>> import io
>>> text = "claim_id,sex,age,pos,diagnoses,code,modifiers,units,line_date\\n" \\
...        "A1,F,40,11,I10 E11.9,99213,25,1,2024-08-01\\nA1,F,40,11,I10 E11.9,11102,,1,2024-08-01\\n"
>>> [c.lines[0].modifiers for c in read_csv(io.StringIO(text))]
[('25',)]
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import orjson

from .model import Claim, ClaimError


@dataclass(slots=True)
class Rejected:
    """A claim that could not be read, with where and why."""
    position: str
    """"record 3", "line 14" (JSONL/CSV) or "segment 57 (CLM)" (837)."""
    reason: str
    claim_id: str | None = None
    source: str = ""

    def to_dict(self) -> dict:
        return {"claim_id": self.claim_id, "source": self.source, "position": self.position,
                "reason": self.reason}


def _claim_or_reject(d, position: str, source: str) -> Claim | Rejected:
    try:
        return Claim.from_dict(d)
    except ClaimError as e:
        return Rejected(position, str(e), e.claim_id or (d.get("id") if isinstance(d, dict) else None), source)


def read_json(data: bytes | str, source: str = "") -> Iterator[Claim | Rejected]:
    """A JSON array of claims, one claim object, or ``{"claims": [...]}``."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        yield Rejected("document", f"not JSON: {e}", None, source)
        return
    if isinstance(doc, dict) and isinstance(doc.get("claims"), list):
        doc = doc["claims"]
    if isinstance(doc, dict):
        if doc.get("resourceType") in ("Claim", "Bundle"):
            from .fhir import read_fhir
            yield from read_fhir(doc, source)
            return
        doc = [doc]
    if not isinstance(doc, list):
        yield Rejected("document", "expected a claim object or an array of claims", None, source)
        return
    for i, d in enumerate(doc, start=1):
        if isinstance(d, dict) and d.get("resourceType") == "Claim":
            from .fhir import read_fhir
            yield from read_fhir(d, source)
            continue
        yield _claim_or_reject(d, f"record {i}", source)


def read_jsonl(lines: Iterable[bytes | str], source: str = "") -> Iterator[Claim | Rejected]:
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            d = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            yield Rejected(f"line {n}", f"not JSON: {e}", None, source)
            continue
        if isinstance(d, dict) and d.get("resourceType") == "Claim":
            from .fhir import read_fhir
            yield from read_fhir(d, source)
            continue
        yield _claim_or_reject(d, f"line {n}", source)


_CLAIM_COLS = {
    "kind": ("kind",), "pos": ("pos",), "type_of_bill": ("type_of_bill",), "from_date": ("from_date",),
    "to_date": ("to_date",), "discharge_status": ("discharge_status",),
}


def _split(s: str) -> list[str]:
    return [x for x in s.replace(";", " ").replace(",", " ").split() if x]


def read_csv(f: IO[str], source: str = "") -> Iterator[Claim | Rejected]:
    """Rows grouped by consecutive-or-not ``claim_id`` (first appearance order)."""
    reader = csv.DictReader(f)
    if not reader.fieldnames or "claim_id" not in [h.strip() for h in reader.fieldnames]:
        yield Rejected("line 1", "CSV needs a header with claim_id and code columns", None, source)
        return
    groups: dict[str, list[tuple[int, dict]]] = {}
    bad: list[Rejected] = []
    for row in reader:
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        cid = row.get("claim_id", "")
        if not cid:
            bad.append(Rejected(f"line {reader.line_num}", "row without claim_id", None, source))
            continue
        groups.setdefault(cid, []).append((reader.line_num, row))
    yield from bad
    for cid, rows in groups.items():
        first = rows[0][1]
        d: dict = {"id": cid}
        for k, cols in _CLAIM_COLS.items():
            for col in cols:
                if first.get(col):
                    d[k] = first[col]
        d["patient"] = {"id": first.get("patient_id", ""), "sex": first.get("sex") or "U",
                        "birth_date": first.get("birth_date") or None, "age": first.get("age") or None}
        d["payer"] = {"type": first.get("payer_type") or "medicare", "id": first.get("payer_id", "")}
        d["billing"] = {"npi": first.get("billing_npi", ""), "specialty": first.get("specialty", "")}
        if first.get("rendering_npi"):
            d["rendering"] = {"npi": first["rendering_npi"], "specialty": first.get("specialty", "")}
        dx = []
        for tok in _split(first.get("diagnoses", "")):
            code, _, poa = tok.partition(":")
            dx.append({"code": code, "poa": poa})
        d["diagnoses"] = dx
        lines = []
        for _n, r in rows:
            ln: dict = {"code": r.get("code", ""), "modifiers": _split(r.get("modifiers", "").replace(":", " ")),
                        "units": r.get("units") or 1, "charge": r.get("charge") or 0,
                        "date": r.get("line_date") or r.get("from_date") or None}
            if r.get("dx_pointers"):
                ln["dx_pointers"] = _split(r["dx_pointers"].replace(":", " "))
            if r.get("revenue_code"):
                ln["revenue_code"] = r["revenue_code"]
            lines.append(ln)
        d["lines"] = lines
        yield _claim_or_reject(d, f"line {rows[0][0]}", source)


def sniff(head: bytes) -> str:
    """'x12', 'json', 'jsonl' or 'csv' from the first bytes of a file."""
    s = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if s.startswith(b"ISA"):
        return "x12"
    if s.startswith(b"["):
        return "json"
    if s.startswith(b"{"):
        first = s.split(b"\n", 1)[0].strip()
        try:
            orjson.loads(first)
            return "jsonl" if b"\n" in s.strip() else "json"
        except orjson.JSONDecodeError:
            return "json"
    return "csv"


def read_path(path: str | Path, fmt: str | None = None) -> Iterator[Claim | Rejected]:
    """Claims from a file: format from `fmt` or sniffed (.json, .jsonl, .csv, 837 X12)."""
    p = Path(path)
    source = p.name
    data = p.read_bytes()
    fmt = fmt or sniff(data[:4096])
    if fmt == "x12":
        from .x12 import read_837
        yield from read_837(data.decode("utf-8", errors="replace"), source)
    elif fmt == "json":
        yield from read_json(data, source)
    elif fmt == "jsonl":
        yield from read_jsonl(data.splitlines(), source)
    elif fmt == "csv":
        yield from read_csv(io.StringIO(data.decode("utf-8-sig")), source)
    else:
        raise ValueError(f"unknown claim format {fmt!r}")


def dumps_json(claims: Iterable[Claim], indent: bool = True) -> bytes:
    return orjson.dumps([c.to_dict() for c in claims], option=orjson.OPT_INDENT_2 if indent else 0)


def write_jsonl(claims: Iterable[Claim], f: IO[bytes]) -> int:
    n = 0
    for c in claims:
        f.write(orjson.dumps(c.to_dict()) + b"\n")
        n += 1
    return n
