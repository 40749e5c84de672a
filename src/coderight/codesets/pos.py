"""Place of service (POS) codes and the facility / non-facility setting they imply for the PFS.

Source: mirror ``pos/place_of_service_codes_*.csv``, a derived CSV of the CMS "Place of Service
Code Set" page (SOURCES.md §7); its Facility/Non-Facility column was added by the package author.
We check it against the facility places of service of the Medicare Claims Processing Manual
(Pub. 100-04, ch. 12, §20.4.2), written below as ``FACILITY_POS``: a POS of that list marked
Non-Facility fails the import, so a price never silently uses the wrong PE RVU. The file marks
two more as Facility (06 and 08, IHS and Tribal 638 provider-based facilities, i.e. parts of a
hospital); we follow the file there and name them in `DatasetInfo.notes`.

>>> from coderight.codesets.pos import load, _demo_payload
>>> pos = load(_demo_payload())
>>> pos.is_facility("21"), pos.is_facility("11"), pos.get("11").name
(True, False, 'Office')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .cache import DatasetInfo
from .errors import ImportFailure, InvalidCode, UnknownCode
from .readers import csv_rows, read_text
from .sources import Source, SourceResolver, sha256_of

DATASET = "pos"
COMPILER_VERSION = 1

SOURCES = [
    Source(DATASET, "pos/place_of_service_codes_*.csv",
           "https://www.cms.gov/medicare/coding-billing/place-of-service-codes/code-sets"),
]

# POS paid at the facility rate under the PFS (Pub. 100-04 ch. 12 §20.4.2; POS 02 telehealth
# outside the home is also paid at the facility rate). Our own table.
FACILITY_POS = frozenset({"02", "19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52",
                          "53", "56", "61"})


@dataclass(frozen=True)
class PlaceOfService:
    code: str
    name: str
    description: str
    setting: str
    """"Facility", "Non-Facility" or "Unassigned"."""

    @property
    def is_facility(self) -> bool:
        return self.setting == "Facility"

    @property
    def assigned(self) -> bool:
        return self.setting != "Unassigned"


class PlacesOfService:
    def __init__(self, payload: dict):
        self.release: str = payload["release"]
        self._codes: dict[str, tuple[str, str, str]] = payload["codes"]

    @staticmethod
    def normalize(code: str | int) -> str:
        return str(code).strip().zfill(2)

    def __contains__(self, code: str) -> bool:
        return self.normalize(code) in self._codes

    def __len__(self) -> int:
        return len(self._codes)

    def get(self, code: str | int) -> PlaceOfService:
        c = self.normalize(code)
        if not re.fullmatch(r"\d\d", c):
            raise InvalidCode(f"{code!r} is not a place of service code (two digits)")
        row = self._codes.get(c)
        if row is None:
            raise UnknownCode(str(code), "place of service")
        return PlaceOfService(c, *row)

    def is_facility(self, code: str | int) -> bool:
        """Facility rate under the PFS (facility PE RVUs). Raises for an unassigned code."""
        p = self.get(code)
        if not p.assigned:
            raise InvalidCode(f"place of service {p.code} is unassigned")
        return p.is_facility

    def codes(self, assigned_only: bool = True) -> list[str]:
        return sorted(c for c, r in self._codes.items() if not assigned_only or r[2] != "Unassigned")


def load(payload: dict) -> PlacesOfService:
    return PlacesOfService(payload)


def build(resolver: SourceResolver) -> tuple[DatasetInfo, dict]:
    (src,) = SOURCES
    path = resolver.find_one(src)
    codes = parse_pos_csv(path)
    m = re.search(r"(20\d\d-\d\d)", path.name)
    release = f"CMS POS code set as of {m.group(1)}" if m else "CMS POS code set"
    extra = sorted(c for c, r in codes.items() if r[2] == "Facility" and c not in FACILITY_POS)
    info = DatasetInfo(DATASET, release, "derived CSV of the CMS POS code set page", [str(path)],
                       [sha256_of(path)], len(codes),
                       notes="facility flag checked against Pub. 100-04 ch. 12 §20.4.2; the file also marks "
                             f"{', '.join(extra) or 'none'} as Facility")
    return info, {"release": release, "codes": codes}


def parse_pos_csv(path: Path) -> dict[str, tuple[str, str, str]]:
    text, name = read_text(path)
    need = ("pos_code", "facility_type", "pos_name", "pos_description")
    out: dict[str, tuple[str, str, str]] = {}
    for line, (code, setting, pname, desc) in csv_rows(text, name, need):
        if not re.fullmatch(r"\d{1,2}", code):
            raise ImportFailure(name, f"bad POS code {code!r}", line)
        code = code.zfill(2)
        if setting not in ("Facility", "Non-Facility", "Unassigned"):
            raise ImportFailure(name, f"facility_type {setting!r} is not Facility/Non-Facility/Unassigned", line)
        if code in FACILITY_POS and setting != "Facility":
            raise ImportFailure(name, f"POS {code} marked {setting}, but Pub. 100-04 ch. 12 §20.4.2 pays it "
                                "at the facility rate", line)
        out[code] = (pname, desc, setting)
    if not out:
        raise ImportFailure(name, "no POS rows")
    return out


def _demo_payload() -> dict:
    return {"release": "demo", "codes": {"11": ("Office", "", "Non-Facility"),
                                         "21": ("Inpatient Hospital", "", "Facility")}}
