"""CPT (Level I) and HCPCS Level II modifiers.

Two layers:
- ``CURATED``: the modifiers the claim edits rely on, with our own short plain-language
  descriptions, a category and whether NCCI lists them as "NCCI-associated" (modifiers that may
  bypass a procedure-to-procedure edit when clinically appropriate: NCCI Policy Manual for
  Medicare Services, chapter I, section E: anatomic E1-E4, FA, F1-F9, LC, LD, LM, LT, RC, RI, RT,
  TA, T1-T9; global surgery 24, 25, 57, 58, 78, 79; other 27, 59, 91, XE, XP, XS, XU).
  Written here, no source file needed.
- the mirror's ``modifiers/modifiers_level1_level2_*.csv``: a **third-party compilation** (not an
  official CMS file; SOURCES.md §7) of 433 modifiers with descriptions and usage notes. Its
  descriptions of the 2-digit CPT modifiers are AMA text: they stay in the compiled cache (as
  ``file_description``), never in this repository.

>>> from coderight.codesets.modifiers import load, _demo_payload
>>> m = load(_demo_payload())
>>> m.get("59").category, m.get("59").ncci_associated, m.get("50").ncci_associated
('NCCI-associated', True, False)
>>> m.is_ncci_associated("XU"), m.get("RT").category
(True, 'anatomic')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .cache import DatasetInfo
from .errors import ImportFailure, InvalidCode, SourceMissing, UnknownCode
from .readers import csv_rows, read_text
from .sources import Source, SourceResolver, sha256_of

DATASET = "modifiers"
COMPILER_VERSION = 1

SOURCES = [
    Source(DATASET, "modifiers/modifiers_level1_level2_*.csv",
           "https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits",
           publisher="third party (compiled from CMS manuals and MAC pages)", optional=True),
]

# category names
ANATOMIC = "anatomic"
NCCI = "NCCI-associated"
GLOBAL = "global-surgery"
PAYMENT = "payment"
REPEAT = "repeat service"
PREVENTIVE = "preventive"

# (description, category, ncci_associated): our own wording.
CURATED: dict[str, tuple[str, str, bool]] = {
    "22": ("Service took substantially more work than usual", PAYMENT, False),
    "24": ("Unrelated E/M visit during a postoperative period", GLOBAL, True),
    "25": ("Separate, significant E/M visit on the day of a procedure or other service", GLOBAL, True),
    "26": ("Professional component only", PAYMENT, False),
    "27": ("Multiple outpatient hospital E/M encounters on the same date", NCCI, True),
    "33": ("Preventive service (cost sharing waived)", PREVENTIVE, False),
    "50": ("Bilateral procedure done in the same session", PAYMENT, False),
    "52": ("Reduced service", PAYMENT, False),
    "53": ("Procedure stopped after it began (physician)", PAYMENT, False),
    "57": ("E/M visit at which the decision for major surgery was made", GLOBAL, True),
    "58": ("Staged or related procedure in the postoperative period", GLOBAL, True),
    "59": ("Distinct procedural service (separate site, session, lesion or injury)", NCCI, True),
    "76": ("Same procedure repeated by the same practitioner", REPEAT, False),
    "77": ("Same procedure repeated by another practitioner", REPEAT, False),
    "78": ("Unplanned return to the operating room for a related procedure in the postoperative period",
           GLOBAL, True),
    "79": ("Unrelated procedure during the postoperative period", GLOBAL, True),
    "91": ("Clinical lab test repeated on the same day to get a new result", NCCI, True),
    "TC": ("Technical component only", PAYMENT, False),
    "PT": ("Colorectal cancer screening that became diagnostic or therapeutic", PREVENTIVE, False),
    "XE": ("Separate encounter on the same date", NCCI, True),
    "XP": ("Separate practitioner", NCCI, True),
    "XS": ("Separate organ or structure", NCCI, True),
    "XU": ("Unusual service that does not overlap the main one", NCCI, True),
    "LT": ("Left side of the body", ANATOMIC, True),
    "RT": ("Right side of the body", ANATOMIC, True),
    "LC": ("Left circumflex coronary artery", ANATOMIC, True),
    "LD": ("Left anterior descending coronary artery", ANATOMIC, True),
    "LM": ("Left main coronary artery", ANATOMIC, True),
    "RC": ("Right coronary artery", ANATOMIC, True),
    "RI": ("Ramus intermedius coronary artery", ANATOMIC, True),
    "E1": ("Upper left eyelid", ANATOMIC, True),
    "E2": ("Lower left eyelid", ANATOMIC, True),
    "E3": ("Upper right eyelid", ANATOMIC, True),
    "E4": ("Lower right eyelid", ANATOMIC, True),
    "FA": ("Left hand, thumb", ANATOMIC, True),
    "F5": ("Right hand, thumb", ANATOMIC, True),
    "TA": ("Left foot, great toe", ANATOMIC, True),
    "T5": ("Right foot, great toe", ANATOMIC, True),
}
for _i, _digit in enumerate(("second", "third", "fourth", "fifth"), 1):
    CURATED[f"F{_i}"] = (f"Left hand, {_digit} digit", ANATOMIC, True)
    CURATED[f"F{_i + 5}"] = (f"Right hand, {_digit} digit", ANATOMIC, True)
    CURATED[f"T{_i}"] = (f"Left foot, {_digit} digit", ANATOMIC, True)
    CURATED[f"T{_i + 5}"] = (f"Right foot, {_digit} digit", ANATOMIC, True)

NCCI_ASSOCIATED = frozenset(k for k, v in CURATED.items() if v[2])


@dataclass(frozen=True)
class Modifier:
    code: str
    description: str
    """Our curated wording when we have one, else the compiled file's description."""
    category: str | None
    ncci_associated: bool
    level: str | None
    """"CPT" (Level I) or "HCPCS" (Level II)."""
    file_description: str | None = None
    """The compiled file's description (CPT ones are AMA text; cache only)."""
    file_category: str | None = None
    information: str | None = None
    instructions: str | None = None
    curated: bool = False


class Modifiers:
    def __init__(self, payload: dict):
        self.release: str = payload["release"]
        self._file: dict[str, tuple] = payload["file"]

    def __contains__(self, code: str) -> bool:
        c = code.strip().upper()
        return c in CURATED or c in self._file

    def __len__(self) -> int:
        return len(set(CURATED) | set(self._file))

    def codes(self) -> list[str]:
        return sorted(set(CURATED) | set(self._file))

    def get(self, code: str) -> Modifier:
        c = code.strip().upper()
        if len(c) != 2 or not c.isalnum():
            raise InvalidCode(f"{code!r} is not a modifier (two letters or digits)")
        f = self._file.get(c)
        cur = CURATED.get(c)
        if f is None and cur is None:
            raise UnknownCode(code, "modifier")
        level, fcat, fdesc, info, instr = f if f is not None else (None, None, None, None, None)
        if level is None:
            level = "CPT" if c.isdigit() else "HCPCS"
        if cur is not None:
            return Modifier(c, cur[0], cur[1], cur[2], level, fdesc, fcat, info, instr, curated=True)
        return Modifier(c, fdesc or "", fcat, c in NCCI_ASSOCIATED, level, fdesc, fcat, info, instr)

    def is_ncci_associated(self, code: str) -> bool:
        return code.strip().upper() in NCCI_ASSOCIATED

    def ncci_associated(self) -> list[str]:
        return sorted(NCCI_ASSOCIATED)

    def by_category(self, category: str) -> list[str]:
        return sorted(k for k, v in CURATED.items() if v[1] == category)


def load(payload: dict) -> Modifiers:
    return Modifiers(payload)


def build(resolver: SourceResolver) -> tuple[DatasetInfo, dict]:
    (src,) = SOURCES
    try:
        path = resolver.find_one(src) if resolver.mirror else None
    except SourceMissing:
        path = None
    if path is None:
        info = DatasetInfo(DATASET, "curated", "curated table in code (no compiled file)", [], [],
                           len(CURATED), notes="modifier file not in the mirror: curated modifiers only")
        return info, {"release": "curated", "file": {}}
    rows = parse_modifier_csv(path)
    release = _release(path.name)
    info = DatasetInfo(DATASET, release,
                       "third-party compilation CSV (not an official file) + curated table in code",
                       [str(path)], [sha256_of(path)], len(rows),
                       notes=f"{len(CURATED)} curated modifiers; CPT descriptors from the file are AMA text "
                             "(compiled cache only)")
    return info, {"release": release, "file": rows}


def _release(name: str) -> str:
    import re

    m = re.search(r"(20\d\d-\d\d)", name)
    return f"compiled {m.group(1)}" if m else "compiled, undated"


_COLUMNS = ("modifier", "modifier_type", "category", "description", "information", "instructions")


def parse_modifier_csv(path: Path) -> dict[str, tuple]:
    text, name = read_text(path)
    out: dict[str, tuple] = {}
    for line, row in csv_rows(text, name, _COLUMNS):
        code, level, cat, desc, info, instr = (v or None for v in row)
        code = (code or "").upper()
        if len(code) != 2 or not code.isalnum() or not desc:
            raise ImportFailure(name, f"bad modifier {code!r} or empty description", line)
        if code in out:  # the compilation lists a few twice (KX; P1-P6 as CPT and HCPCS): keep the first
            continue
        out[code] = (level, cat, desc, info, instr)
    if not out:
        raise ImportFailure(name, "no modifiers found")
    return out


def _demo_payload() -> dict:
    return {"release": "demo", "file": {}}
