"""NCCI Medically Unlikely Edits (MUEs): the most units of a HCPCS/CPT code per line or per day.

Sources (SOURCES.md §3): the CMS quarterly MUE tables for practitioner, outpatient hospital and
DME supplier services (here the derived CSVs of the 2024-07-01 files: ``hcpcs_code, mue_value,
mue_adjudication_indicator, mue_rationale, service_type``; the MAI text such as "3 Date of
Service Edit: Clinical" was reduced to its number). A release covers its calendar quarter; a date
outside every loaded release raises `ReleaseNotLoaded` ("edits not loaded for this date").

MAI (MUE adjudication indicator): 1 = per claim line, 2 = per day, policy (absolute),
3 = per day, clinical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NamedTuple

from .cache import DatasetInfo
from .errors import ImportFailure, SourceMissing
from .ncci import Release, ReleaseNotLoaded, csv_rows, quarter_from_filename, quarter_range
from .sources import Source, SourceResolver, sha256_of

DATASET = "mue"
COMPILER_VERSION = 1

SETTINGS = ("practitioner", "outpatient_hospital", "dme_supplier")
_URL = "https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits/medicare-ncci-medically-unlikely-edits"
SOURCES: list[Source] = [Source(DATASET, f"mue/mue_{s}_*.csv", _URL) for s in SETTINGS]

_HEADER = ["hcpcs_code", "mue_value", "mue_adjudication_indicator", "mue_rationale", "service_type"]
MAI_TEXT = {1: "Line Edit", 2: "Date of Service Edit: Policy", 3: "Date of Service Edit: Clinical"}


def mue_label(year: int, q: int) -> str:
    return f"NCCI MUE {year} Q{q} (eff. {quarter_range(year, q)[0].isoformat()})"


def parse_mue(path: Path) -> tuple[dict[str, tuple[int, int, str]], int]:
    """code -> (mue_value, mai, rationale); fails on a malformed row naming file and line."""
    out: dict[str, tuple[int, int, str]] = {}
    rows = 0
    for n, (code, value, mai, why, _service) in csv_rows(path, _HEADER):
        code = code.strip().upper()
        if not re.fullmatch(r"[0-9A-Z]{5}", code):
            raise ImportFailure(str(path), f"bad HCPCS code {code!r}", n)
        mai = mai.strip()[:1]
        if mai not in ("1", "2", "3"):
            raise ImportFailure(str(path), f"bad MUE adjudication indicator {mai!r}", n)
        try:
            v = int(value.strip())
        except ValueError:
            raise ImportFailure(str(path), f"bad MUE value {value!r}", n) from None
        if v < 0:
            raise ImportFailure(str(path), f"negative MUE value {v}", n)
        out[code] = (v, int(mai), why.strip())
        rows += 1
    if not rows:
        raise ImportFailure(str(path), "no MUE rows")
    return out, rows


def build(resolver: SourceResolver) -> tuple[DatasetInfo, dict]:
    files: list[Path] = []
    releases: dict[tuple[int, int], dict] = {}
    total = 0
    for setting, src in zip(SETTINGS, SOURCES, strict=True):
        paths = resolver.find(src)  # SourceMissing when a setting's file is absent
        for p in paths:
            table, rows = parse_mue(p)
            releases.setdefault(quarter_from_filename(p.name), {})[setting] = table
            files.append(p)
            total += rows
    if not releases:
        raise SourceMissing(DATASET, "mue/mue_*.csv", resolver.where)
    rationales = sorted({v[2] for r in releases.values() for t in r.values() for v in t.values()})
    rid = {r: i for i, r in enumerate(rationales)}
    payload = {
        "rationales": rationales,
        "releases": [
            {"year": y, "q": q,
             "settings": {s: {c: (v, m, rid[w]) for c, (v, m, w) in t.items()} for s, t in r.items()}}
            for (y, q), r in sorted(releases.items())
        ],
    }
    info = DatasetInfo(
        dataset=DATASET,
        release="; ".join(mue_label(y, q) for (y, q) in sorted(releases)),
        form="derived CSV (lossy: MAI text reduced to its number)",
        source_files=[str(p) for p in files],
        source_sha256=[sha256_of(p) for p in files],
        rows=total,
        compiler=COMPILER_VERSION,
    )
    return info, payload


class MueLimit(NamedTuple):
    value: int
    mai: int
    rationale: str
    release: str


@dataclass
class Mue:
    releases: list[Release]
    _tables: list[dict[str, dict[str, tuple[int, int, int]]]]
    _rationales: list[str]

    def release_for(self, d: date, setting: str = "practitioner") -> Release | None:
        """The loaded release covering date of service `d`, or None (MUEs unknown for that date)."""
        for rel, t in zip(self.releases, self._tables, strict=True):
            if rel.covers(d) and setting in t:
                return rel
        return None

    def limit(self, code: str, d: date, setting: str = "practitioner") -> MueLimit | None:
        """(value, mai, rationale, release) for `code` on `d`; None when the code has no MUE.

        Raises `ReleaseNotLoaded` when no loaded release covers `d`.
        """
        if setting not in SETTINGS:
            raise ValueError(f"unknown MUE setting {setting!r}; one of {SETTINGS}")
        for rel, t in zip(self.releases, self._tables, strict=True):
            if rel.covers(d) and setting in t:
                got = t[setting].get(code.strip().upper())
                if got is None:
                    return None
                return MueLimit(got[0], got[1], self._rationales[got[2]], rel.label)
        raise ReleaseNotLoaded(f"NCCI MUE ({setting})", d, [r.label for r in self.releases])


def load(payload: dict) -> Mue:
    rels, tables = [], []
    for r in payload["releases"]:
        start, end = quarter_range(r["year"], r["q"])
        rels.append(Release(mue_label(r["year"], r["q"]), start, end, True))
        tables.append(r["settings"])
    return Mue(rels, tables, payload["rationales"])
