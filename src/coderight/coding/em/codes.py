"""E/M code families, our own short labels, MDM level → code, time thresholds, prolonged services.

Labels are Coderight's plain-language labels (CPT descriptors are © AMA and are not kept here).

Sources (each table cites the rule it encodes):
- AMA CPT E/M Services Guidelines (2021 office/outpatient revision; 2023 revision extending MDM
  and time to hospital inpatient/observation and ED; 2024 "met or exceeded" office time values):
  level = MDM level or total time on the date of the encounter; ED codes have no time basis.
- CMS Medicare Claims Processing Manual, Pub. 100-04, ch. 12 §30.6 (E/M), §30.6.15 (prolonged
  services): Medicare reports G2212 (office) and G0316 (hospital) instead of CPT 99417 / 99418,
  counting from the end of the time range of the level-5 (level-3) code.

>>> family_of("99214").name, family_of("99214").code_for(3), family_of("99285").time_basis
('office_established', '99214', False)
>>> time_level(family_of("99213"), 39), time_level(family_of("99213"), 40)
('99214', '99215')
"""

from __future__ import annotations

from dataclasses import dataclass

# MDM levels (AMA table columns); 0 = below straightforward (nothing documented).
NONE, STRAIGHTFORWARD, LOW, MODERATE, HIGH = 0, 1, 2, 3, 4
LEVEL_NAMES = {NONE: "none", STRAIGHTFORWARD: "straightforward", LOW: "low", MODERATE: "moderate", HIGH: "high"}
LEVEL_OF = {v: k for k, v in LEVEL_NAMES.items()}


@dataclass(frozen=True)
class Family:
    name: str
    setting: str
    """office, hospital or ed."""
    codes: tuple[str, ...]
    """Codes low to high, in reporting order."""
    by_mdm: dict
    """MDM level → code (None where the family is not leveled by MDM)."""
    time_min: dict
    """Code → minimum total minutes on the date ("met or exceeded"); empty if no time basis."""
    labels: dict
    source: str

    @property
    def time_basis(self) -> bool:
        return bool(self.time_min)

    def code_for(self, mdm_level: int) -> str | None:
        return self.by_mdm.get(mdm_level)

    def rank(self, code: str) -> int:
        return self.codes.index(code)


_AMA_2021 = "AMA CPT E/M Guidelines 2021 (office), time values per CPT 2024; CMS Pub. 100-04 ch. 12 §30.6"
_AMA_2023 = "AMA CPT E/M Guidelines 2023 (hospital inpatient and observation; ED); CMS Pub. 100-04 ch. 12 §30.6"

FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("office_new", "office", ("99202", "99203", "99204", "99205"),
           {STRAIGHTFORWARD: "99202", LOW: "99203", MODERATE: "99204", HIGH: "99205"},
           {"99202": 15, "99203": 30, "99204": 45, "99205": 60},
           {"99202": "Office visit, new patient, straightforward MDM",
            "99203": "Office visit, new patient, low MDM",
            "99204": "Office visit, new patient, moderate MDM",
            "99205": "Office visit, new patient, high MDM"}, _AMA_2021),
    Family("office_established", "office", ("99211", "99212", "99213", "99214", "99215"),
           {STRAIGHTFORWARD: "99212", LOW: "99213", MODERATE: "99214", HIGH: "99215"},
           {"99212": 10, "99213": 20, "99214": 30, "99215": 40},
           {"99211": "Office visit, established patient, may not need a physician (nurse visit)",
            "99212": "Office visit, established patient, straightforward MDM",
            "99213": "Office visit, established patient, low MDM",
            "99214": "Office visit, established patient, moderate MDM",
            "99215": "Office visit, established patient, high MDM"}, _AMA_2021),
    Family("hospital_initial", "hospital", ("99221", "99222", "99223"),
           {STRAIGHTFORWARD: "99221", LOW: "99221", MODERATE: "99222", HIGH: "99223"},
           {"99221": 40, "99222": 55, "99223": 75},
           {"99221": "Initial hospital/observation care, straightforward or low MDM",
            "99222": "Initial hospital/observation care, moderate MDM",
            "99223": "Initial hospital/observation care, high MDM"}, _AMA_2023),
    Family("hospital_subsequent", "hospital", ("99231", "99232", "99233"),
           {STRAIGHTFORWARD: "99231", LOW: "99231", MODERATE: "99232", HIGH: "99233"},
           {"99231": 25, "99232": 35, "99233": 50},
           {"99231": "Subsequent hospital/observation care, straightforward or low MDM",
            "99232": "Subsequent hospital/observation care, moderate MDM",
            "99233": "Subsequent hospital/observation care, high MDM"}, _AMA_2023),
    Family("hospital_discharge", "hospital", ("99238", "99239"), {},
           {"99238": 0, "99239": 31},
           {"99238": "Hospital discharge day management, 30 minutes or less",
            "99239": "Hospital discharge day management, more than 30 minutes"},
           "AMA CPT 2023 hospital discharge services (time only: 30 minutes or less / more than 30)"),
    Family("ed", "ed", ("99281", "99282", "99283", "99284", "99285"),
           {STRAIGHTFORWARD: "99282", LOW: "99283", MODERATE: "99284", HIGH: "99285"}, {},
           {"99281": "Emergency department visit, may not need a physician",
            "99282": "Emergency department visit, straightforward MDM",
            "99283": "Emergency department visit, low MDM",
            "99284": "Emergency department visit, moderate MDM",
            "99285": "Emergency department visit, high MDM"},
           "AMA CPT E/M Guidelines 2023 (ED: MDM only, time is not a basis)"),
)}

CODE_FAMILY = {c: f for f in FAMILIES.values() for c in f.codes}

PLACE_OF_SERVICE = {"office": "11", "hospital": "21", "observation": "22", "ed": "23"}
"""Default place of service per setting (CMS POS code set); 21/22/23 are facility settings."""


def family_of(code: str) -> Family | None:
    return CODE_FAMILY.get(str(code).strip())


def label(code: str) -> str:
    f = family_of(code)
    if f:
        return f.labels.get(code, "")
    return PROLONGED_LABELS.get(code, "")


def time_level(family: Family, minutes: float | None) -> str | None:
    """The highest code whose time threshold the documented total time meets or exceeds.

    >>> f = FAMILIES["office_new"]
    >>> [time_level(f, t) for t in (14, 15, 29, 30, 44, 45, 59, 60, 120)]
    [None, '99202', '99202', '99203', '99203', '99204', '99204', '99205', '99205']
    >>> f = FAMILIES["hospital_discharge"]
    >>> [time_level(f, t) for t in (None, 30, 31)]
    [None, '99238', '99239']
    """
    if minutes is None or not family.time_basis:
        return None
    best = None
    for code in family.codes:
        need = family.time_min.get(code)
        if need is not None and minutes >= need:
            best = code
    return best


# ------------------------------------------------------------------------------ prolonged
@dataclass(frozen=True)
class Prolonged:
    code: str
    base: str
    first_unit_at: int
    """Total minutes at which the first 15-minute unit is reached."""
    payer: str
    source: str

    def units(self, minutes: float | None) -> int:
        if minutes is None or minutes < self.first_unit_at:
            return 0
        return 1 + int((minutes - self.first_unit_at) // 15)


_CPT_PROLONGED = ("AMA CPT 99417/99418: each full 15 minutes beyond the minimum time of the level-5 "
                  "office (level-3 hospital) code, level chosen by time")
_CMS_PROLONGED = ("CMS Pub. 100-04 ch. 12 §30.6.15; CY2021/CY2023 PFS final rules: G2212 / G0316 each full "
                  "15 minutes beyond the maximum of the code's time range (99205 74, 99215 54; 99223 90, 99233 65)")

PROLONGED: tuple[Prolonged, ...] = (
    Prolonged("99417", "99205", 75, "commercial", _CPT_PROLONGED),
    Prolonged("99417", "99215", 55, "commercial", _CPT_PROLONGED),
    Prolonged("G2212", "99205", 89, "medicare", _CMS_PROLONGED),
    Prolonged("G2212", "99215", 69, "medicare", _CMS_PROLONGED),
    Prolonged("99418", "99223", 90, "commercial", _CPT_PROLONGED),
    Prolonged("99418", "99233", 65, "commercial", _CPT_PROLONGED),
    Prolonged("G0316", "99223", 105, "medicare", _CMS_PROLONGED),
    Prolonged("G0316", "99233", 80, "medicare", _CMS_PROLONGED),
)
PROLONGED_LABELS = {"99417": "Prolonged office/outpatient E/M time, each 15 minutes (CPT)",
                    "G2212": "Prolonged office/outpatient E/M time, each 15 minutes (Medicare)",
                    "99418": "Prolonged hospital E/M time, each 15 minutes (CPT)",
                    "G0316": "Prolonged hospital E/M time, each 15 minutes (Medicare)"}


def prolonged_for(base: str, minutes: float | None, payer: str = "medicare") -> tuple[Prolonged, int] | None:
    """The prolonged-services add-on and units for a time-based level, by payer.

    >>> [prolonged_for("99215", t, "medicare") for t in (68, 69)][0], prolonged_for("99215", 69)[1]
    (None, 1)
    >>> prolonged_for("99215", 55, "commercial")[0].code, prolonged_for("99205", 104, "commercial")[1]
    ('99417', 2)
    """
    kind = "medicare" if payer in ("medicare", "medicare_advantage") else "commercial"
    for p in PROLONGED:
        if p.base == base and p.payer == kind:
            n = p.units(minutes)
            return (p, n) if n else None
    return None
