"""Medicare Physician Fee Schedule: RVUs, payment policy indicators, GPCIs, localities, prices.

Sources (official CMS ``RVUyyX.zip`` members, CSV form; mirror ``pfs-rvu/``):
- ``PPRRVU<YYYY>_<Mon>.csv``: one row per HCPCS code and modifier (none, 26, TC, 53): status,
  work / PE (non-facility, facility) / MP RVUs, totals, PC/TC indicator, global days, multiple
  procedure, bilateral, assistant, co-surgeon and team surgery indicators, endoscopic base code,
  conversion factor. 9 title and header lines precede the header row ``HCPCS,MOD,DESCRIPTION,…``.
- ``GPCI<YYYY>.csv``: work, PE and MP GPCIs per MAC and locality.
- ``<YY>LOCCO.csv``: the counties of each locality.

The DESCRIPTION column holds CPT short descriptors (© AMA): they are kept in the compiled cache
only, as ``short_descriptor`` for display; they come from the user's own copy of the file and
are never part of this repository.

Price (national when no locality):
``(work × work GPCI + PE × PE GPCI + MP × MP GPCI) × conversion factor``, PE facility or
non-facility, rounded to cents. Payment policy adjustments (multiple procedure, bilateral,
assistant, …) are not applied: their indicators are returned for the edits to apply.

>>> from coderight.codesets.pfs import load, _demo_payload
>>> pfs = load(_demo_payload())
>>> pfs.rvu("99214").non_facility_total, pfs.price("99214", facility=False)
(3.87, 125.18)
>>> pfs.price("99214", facility=False, locality="01112-54")
130.01
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .cache import DatasetInfo
from .errors import ImportFailure, InvalidCode, SourceMissing, UnknownCode
from .readers import read_text
from .sources import Source, SourceResolver, sha256_of

DATASET = "pfs"
COMPILER_VERSION = 1

_RVU_URL = "https://www.cms.gov/medicare/payment/fee-schedules/physician/pfs-relative-value-files"
SOURCES = [
    Source(DATASET, "pfs-rvu/PPRRVU*.csv*", _RVU_URL),
    Source(DATASET, "pfs-rvu/GPCI*.csv*", _RVU_URL),
    Source(DATASET, "pfs-rvu/*LOCCO.csv*", _RVU_URL, optional=True),
]

# Column order of the PPRRVU header row (names as CMS prints them on the last header line, made
# unique by the lines above). We check the count and the first three names.
RVU_FIELDS = ("status", "not_used_for_medicare", "work_rvu", "non_facility_pe_rvu", "non_facility_na",
              "facility_pe_rvu", "facility_na", "mp_rvu", "non_facility_total", "facility_total",
              "pctc_indicator", "global_days", "pre_op", "intra_op", "post_op", "multiple_procedure",
              "bilateral_surgery", "assistant_surgery", "co_surgeons", "team_surgery", "endo_base",
              "conversion_factor", "physician_supervision", "calculation_flag", "diagnostic_imaging_family",
              "non_facility_pe_opps", "facility_pe_opps", "mp_opps")
_FLOATS = {"work_rvu", "non_facility_pe_rvu", "facility_pe_rvu", "mp_rvu", "non_facility_total",
           "facility_total", "pre_op", "intra_op", "post_op", "conversion_factor", "non_facility_pe_opps",
           "facility_pe_opps", "mp_opps"}
_RVU_COLUMNS = 31
_CODE_RE = re.compile(r"^[0-9A-Z]{4}[0-9A-Z]$")

PCTC_MEANING = {
    "0": "physician service: PC/TC split does not apply",
    "1": "diagnostic test with professional (26) and technical (TC) components",
    "2": "professional component only code",
    "3": "technical component only code",
    "4": "global test only code (separate PC and TC codes exist)",
    "5": "incident-to code",
    "6": "laboratory physician interpretation code",
    "7": "physical therapy service: PC/TC split does not apply",
    "8": "physician interpretation code",
    "9": "concept of PC/TC does not apply",
}


@dataclass(frozen=True)
class Rvu:
    """One row of the RVU file (a code, or a code with modifier 26, TC or 53)."""

    code: str
    modifier: str
    status: str
    not_used_for_medicare: str | None
    work_rvu: float
    non_facility_pe_rvu: float
    non_facility_na: bool
    """CMS "NA": no non-facility PE RVUs developed (service rarely done outside a facility)."""
    facility_pe_rvu: float
    facility_na: bool
    mp_rvu: float
    non_facility_total: float
    facility_total: float
    pctc_indicator: str
    global_days: str
    """000, 010, 090, XXX, YYY, ZZZ (add-on: within the global of another service), MMM."""
    pre_op: float
    intra_op: float
    post_op: float
    multiple_procedure: str
    bilateral_surgery: str
    assistant_surgery: str
    co_surgeons: str
    team_surgery: str
    endo_base: str | None
    conversion_factor: float
    physician_supervision: str | None
    calculation_flag: str | None
    diagnostic_imaging_family: str | None
    non_facility_pe_opps: float
    facility_pe_opps: float
    mp_opps: float
    short_descriptor: str | None
    """From the user's RVU file (CPT short descriptors are © AMA): display only."""

    @property
    def is_addon(self) -> bool:
        """Hint: global days ZZZ (the code is paid within the global period of another service)."""
        return self.global_days == "ZZZ"

    def pe_rvu(self, facility: bool) -> float:
        return self.facility_pe_rvu if facility else self.non_facility_pe_rvu


@dataclass(frozen=True)
class Locality:
    mac: str
    locality: str
    state: str
    name: str
    work_gpci: float
    pe_gpci: float
    mp_gpci: float
    counties: str | None = None

    @property
    def key(self) -> str:
        return f"{self.mac}-{self.locality}"


class FeeSchedule:
    """RVUs and GPCIs of one PFS release; prices per code, modifier, setting and locality."""

    def __init__(self, payload: dict):
        self.release: str = payload["release"]
        self.conversion_factor: float = payload["conversion_factor"]
        self._rows: dict[tuple[str, str], tuple] = payload["rows"]
        self._desc: dict[tuple[str, str], str] = payload["short_descriptor"]
        self._gpci: dict[str, tuple] = payload["gpci"]

    def __contains__(self, code: str) -> bool:
        return (code.strip().upper(), "") in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def codes(self) -> list[str]:
        """Every code with a global (modifier-less) row, in file order."""
        return [k for (k, m) in self._rows if not m]

    def modifiers_of(self, code: str) -> list[str]:
        """Modifier rows a code has in the file ('' = the global row): e.g. ['', '26', 'TC']."""
        c = code.strip().upper()
        return sorted(m for (k, m) in self._rows if k == c)

    def rvu(self, code: str, modifier: str | None = None) -> Rvu:
        """The row for code (+ 26 / TC / 53 when the file has that row).

        Other modifiers (LT, 59, …) do not change the RVUs: the global row is returned.
        """
        c = code.strip().upper()
        m = (modifier or "").strip().upper()
        row = self._rows.get((c, m))
        if row is None:
            if (c, "") not in self._rows:
                if not _CODE_RE.match(c):
                    raise InvalidCode(f"{code!r} is not a CPT/HCPCS code")
                raise UnknownCode(code, "Medicare PFS RVU file")
            if m in ("26", "TC", "53"):
                raise InvalidCode(f"{c} has no modifier {m} row in the fee schedule "
                                  f"(PC/TC indicator {self._rows[(c, '')][10]})")
            m, row = "", self._rows[(c, "")]
        return Rvu(c, m, *row, short_descriptor=self._desc.get((c, m)))

    def is_addon(self, code: str) -> bool:
        """Hint from global days ZZZ; the NCCI add-on code list is the authority."""
        row = self._rows.get((code.strip().upper(), ""))
        return row is not None and row[11] == "ZZZ"

    def global_days(self, code: str) -> str:
        return self.rvu(code).global_days

    def localities(self) -> list[Locality]:
        return [self.locality(k) for k in self._gpci]

    def locality(self, key: str | tuple[str, str]) -> Locality:
        """A locality by ``"MAC-LL"`` (``"01112-54"``) or ``(mac, locality)``."""
        k = _locality_key(key)
        try:
            return Locality(*k.split("-"), *self._gpci[k])
        except KeyError:
            raise UnknownCode(str(key), "Medicare PFS locality (MAC-locality)") from None

    def price(self, code: str, modifier: str | None = None, facility: bool = False,
              locality: str | tuple[str, str] | None = None) -> float:
        """Medicare allowed amount before policy adjustments: RVUs × GPCIs × conversion factor.

        National (all GPCIs 1.0) when no locality is given. ``facility`` picks the facility PE
        RVU (see `coderight.codesets.pos` for which places of service are facilities).
        """
        r = self.rvu(code, modifier)
        if locality is None:
            pw = pe = mp = 1.0
        else:
            loc = self.locality(locality)
            pw, pe, mp = loc.work_gpci, loc.pe_gpci, loc.mp_gpci
        total = r.work_rvu * pw + r.pe_rvu(facility) * pe + r.mp_rvu * mp
        return round(total * r.conversion_factor + 1e-9, 2)


def _locality_key(key: str | tuple[str, str]) -> str:
    if isinstance(key, tuple):
        mac, loc = key
    else:
        mac, _, loc = str(key).replace(":", "-").partition("-")
    return f"{str(mac).strip().zfill(5)}-{str(loc).strip().zfill(2)}"


def load(payload: dict) -> FeeSchedule:
    return FeeSchedule(payload)


# ----------------------------------------------------------------------------------------------
# Import
# ----------------------------------------------------------------------------------------------

def build(resolver: SourceResolver) -> tuple[DatasetInfo, dict]:
    rvu_src, gpci_src, locco_src = SOURCES
    rvu_path, gpci_path = resolver.find_one(rvu_src), resolver.find_one(gpci_src)
    rows, desc, cf, title = parse_pprrvu(rvu_path)
    gpci = parse_gpci(gpci_path)
    files = [rvu_path, gpci_path]
    try:
        locco_path = resolver.find_one(locco_src) if resolver.mirror else None
    except SourceMissing:
        locco_path = None
    if locco_path is not None:
        counties = parse_locco(locco_path)
        files.append(locco_path)
        for k, c in counties.items():
            if k in gpci:
                gpci[k] = gpci[k][:5] + (c,)
    release = _release(title, rvu_path.name)
    payload = {"release": release, "conversion_factor": cf, "fields": RVU_FIELDS, "rows": rows,
               "short_descriptor": desc, "gpci": gpci}
    info = DatasetInfo(DATASET, release, "official CSV (RVU file members: PPRRVU, GPCI, LOCCO)",
                       [str(p) for p in files], [sha256_of(p) for p in files], len(rows),
                       notes=f"conversion factor {cf}; {len(gpci)} localities; CPT short descriptors "
                             "kept in the compiled cache only (AMA)")
    return info, payload


def _release(title: str, filename: str) -> str:
    m = re.search(r"(20\d\d) National Physician Fee Schedule Relative Value File (\w+) Release", title)
    if m:
        return f"CY{m.group(1)} PFS ({m.group(2)} release)"
    m = re.search(r"(20\d\d)_?([A-Za-z]+)?", filename)
    return f"CY{m.group(1)} PFS" + (f" ({m.group(2)})" if m and m.group(2) else "") if m else "unknown"


def parse_pprrvu(path: Path):
    """Returns (rows {(code, mod): tuple in RVU_FIELDS order}, short descriptors, CF, title line)."""
    name = str(path)
    reader = csv.reader(io.StringIO(read_text(path)[0]))
    title = ""
    for row in reader:
        cells = [c.strip() for c in row]
        if not title and any("Relative Value File" in c for c in cells):
            title = next(c for c in cells if "Relative Value File" in c)
        if cells[:3] == ["HCPCS", "MOD", "DESCRIPTION"]:
            if len(cells) != _RVU_COLUMNS:
                raise ImportFailure(name, f"header row has {len(cells)} columns, expected {_RVU_COLUMNS}",
                                    reader.line_num)
            break
        if reader.line_num > 20:
            raise ImportFailure(name, "no header row HCPCS,MOD,DESCRIPTION in the first 20 lines",
                                reader.line_num)
    else:
        raise ImportFailure(name, "no header row HCPCS,MOD,DESCRIPTION (file empty or truncated)",
                            reader.line_num or 1)
    rows: dict[tuple[str, str], tuple] = {}
    desc: dict[tuple[str, str], str] = {}
    cfs: dict[float, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) != _RVU_COLUMNS:
            raise ImportFailure(name, f"{len(row)} fields, expected {_RVU_COLUMNS}", line)
        code, mod = row[0].strip().upper(), row[1].strip().upper()
        if not _CODE_RE.match(code) or len(mod) > 2:
            raise ImportFailure(name, f"bad HCPCS {code!r} / modifier {mod!r}", line)
        vals: list = []
        for f, raw in zip(RVU_FIELDS, row[3:], strict=True):
            v = raw.strip()
            if f in _FLOATS:
                try:
                    vals.append(float(v) if v else 0.0)
                except ValueError:
                    raise ImportFailure(name, f"{f} {v!r} is not a number", line) from None
            elif f in ("non_facility_na", "facility_na"):
                vals.append(v.upper() == "NA")
            else:
                vals.append(v or None)
        if vals[0] is None or vals[11] is None:
            raise ImportFailure(name, "status code and global days are required", line)
        rows[(code, mod)] = tuple(vals)
        if row[2].strip():
            desc[(code, mod)] = row[2].strip()
        cf = vals[21]
        cfs[cf] = cfs.get(cf, 0) + 1
    if not rows:
        raise ImportFailure(name, "no RVU rows after the header")
    cf = max(cfs, key=cfs.__getitem__)
    return rows, desc, cf, title


def parse_gpci(path: Path) -> dict[str, tuple]:
    """{"MAC-LL": (state, locality name, work GPCI, PE GPCI, MP GPCI, counties)}."""
    name = str(path)
    reader = csv.reader(io.StringIO(read_text(path)[0]))
    for row in reader:
        if row and row[0].strip().lower().startswith("medicare administrative contractor"):
            head = [c.strip().lower() for c in row]
            if len(head) < 7 or "locality number" not in head[2] or "gpci" not in head[4]:
                raise ImportFailure(name, "unexpected GPCI header columns", reader.line_num)
            break
        if reader.line_num > 10:
            raise ImportFailure(name, "no GPCI header row in the first 10 lines", reader.line_num)
    else:
        raise ImportFailure(name, "no GPCI header row (file empty or truncated)")
    out: dict[str, tuple] = {}
    for row in reader:
        line = reader.line_num
        if not row or not row[0].strip():
            continue
        if not row[0].strip().isdigit():  # footnotes after the table
            break
        if len(row) < 7:
            raise ImportFailure(name, f"{len(row)} fields, expected 7", line)
        try:
            pw, pe, mp = (float(x) for x in row[4:7])
        except ValueError:
            raise ImportFailure(name, f"GPCI values {row[4:7]} are not numbers", line) from None
        key = _locality_key((row[0], row[2]))
        out[key] = (row[1].strip(), row[3].strip().rstrip("*"), pw, pe, mp, None)
    if not out:
        raise ImportFailure(name, "no GPCI rows")
    return out


def parse_locco(path: Path) -> dict[str, str]:
    """{"MAC-LL": counties} from the locality/county file (blank lines between rows)."""
    name = str(path)
    reader = csv.reader(io.StringIO(read_text(path)[0]))
    for row in reader:
        if row and row[0].strip().lower().startswith("medicare adm"):
            break
        if reader.line_num > 10:
            raise ImportFailure(name, "no locality header row in the first 10 lines", reader.line_num)
    else:
        raise ImportFailure(name, "no locality header row (file empty or truncated)")
    out: dict[str, str] = {}
    for row in reader:
        if not row or not row[0].strip():
            continue
        if not row[0].strip().isdigit():
            break
        if len(row) < 5 or not row[1].strip().isdigit():
            raise ImportFailure(name, "expected MAC, locality number, state, area, counties", reader.line_num)
        key = _locality_key((row[0], row[1]))
        counties = row[4].strip()
        out[key] = f"{out[key]}; {counties}" if key in out else counties
    return out


def _demo_payload() -> dict:
    """99214 from the CY2025 October RVU file and one locality (numbers only, no descriptor)."""
    row = ("A", None, 1.92, 1.80, False, 0.83, False, 0.15, 3.87, 2.90, "0", "XXX", 0.0, 0.0, 0.0, "0", "0",
           "0", "0", "0", None, 32.3465, "09", "0", "99", 0.0, 0.0, 0.0)
    return {"release": "demo", "conversion_factor": 32.3465, "fields": RVU_FIELDS,
            "rows": {("99214", ""): row}, "short_descriptor": {},
            "gpci": {"01112-54": ("CA", "BAKERSFIELD", 1.017, 1.093, 0.662, "KERN")}}
