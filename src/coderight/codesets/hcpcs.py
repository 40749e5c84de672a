"""HCPCS Level II: codes, long descriptions, add/termination dates, NOC list.

Sources (mirror):
- ``hcpcs/HCPC*_ANWEB*.xlsx``: the official CMS quarterly file (``HCPC2024_JUL_ANWEB_v3.xlsx``),
  used when present (form "official xlsx");
- else ``hcpcs/hcpcs_level2_*.csv.gz``: a derived CSV of that file (form "derived CSV"; the CMS
  short descriptions were not kept, see SOURCES.md §4);
- ``hcpcs/hcpcs_noc_codes_*.csv`` (optional): the CMS "not otherwise classified" code list.

Dates are the CMS fields: ``add_date`` (first day the code is valid), ``termination_date`` (last
day the code is valid). A code is valid on a date between the two, inclusive.

>>> from coderight.codesets.hcpcs import load, _demo_payload
>>> h = load(_demo_payload())
>>> h.is_valid("J1030", "2024-01-15"), h.is_valid("J1030", "2024-04-01")
(True, False)
>>> h.get("J1030").termination_date
'2024-03-31'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .cache import DatasetInfo
from .errors import ImportFailure, InvalidCode, SourceMissing, UnknownCode
from .readers import csv_rows, read_text
from .sources import Source, SourceResolver, sha256_of

DATASET = "hcpcs"
COMPILER_VERSION = 1

SOURCES = [
    Source(DATASET, "hcpcs/HCPC*_ANWEB*.xlsx",
           "https://www.cms.gov/medicare/coding-billing/healthcare-common-procedure-system/quarterly-update",
           optional=True),
    Source(DATASET, "hcpcs/hcpcs_level2_*.csv.gz",
           "https://www.cms.gov/medicare/coding-billing/healthcare-common-procedure-system/quarterly-update"),
    Source(DATASET, "hcpcs/hcpcs_noc_codes_*.csv",
           "https://www.cms.gov/medicare/coding-billing/healthcare-common-procedure-system/quarterly-update",
           optional=True),
]

FIELDS = ("long_description", "short_description", "add_date", "termination_date", "action_effective_date",
          "action_code", "pricing_indicator", "multiple_pricing_indicator", "coverage_code", "betos",
          "type_of_service", "asc_group", "anesthesia_base_units")
_CODE_RE = re.compile(r"^[A-V]\d{4}$")

_CSV_COLUMNS = ("hcpcs_code", "long_description", "pricing_indicator", "multiple_pricing_indicator",
                "coverage_code", "betos", "type_of_service", "action_code", "asc_group",
                "anesthesia_base_units", "termination_date", "add_date", "action_effective_date")


@dataclass(frozen=True)
class HcpcsCode:
    code: str
    long_description: str | None
    short_description: str | None
    add_date: str | None
    termination_date: str | None
    action_effective_date: str | None
    action_code: str | None
    pricing_indicator: str | None
    multiple_pricing_indicator: str | None
    coverage_code: str | None
    betos: str | None
    type_of_service: str | None
    asc_group: str | None
    anesthesia_base_units: str | None
    noc: bool
    """On the CMS list of "not otherwise classified" codes."""

    def is_valid(self, on: date | str) -> bool:
        d = _iso(on)
        return (self.add_date is None or self.add_date <= d) and \
            (self.termination_date is None or d <= self.termination_date)


def _iso(on: date | datetime | str) -> str:
    if isinstance(on, datetime):
        return on.date().isoformat()
    if isinstance(on, date):
        return on.isoformat()
    try:
        return date.fromisoformat(on).isoformat()
    except (TypeError, ValueError):
        raise ValueError(f"date must be a date or YYYY-MM-DD, got {on!r}") from None


class Hcpcs:
    """HCPCS Level II codes of one quarterly release."""

    def __init__(self, payload: dict):
        self.release: str = payload["release"]
        self._codes: dict[str, tuple] = payload["codes"]
        self._noc: dict[str, tuple] = payload["noc"]

    @staticmethod
    def normalize(code: str) -> str:
        return code.strip().upper()

    def __contains__(self, code: str) -> bool:
        """In the file at all (current or terminated)."""
        return self.normalize(code) in self._codes

    def __len__(self) -> int:
        return len(self._codes)

    def codes(self) -> list[str]:
        return sorted(self._codes)

    def get(self, code: str) -> HcpcsCode:
        c = self.normalize(code)
        if not _CODE_RE.match(c):
            raise InvalidCode(f"{code!r} is not a HCPCS Level II code (a letter A-V and 4 digits)")
        row = self._codes.get(c)
        if row is None:
            raise UnknownCode(code, "HCPCS Level II", sorted(x for x in self._codes if x[:4] == c[:4])[:5])
        return HcpcsCode(c, *row, noc=c in self._noc)

    def description(self, code: str) -> str | None:
        return self.get(code).long_description

    def is_valid(self, code: str, on: date | str) -> bool:
        """The code exists and ``on`` lies between its add date and termination date (inclusive)."""
        c = self.normalize(code)
        row = self._codes.get(c)
        if row is None:
            return False
        d, add, term = _iso(on), row[2], row[3]
        return (add is None or add <= d) and (term is None or d <= term)

    def is_noc(self, code: str) -> bool:
        return self.normalize(code) in self._noc

    def noc_codes(self) -> list[str]:
        return sorted(self._noc)

    def terminated(self, on: date | str) -> list[str]:
        """Codes whose termination date is before ``on``."""
        d = _iso(on)
        return sorted(c for c, r in self._codes.items() if r[3] is not None and r[3] < d)


def load(payload: dict) -> Hcpcs:
    return Hcpcs(payload)


# ----------------------------------------------------------------------------------------------
# Import
# ----------------------------------------------------------------------------------------------

def build(resolver: SourceResolver) -> tuple[DatasetInfo, dict]:
    xlsx_src, csv_src, noc_src = SOURCES
    xlsx = _find_optional(resolver, xlsx_src)
    if xlsx is not None:
        codes = parse_anweb_xlsx(xlsx)
        main, form = xlsx, "official xlsx (ANWEB)"
    else:
        main = resolver.find_one(csv_src)
        codes = parse_level2_csv(main)
        form = "derived CSV of the CMS ANWEB file (short descriptions not kept)"
    files, shas = [str(main)], [sha256_of(main)]
    noc: dict[str, tuple] = {}
    noc_path = _find_optional(resolver, noc_src)
    if noc_path is not None:
        noc = parse_noc_csv(noc_path)
        files.append(str(noc_path))
        shas.append(sha256_of(noc_path))
        form += " + NOC list (derived CSV)"
    release = _release_of(main.name)
    info = DatasetInfo(DATASET, release, form, files, shas, len(codes),
                       notes=f"{sum(1 for r in codes.values() if r[3])} codes carry a termination date; "
                             f"{len(noc)} NOC codes")
    return info, {"release": release, "fields": FIELDS, "codes": codes, "noc": noc}


def _find_optional(resolver: SourceResolver, src: Source) -> Path | None:
    if not resolver.mirror:  # no listing of the CMS pages: only the mirror carries these
        return None
    try:
        return resolver.find_one(src)
    except SourceMissing:
        return None


_MONTHS = {"JAN": "01", "APR": "04", "JUL": "07", "OCT": "10"}


def _release_of(name: str) -> str:
    m = re.search(r"(20\d\d)[-_]?(\d\d|JAN|APR|JUL|OCT)", name, re.I)
    if not m:
        return "unknown quarter"
    month = _MONTHS.get(m.group(2).upper(), m.group(2))
    return f"{m.group(1)}-{month} quarterly update"


def _date(value, file: str, line: int, field: str) -> str | None:
    """CMS dates: YYYYMMDD (ANWEB), YYYY-MM-DD (derived CSV), or an Excel date; empty = None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    s = str(value).strip()
    if s.endswith(".0"):
        s = s[:-2]
    if not s:
        return None
    try:
        if re.fullmatch(r"\d{8}", s):
            return date(int(s[:4]), int(s[4:6]), int(s[6:])).isoformat()
        return date.fromisoformat(s).isoformat()
    except ValueError:
        raise ImportFailure(file, f"{field} {s!r} is not a date", line) from None


def parse_level2_csv(path: Path) -> dict[str, tuple]:
    """The derived CSV (SOURCES.md §4): one row per code, ISO dates."""
    text, name = read_text(path)
    if not text.strip():
        raise ImportFailure(name, "empty file", 1)
    col = {c: i for i, c in enumerate(_CSV_COLUMNS)}
    codes: dict[str, tuple] = {}
    for line, row in csv_rows(text, name, tuple(_CSV_COLUMNS)):

        def g(c: str, row=row) -> str | None:
            return row[col[c]] or None

        code = (g("hcpcs_code") or "").upper()
        if not _CODE_RE.match(code):
            raise ImportFailure(name, f"bad HCPCS code {code!r}", line)
        codes[code] = (g("long_description"), None,
                       _date(g("add_date"), name, line, "add_date"),
                       _date(g("termination_date"), name, line, "termination_date"),
                       _date(g("action_effective_date"), name, line, "action_effective_date"),
                       g("action_code"), g("pricing_indicator"), g("multiple_pricing_indicator"),
                       g("coverage_code"), g("betos"), g("type_of_service"), g("asc_group"),
                       g("anesthesia_base_units"))
    if not codes:
        raise ImportFailure(name, "no codes found")
    return codes


def parse_noc_csv(path: Path) -> dict[str, tuple]:
    name = str(path)
    text, name = read_text(path)
    need = ("hcpcs_code", "long_description", "add_date", "term_date")
    out: dict[str, tuple] = {}
    for line, (code, desc, add, term) in csv_rows(text, name, need):
        if not _CODE_RE.match(code):
            raise ImportFailure(name, f"bad HCPCS code {code!r}", line)
        out[code] = (desc or None, _date(add, name, line, "add_date"), _date(term, name, line, "term_date"))
    return out


# Official ANWEB column names (the xlsx header row); continuation rows (RECID 4) extend the
# long description of the code above. RECID 7/8 are modifier records (not codes).
_ANWEB = {"code": "HCPC", "recid": "RECID", "long": "LONG DESCRIPTION", "short": "SHORT DESCRIPTION",
          "price": "PRICE1", "mult": "MULT_PI", "cov": "COV", "asc": "ASC_GRP", "betos": "BETOS",
          "tos": "TOS1", "anes": "ANEST_BU", "add": "ADD DT", "act": "ACT EFF DT", "term": "TERM DT",
          "action": "ACTION CD"}


def parse_anweb_xlsx(path: Path) -> dict[str, tuple]:
    """The official CMS HCPCS quarterly file, xlsx form (``HCPC2024_JUL_ANWEB_v3.xlsx``)."""
    import openpyxl

    name = str(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a damaged workbook
        raise ImportFailure(name, f"not a readable xlsx workbook: {e}") from e
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    col: dict[str, int] = {}
    line = 0
    for line, row in enumerate(rows, 1):  # the header row may follow title rows
        cells = [str(v).strip().upper() if v is not None else "" for v in row]
        if "HCPC" in cells and "RECID" in cells:
            col = {k: cells.index(v) for k, v in _ANWEB.items() if v in cells}
            break
        if line > 20:
            break
    need = ("code", "recid", "long", "add", "term")
    if not col or any(k not in col for k in need):
        wb.close()
        raise ImportFailure(name, f"no ANWEB header row with columns {[_ANWEB[k] for k in need]}", line or 1)

    def g(row, k):
        i = col.get(k)
        v = row[i] if i is not None and i < len(row) else None
        if v is None:
            return None
        s = str(v).strip()
        if s.endswith(".0") and isinstance(v, float):
            s = s[:-2]
        return s or None

    codes: dict[str, list] = {}
    header_line = line
    for line, row in enumerate(rows, header_line + 1):
        if not row or all(v is None for v in row):
            continue
        code, recid = (g(row, "code") or "").upper(), g(row, "recid")
        if recid in ("7", "8"):
            continue
        if recid not in ("3", "4") or not _CODE_RE.match(code):
            wb.close()
            raise ImportFailure(name, f"bad record: HCPC {code!r}, RECID {recid!r}", line)
        if recid == "4" or code in codes:
            if code not in codes:
                wb.close()
                raise ImportFailure(name, f"continuation record of {code} before its first record", line)
            extra = g(row, "long")
            if extra:
                codes[code][0] = f"{codes[code][0] or ''} {extra}".strip()
            continue
        codes[code] = [g(row, "long"), g(row, "short"), _date(row[col["add"]], name, line, "ADD DT"),
                       _date(row[col["term"]], name, line, "TERM DT"),
                       _date(row[col["act"]], name, line, "ACT EFF DT") if "act" in col else None,
                       g(row, "action"), g(row, "price"), g(row, "mult"), g(row, "cov"), g(row, "betos"),
                       g(row, "tos"), g(row, "asc"), g(row, "anes")]
    wb.close()
    if not codes:
        raise ImportFailure(name, "no code records found")
    return {k: tuple(v) for k, v in codes.items()}


def _demo_payload() -> dict:
    row = ("Injection, methylprednisolone acetate, 40 mg", None, "1982-01-01", "2024-03-31", "2024-04-01",
           "D", "51", "A", "D", "O1E", "1", None, "0")
    return {"release": "demo", "fields": FIELDS, "codes": {"J1030": row}, "noc": {}}
