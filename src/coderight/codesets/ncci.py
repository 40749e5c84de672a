"""NCCI procedure-to-procedure (PTP) edits and add-on code (AOC) edits, by quarterly release.

Sources (see SOURCES.md §2, §3b):

- the CMS quarterly PTP files, practitioner (``ccipra-v302r0-f1..f4``) and outpatient hospital
  (``ccioph-v…``), as tab-delimited text or xlsx: column 1, column 2, "* = in existence prior to
  1996", effective date, deletion date ("*" = none), modifier indicator, PTP edit rationale;
- where only those are missing, the derived CSV of the 2024-07-01 files
  (``ncci_ptp_{practitioner,outpatient_hospital}_2024-07-01.csv.gz``). **Loss:** that CSV kept the
  deletion date but not the effective date, so each of its edits is treated as effective for the
  whole release period (``Release.effective_known`` is False);
- the AOC file ``ncci_aoc_practitioner_*.csv`` (primary, add-on, edit type 1/2/3; ``CCCCC`` =
  primaries determined by the contractor). Its effective/deletion dates were not kept either.

A release covers one calendar quarter (v30.2 = 2024 Q3 = 2024-07-01..2024-09-30). A date of
service no loaded release covers has no answer: `PtpEdits.edits_for` raises `ReleaseNotLoaded`
("edits not loaded for this date"), so a claim edit can never pass silently; use
`PtpEdits.release_for` to ask first.

Encoding (compact and fast to load): a 5-character HCPCS/CPT code is a base-36 integer
(< 36**5 < 2**26); a pair is ``column1 << 26 | column2`` (int64). Per setting and release the
payload holds the pair keys sorted, with parallel arrays: modifier indicator (int8), effective
and deletion dates (int32 days since 1970-01-01; no deletion = INT32 max), rationale (int8 id into
a list of strings). A claim's candidate pairs are looked up with one ``np.searchsorted``.

>>> encode_code("0001A"), decode_code(encode_code("0001A"))
(46, '0001A')
>>> quarter_of(date(2024, 8, 15))
(2024, 3)
>>> release_label("PTP", 2024, 3)
'NCCI PTP 2024 Q3 (v30.2, eff. 2024-07-01)'
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from .cache import DatasetInfo
from .errors import CodesetError, ImportFailure, SourceMissing
from .sources import Source, SourceResolver, sha256_of

DATASET = "ncci"
COMPILER_VERSION = 1

SETTINGS = ("practitioner", "outpatient_hospital")
_OFFICIAL_PREFIX = {"practitioner": "ccipra", "outpatient_hospital": "ccioph"}
_NCCI_URL = "https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits"

SOURCES: list[Source] = [
    Source(DATASET, "ncci-ptp/ccipra-v*.txt", _NCCI_URL, optional=True),
    Source(DATASET, "ncci-ptp/ccipra-v*.xlsx", _NCCI_URL, optional=True),
    Source(DATASET, "ncci-ptp/ccioph-v*.txt", _NCCI_URL, optional=True),
    Source(DATASET, "ncci-ptp/ccioph-v*.xlsx", _NCCI_URL, optional=True),
    Source(DATASET, "ncci-ptp/ncci_ptp_practitioner_*.csv.gz", _NCCI_URL, optional=True),
    Source(DATASET, "ncci-ptp/ncci_ptp_outpatient_hospital_*.csv.gz", _NCCI_URL, optional=True),
    Source(DATASET, "ncci-aoc/ncci_aoc_practitioner_*.csv", _NCCI_URL),
]

EPOCH = date(1970, 1, 1)
NO_DELETION = np.iinfo(np.int32).max
_SHIFT = 26
_B36 = np.full(256, -1, dtype=np.int64)
for _i, _c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
    _B36[ord(_c)] = _i
    _B36[ord(_c.lower())] = _i
_POW = 36 ** np.arange(4, -1, -1, dtype=np.int64)


class ReleaseNotLoaded(CodesetError):
    """No loaded release covers the date of service: the edits are unknown, not passed."""

    def __init__(self, what: str, day: date, loaded: list[str]):
        self.what, self.day, self.loaded = what, day, loaded
        super().__init__(f"{what} edits not loaded for this date ({day.isoformat()}); "
                         f"loaded: {', '.join(loaded) or 'none'}")


# ---------------------------------------------------------------------------------------------
# codes, dates, releases


def encode_code(code: str) -> int:
    """A 5-character HCPCS/CPT code as an int < 2**26 (base 36). Raises ValueError otherwise."""
    if len(code) != 5 or not code.isalnum() or not code.isascii():
        raise ValueError(f"not a 5-character HCPCS/CPT code: {code!r}")
    return int(code, 36)


def decode_code(n: int) -> str:
    digits = []
    for _ in range(5):
        n, r = divmod(int(n), 36)
        digits.append("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[r])
    return "".join(reversed(digits))


def encode_codes(codes: np.ndarray) -> np.ndarray:
    """Vectorised `encode_code` over an ``S5`` array; -1 where a code is malformed."""
    b = np.frombuffer(np.ascontiguousarray(codes, dtype="S5").tobytes(), dtype=np.uint8).reshape(-1, 5)
    digits = _B36[b]
    out = digits @ _POW
    out[(digits < 0).any(axis=1)] = -1
    return out


def day_number(d: date) -> int:
    return (d - EPOCH).days


def from_day_number(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


def quarter_of(d: date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def quarter_range(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * (q - 1) + 1, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, end - timedelta(days=1)


def ncci_version(year: int, q: int) -> str:
    """CMS numbers the quarterly NCCI releases v(year-1994).(quarter-1): 2024 Q3 = v30.2."""
    return f"{year - 1994}.{q - 1}"


def release_label(kind: str, year: int, q: int) -> str:
    return f"NCCI {kind} {year} Q{q} (v{ncci_version(year, q)}, eff. {quarter_range(year, q)[0].isoformat()})"


@dataclass(frozen=True)
class Release:
    label: str
    start: date
    end: date
    """Inclusive range of dates of service the release covers (one calendar quarter)."""
    effective_known: bool
    """False for the derived CSV: effective dates were lost, edits count as effective all quarter."""

    def covers(self, d: date) -> bool:
        return self.start <= d <= self.end


_DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")
_VERSION_IN_NAME = re.compile(r"-v(\d{2})(\d)r\d+", re.IGNORECASE)


def quarter_from_filename(name: str) -> tuple[int, int]:
    """(year, quarter) from a derived name (``…_2024-07-01.csv.gz``) or a CMS name (``ccipra-v302r0-f1``).

    >>> quarter_from_filename("ccipra-v302r0-f1.txt"), quarter_from_filename("ncci_aoc_practitioner_2024-07.csv")
    ((2024, 3), (2024, 3))
    """
    m = _VERSION_IN_NAME.search(name)
    if m:
        return 1994 + int(m.group(1)), int(m.group(2)) + 1
    m = _DATE_IN_NAME.search(name)
    if m:
        return quarter_of(date(int(m.group(1)), int(m.group(2)), 1))
    raise ImportFailure(name, "cannot tell the NCCI release (quarter) from the file name")


# ---------------------------------------------------------------------------------------------
# reading files


def open_text(path: Path) -> io.TextIOBase:
    if str(path).endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def read_text(path: Path) -> str:
    try:
        if str(path).endswith(".gz"):
            with gzip.open(path, "rb") as f:
                return f.read().decode("utf-8")
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise ImportFailure(str(path), f"unreadable: {e}") from e


def csv_rows(path: Path, header: list[str]) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of a CSV whose header must be `header`; a short or long row fails."""
    with open_text(path) as f:
        reader = csv.reader(f)
        try:
            got = next(reader)
        except StopIteration:
            raise ImportFailure(str(path), "empty file", 1) from None
        except (csv.Error, OSError, EOFError, UnicodeDecodeError) as e:
            raise ImportFailure(str(path), f"unreadable: {e}", 1) from e
        if [h.strip().lower() for h in got] != header:
            raise ImportFailure(str(path), f"unexpected header {got!r}, expected {header!r}", 1)
        try:
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    raise ImportFailure(str(path), f"expected {len(header)} fields, got {len(row)}: {row!r}",
                                        reader.line_num)
                yield reader.line_num, row
        except (csv.Error, OSError, EOFError, UnicodeDecodeError) as e:
            raise ImportFailure(str(path), f"unreadable: {e}", reader.line_num) from e


@dataclass
class _PtpRows:
    """Raw PTP rows of one setting and release, before compilation."""
    c1: list[str]
    c2: list[str]
    eff: list[int] | None
    dele: list[int]
    mod: list[int]
    rationale: list[str]


_DERIVED_HEADER = ["column1", "column2", "deletion_date", "modifier_indicator", "ptp_edit_rationale"]
_DERIVED_LINE = re.compile(r"([0-9A-Z]{5}),([0-9A-Z]{5}),(\d{4}-\d{2}-\d{2})?,([019]),([^,\"]+)\r?$")


def parse_derived_ptp(path: Path) -> _PtpRows:
    """The derived CSV (column1, column2, deletion_date, modifier_indicator, ptp_edit_rationale)."""
    text = read_text(path)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].strip().lower().split(",") != _DERIVED_HEADER:
        raise ImportFailure(str(path), f"unexpected header, expected {','.join(_DERIVED_HEADER)}", 1)
    rows = _PtpRows([], [], None, [], [], [])
    match = _DERIVED_LINE.match
    dates: dict[str, int] = {"": NO_DELETION}
    for n, line in enumerate(lines[1:], start=2):
        m = match(line)
        if m is None:
            fields = next(csv.reader([line]), [])
            if len(fields) == 5 and re.fullmatch(r"[0-9A-Z]{5}", fields[0]) and re.fullmatch(r"[0-9A-Z]{5}",
                                                                                              fields[1]):
                c1, c2, d, mi, why = fields  # quoted rationale: slow path
                if mi not in ("0", "1", "9") or not re.fullmatch(r"(\d{4}-\d{2}-\d{2})?", d) or not why:
                    raise ImportFailure(str(path), f"malformed PTP row {line!r}", n)
            else:
                raise ImportFailure(str(path), f"malformed PTP row {line!r}", n)
        else:
            c1, c2, d, mi, why = m.groups()
            d = d or ""
        dn = dates.get(d)
        if dn is None:
            try:
                dn = dates[d] = day_number(date.fromisoformat(d))
            except ValueError:
                raise ImportFailure(str(path), f"bad deletion date {d!r}", n) from None
        rows.c1.append(c1)
        rows.c2.append(c2)
        rows.dele.append(dn)
        rows.mod.append(ord(mi) - 48)
        rows.rationale.append(why.strip())
    return rows


_CMS_ROW = re.compile(r"^([0-9A-Z]{5})\t([0-9A-Z]{5})\t")


def _cms_date(s: str, path: Path, line: int, blank_ok: bool) -> int:
    s = s.strip()
    if s in ("", "*") and blank_ok:
        return NO_DELETION
    try:
        return day_number(date(int(s[:4]), int(s[4:6]), int(s[6:8]))) if len(s) == 8 and s.isdigit() \
            else day_number(date.fromisoformat(s[:10]))
    except ValueError:
        raise ImportFailure(str(path), f"bad date {s!r}", line) from None


def _cms_record(fields: list[str], path: Path, line: int, rows: _PtpRows) -> None:
    if len(fields) < 6:
        raise ImportFailure(str(path), f"expected 7 fields (column 1, column 2, prior-1996, effective, "
                                       f"deletion, modifier, rationale), got {len(fields)}", line)
    c1, c2, _prior1996, eff, dele, mi = (f.strip() for f in fields[:6])
    why = fields[6].strip() if len(fields) > 6 else ""
    if mi not in ("0", "1", "9"):
        raise ImportFailure(str(path), f"bad modifier indicator {mi!r}", line)
    rows.c1.append(c1)
    rows.c2.append(c2)
    rows.eff.append(_cms_date(eff, path, line, blank_ok=False))
    rows.dele.append(_cms_date(dele, path, line, blank_ok=True))
    rows.mod.append(int(mi))
    rows.rationale.append(why)


def parse_cms_ptp_text(path: Path) -> _PtpRows:
    """A CMS quarterly PTP tab-delimited text file (``ccipra-v302r0-f1.txt``).

    Title, copyright and header lines come first; data lines start with two 5-character codes.
    """
    rows = _PtpRows([], [], [], [], [], [])
    seen_data = False
    for n, line in enumerate(read_text(path).splitlines(), start=1):
        if _CMS_ROW.match(line):
            seen_data = True
            _cms_record(line.split("\t"), path, n, rows)
        elif seen_data and line.strip():
            raise ImportFailure(str(path), f"malformed PTP row {line!r}", n)
    if not seen_data:
        raise ImportFailure(str(path), "no PTP edit rows found")
    return rows


def parse_cms_ptp_xlsx(path: Path) -> _PtpRows:
    """A CMS quarterly PTP xlsx (``ccipra-v302r0-f1.xlsx``): header rows, then one edit per row."""
    import openpyxl

    rows = _PtpRows([], [], [], [], [], [])
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable workbook
        raise ImportFailure(str(path), f"unreadable workbook: {e}") from e
    try:
        seen_data = False
        for n, values in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1):
            cells = ["" if v is None else (v.strftime("%Y%m%d") if hasattr(v, "strftime") else str(v))
                     for v in values]
            cells = [c[:-2] if c.endswith(".0") and c[:-2].isdigit() else c for c in cells]
            if len(cells) >= 2 and re.fullmatch(r"[0-9A-Z]{5}", cells[0].strip()) and \
                    re.fullmatch(r"[0-9A-Z]{5}", cells[1].strip()):
                seen_data = True
                _cms_record(cells, path, n, rows)
            elif seen_data and any(c.strip() for c in cells):
                raise ImportFailure(str(path), f"malformed PTP row {cells!r}", n)
    finally:
        wb.close()
    if not rows.c1:
        raise ImportFailure(str(path), "no PTP edit rows found")
    return rows


def _merge(parts: list[_PtpRows]) -> _PtpRows:
    out = _PtpRows([], [], [] if all(p.eff is not None for p in parts) else None, [], [], [])
    for p in parts:
        out.c1 += p.c1
        out.c2 += p.c2
        out.dele += p.dele
        out.mod += p.mod
        out.rationale += p.rationale
        if out.eff is not None:
            out.eff += p.eff
    return out


def compile_ptp(rows: _PtpRows, path: str) -> dict:
    """Sorted int64 pair keys with parallel arrays (see module docstring)."""
    c1 = encode_codes(np.array(rows.c1, dtype="S5"))
    c2 = encode_codes(np.array(rows.c2, dtype="S5"))
    bad = np.flatnonzero((c1 < 0) | (c2 < 0))
    if bad.size:
        i = int(bad[0])
        raise ImportFailure(path, f"malformed code pair {rows.c1[i]!r}/{rows.c2[i]!r} (row {i + 1})")
    keys = (c1 << _SHIFT) | c2
    rationales = sorted(set(rows.rationale))
    rid = {r: i for i, r in enumerate(rationales)}
    rat = np.fromiter((rid[r] for r in rows.rationale), dtype=np.int8, count=len(rows.rationale))
    order = np.argsort(keys, kind="stable")
    out = {
        "keys": keys[order],
        "mod": np.asarray(rows.mod, dtype=np.int8)[order],
        "deletion": np.asarray(rows.dele, dtype=np.int32)[order],
        "rationale": rat[order],
        "rationales": rationales,
        "effective": None if rows.eff is None else np.asarray(rows.eff, dtype=np.int32)[order],
    }
    return out


# ---------------------------------------------------------------------------------------------
# build


def _find_all(resolver: SourceResolver, glob: str) -> list[Path]:
    src = next(s for s in SOURCES if s.mirror_glob == glob)
    try:
        return resolver.find(src)
    except SourceMissing:
        return []


def build(resolver: SourceResolver) -> tuple[DatasetInfo, dict]:
    files: list[Path] = []
    releases: dict[tuple[int, int], dict] = {}  # (year, q) -> {"effective_known", settings: {...}}
    forms = set()
    for setting in SETTINGS:
        prefix = _OFFICIAL_PREFIX[setting]
        by_quarter: dict[tuple[int, int], list[Path]] = {}
        for p in _find_all(resolver, f"ncci-ptp/{prefix}-v*.txt") + _find_all(resolver, f"ncci-ptp/{prefix}-v*.xlsx"):
            by_quarter.setdefault(quarter_from_filename(p.name), []).append(p)
        official = set(by_quarter)
        for p in _find_all(resolver, f"ncci-ptp/ncci_ptp_{setting}_*.csv.gz"):
            q = quarter_from_filename(p.name)
            if q not in official:  # the official layout wins: it keeps the effective dates
                by_quarter.setdefault(q, []).append(p)
        for q, paths in sorted(by_quarter.items()):
            parts = []
            for p in sorted(paths):
                if p.name.endswith(".xlsx"):
                    parts.append(parse_cms_ptp_xlsx(p))
                    forms.add("official CMS xlsx")
                elif p.name.endswith(".csv.gz"):
                    parts.append(parse_derived_ptp(p))
                    forms.add("derived CSV (lossy: no effective dates)")
                else:
                    parts.append(parse_cms_ptp_text(p))
                    forms.add("official CMS tab text")
                files.append(p)
            rows = _merge(parts)
            rel = releases.setdefault(q, {"effective_known": True, "settings": {}})
            rel["effective_known"] &= rows.eff is not None
            rel["settings"][setting] = compile_ptp(rows, str(paths[0]))
    if not releases:
        raise SourceMissing(DATASET, "ncci-ptp/ncci_ptp_*.csv.gz or ncci-ptp/ccipra-v*.txt|xlsx", resolver.where)

    aoc_paths = resolver.find(next(s for s in SOURCES if s.mirror_glob.startswith("ncci-aoc/")))
    aoc_releases = {}
    aoc_rows = 0
    for p in aoc_paths:
        q = quarter_from_filename(p.name)
        table: dict[str, dict[str, int]] = {}
        for n, (prim, addon, typ) in csv_rows(p, ["primary_code", "add_on_code", "aoc_edit_type"]):
            prim, addon, typ = prim.strip().upper(), addon.strip().upper(), typ.strip()
            if not re.fullmatch(r"[0-9A-Z]{5}", prim) or not re.fullmatch(r"[0-9A-Z]{5}", addon) \
                    or typ not in ("1", "2", "3"):
                raise ImportFailure(str(p), f"malformed AOC row {prim!r},{addon!r},{typ!r}", n)
            table.setdefault(addon, {})[prim] = int(typ)
            aoc_rows += 1
        aoc_releases[q] = table
        files.append(p)

    payload = {
        "ptp": [
            {"year": y, "q": q, "effective_known": r["effective_known"], "settings": r["settings"]}
            for (y, q), r in sorted(releases.items())
        ],
        "aoc": [{"year": y, "q": q, "table": t} for (y, q), t in sorted(aoc_releases.items())],
    }
    labels = [release_label("PTP", y, q) for (y, q) in sorted(releases)]
    labels += [release_label("AOC", y, q) for (y, q) in sorted(aoc_releases)]
    lossy = [release_label("PTP", y, q) for (y, q), r in sorted(releases.items()) if not r["effective_known"]]
    rows = sum(len(s["keys"]) for r in releases.values() for s in r["settings"].values()) + aoc_rows
    info = DatasetInfo(
        dataset=DATASET,
        release="; ".join(labels),
        form=", ".join(sorted(forms)) + "; AOC derived CSV (lossy: no effective/deletion dates)",
        source_files=[str(p) for p in files],
        source_sha256=[sha256_of(p) for p in files],
        rows=rows,
        notes=("effective dates lost for " + ", ".join(lossy) + ": edits treated as effective for the "
               "whole release quarter; deletion dates kept (edit active only before its deletion date)")
        if lossy else "",
        compiler=COMPILER_VERSION,
    )
    return info, payload


# ---------------------------------------------------------------------------------------------
# query API


@dataclass(frozen=True)
class PtpEdit:
    column1: str
    column2: str
    modifier_indicator: int
    """0 = no modifier allowed, 1 = a modifier (59, XE/XS/XP/XU, …) may bypass, 9 = not applicable."""
    rationale: str
    release: str


class _PtpTable:
    __slots__ = ("keys", "mod", "deletion", "effective", "rationale", "rationales", "n")

    def __init__(self, d: dict):
        self.keys, self.mod, self.deletion = d["keys"], d["mod"], d["deletion"]
        self.effective, self.rationale, self.rationales = d["effective"], d["rationale"], d["rationales"]
        self.n = len(self.keys)


class PtpEdits:
    """NCCI PTP edits by release and setting ("practitioner" or "outpatient_hospital")."""

    def __init__(self, releases: list[dict]):
        self.releases: list[Release] = []
        self._tables: list[dict[str, _PtpTable]] = []
        for r in releases:
            start, end = quarter_range(r["year"], r["q"])
            self.releases.append(Release(release_label("PTP", r["year"], r["q"]), start, end,
                                         r["effective_known"]))
            self._tables.append({k: _PtpTable(v) for k, v in r["settings"].items()})
        self._codes: dict[str, int] = {}

    def release_for(self, d: date, setting: str = "practitioner") -> Release | None:
        """The loaded release covering date of service `d`, or None (then the edits are unknown)."""
        for rel, tables in zip(self.releases, self._tables, strict=True):
            if rel.covers(d) and setting in tables:
                return rel
        return None

    def table_for(self, d: date, setting: str = "practitioner") -> tuple[Release, _PtpTable]:
        """The release covering `d` and its compiled table (sorted int64 pair keys with parallel
        modifier-indicator, effective, deletion and rationale arrays): the batched path the
        claim scrubber uses to test many pairs at once. Raises `ReleaseNotLoaded`."""
        if setting not in SETTINGS:
            raise ValueError(f"unknown NCCI setting {setting!r}; one of {SETTINGS}")
        for rel, tables in zip(self.releases, self._tables, strict=True):
            if rel.covers(d) and setting in tables:
                return rel, tables[setting]
        raise ReleaseNotLoaded(f"NCCI PTP ({setting})", d, [r.label for r in self.releases])

    def _code_id(self, code: str) -> int:
        n = self._codes.get(code)
        if n is None:
            try:
                n = encode_code(code)
            except ValueError:
                n = -1
            self._codes[code] = n
        return n

    def edits_for(self, codes: Iterable[str], date_of_service: date,
                  setting: str = "practitioner") -> list[PtpEdit]:
        """The PTP edits among `codes` active on `date_of_service` (pairs in both orders).

        Raises `ReleaseNotLoaded` when no loaded release covers the date.
        """
        rel, t = self.table_for(date_of_service, setting)
        ids = sorted({i for i in (self._code_id(c.strip().upper()) for c in codes) if i >= 0})
        if len(ids) < 2:
            return []
        cand = np.array([(a << _SHIFT) | b for a in ids for b in ids if a != b], dtype=np.int64)
        lo = np.searchsorted(t.keys, cand)
        lo[lo >= t.n] = t.n - 1
        hit = np.flatnonzero(t.keys[lo] == cand)
        if not hit.size:
            return []
        day = day_number(date_of_service)
        out = []
        for h in hit.tolist():
            key = int(cand[h])
            i = int(lo[h])
            while i < t.n and t.keys[i] == key:  # a pair deleted and re-added appears more than once
                if day < t.deletion[i] and (t.effective is None or t.effective[i] <= day):
                    out.append(PtpEdit(decode_code(key >> _SHIFT), decode_code(key & ((1 << _SHIFT) - 1)),
                                       int(t.mod[i]), t.rationales[t.rationale[i]], rel.label))
                    break
                i += 1
        return out

    def pair(self, column1: str, column2: str, date_of_service: date,
             setting: str = "practitioner") -> PtpEdit | None:
        """The edit with `column1` as column 1 and `column2` as column 2 on that date, or None."""
        for e in self.edits_for([column1, column2], date_of_service, setting):
            if e.column1 == column1.upper() and e.column2 == column2.upper():
                return e
        return None

    def __len__(self) -> int:
        return sum(t.n for tables in self._tables for t in tables.values())


class AddOnCodes:
    """NCCI add-on code edits: add-on code → its primary codes and edit type (1, 2 or 3).

    Type 1: only the listed primaries; type 2: primaries determined by the contractor (``CCCCC``);
    type 3: the listed primaries and others the contractor may accept.
    """

    CONTRACTOR = "CCCCC"

    def __init__(self, releases: list[dict]):
        self.releases = []
        self._tables = []
        for r in releases:
            start, end = quarter_range(r["year"], r["q"])
            self.releases.append(Release(release_label("AOC", r["year"], r["q"]), start, end, False))
            self._tables.append(r["table"])

    def release_for(self, d: date) -> Release | None:
        return next((r for r in self.releases if r.covers(d)), None)

    def table_for(self, d: date | None) -> dict[str, dict[str, int]]:
        """{add-on: {primary: edit type}} of the release covering `d` (latest when d is None)."""
        if d is None:
            return self._tables[-1]
        for rel, t in zip(self.releases, self._tables, strict=True):
            if rel.covers(d):
                return t
        raise ReleaseNotLoaded("NCCI AOC", d, [r.label for r in self.releases])

    def is_addon(self, code: str, d: date | None = None) -> bool:
        return code.strip().upper() in self.table_for(d)

    def primaries(self, addon: str, d: date | None = None) -> list[str]:
        """Primary codes of an add-on (``CCCCC`` = contractor-defined); [] if not an add-on code."""
        return sorted(self.table_for(d).get(addon.strip().upper(), {}))

    def edit_type(self, addon: str, d: date | None = None) -> int | None:
        types = self.table_for(d).get(addon.strip().upper())
        return min(types.values()) if types else None

    @property
    def release(self) -> str:
        return self.releases[-1].label


class Ncci:
    def __init__(self, ptp: PtpEdits, aoc: AddOnCodes):
        self.ptp, self.aoc = ptp, aoc

    def versions(self) -> list[str]:
        return [r.label for r in self.ptp.releases] + [r.label for r in self.aoc.releases]


def load(payload: dict) -> Ncci:
    return Ncci(PtpEdits(payload["ptp"]), AddOnCodes(payload["aoc"]))
