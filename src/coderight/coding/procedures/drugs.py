"""Drug supply HCPCS J-codes and units from the documented dose.

The dose unit of each J-code is read from the HCPCS Level II long description in the loaded
release ("Injection, methylprednisolone acetate, 40 mg" → 40 mg per unit); the table below only
names which codes describe which drug. Units = dose ÷ dose per unit, rounded up (CMS Pub. 100-04
ch. 17 §70: bill the units that cover the dose administered; a partial unit is billed as a unit).
Where several codes describe the same drug at different strengths (methylprednisolone acetate
20/40/80 mg), the largest that fits is used first.

>>> units_for([("J1030", 40.0), ("J1040", 80.0), ("J1020", 20.0)], 120)
[('J1040', 1), ('J1030', 1)]
>>> units_for([("J3301", 10.0)], 40), units_for([("J1885", 15.0)], 30), units_for([("J7613", 1.0)], 2.5)
([('J3301', 4)], [('J1885', 2)], [('J7613', 3)])
"""

from __future__ import annotations

import math
import re

# drug words → J-codes (most specific first); the dose per unit comes from the HCPCS description.
DRUGS: list[tuple[str, tuple[str, ...], str]] = [
    (r"methylprednisolone acetate|depo-?medrol", ("J1040", "J1030", "J1020"), "mg"),
    (r"triamcinolone acetonide|kenalog|triamcinolone", ("J3301",), "mg"),
    (r"betamethasone|celestone", ("J0702",), "mg"),
    (r"dexamethasone|decadron", ("J1100",), "mg"),
    (r"ketorolac|toradol", ("J1885",), "mg"),
    (r"ceftriaxone|rocephin", ("J0696",), "mg"),
    (r"promethazine|phenergan", ("J2550",), "mg"),
    (r"diphenhydramine|benadryl", ("J1200",), "mg"),
    (r"cyanocobalamin|vitamin b-?12|b12", ("J3420",), "mcg"),
    (r"ondansetron|zofran", ("J2405",), "mg"),
    (r"medroxyprogesterone|depo-?provera", ("J1050",), "mg"),
    (r"testosterone cypionate", ("J1071",), "mg"),
    (r"duoneb|ipratropium bromide and albuterol|albuterol(?:/| and )ipratropium|ipratropium[- ]albuterol", ("J7620",), "dose"),
    (r"albuterol", ("J7613",), "mg"),
    (r"ipratropium", ("J7644",), "mg"),
]

_DOSE_RE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<u>mg|mcg|g|gram|grams)\b", re.I)
_DESC_DOSE = re.compile(r"(?:per\s+|up to\s+)?(?P<n>\d+(?:\.\d+)?)\s*(?P<u>mg|mcg|g)\b", re.I)


def per_unit(description: str | None) -> tuple[float, str] | None:
    """Dose per billing unit stated in a HCPCS description.

    >>> per_unit("Injection, betamethasone acetate 3 mg and betamethasone sodium phosphate 3 mg")
    (6.0, 'mg')
    >>> per_unit("Injection, ceftriaxone sodium, per 250 mg"), per_unit("Injection, vitamin b-12 cyanocobalamin, up to 1000 mcg")
    ((250.0, 'mg'), (1000.0, 'mcg'))
    """
    if not description:
        return None
    ms = list(_DESC_DOSE.finditer(description))
    if not ms:
        return None
    low = description.lower()
    if len(ms) > 1 and " and " in low and "per" not in low and len({m.group("u").lower() for m in ms}) == 1 \
            and "up to" not in low:
        # one unit of a fixed combination (betamethasone acetate 3 mg and sodium phosphate 3 mg = 6 mg)
        return sum(float(m.group("n")) for m in ms), ms[0].group("u").lower()
    m = ms[-1] if "per" in low else ms[0]
    return float(m.group("n")), m.group("u").lower()


def units_for(options: list[tuple[str, float]], dose: float) -> list[tuple[str, int]]:
    """Split a dose over codes of one drug (largest strength first), rounding the rest up."""
    opts = sorted(options, key=lambda o: -o[1])
    out: list[tuple[str, int]] = []
    rest = dose
    if len(opts) == 1:
        code, size = opts[0]
        return [(code, max(1, math.ceil(round(dose / size, 6))))]
    for i, (code, size) in enumerate(opts):
        last = i == len(opts) - 1
        n = math.ceil(round(rest / size, 6)) if last else int(rest // size)
        if n > 0:
            out.append((code, n))
            rest -= n * size
        if rest <= 1e-9:
            break
    return out


def to_unit(n: float, unit: str, want: str) -> float:
    unit = {"gram": "g", "grams": "g"}.get(unit.lower(), unit.lower())
    scale = {"g": 1000.0, "mg": 1.0, "mcg": 0.001}
    if want == "dose":
        return n
    return n * scale[unit] / scale[want]


def drug_lines(text: str, hcpcs) -> list[tuple[str, int, str, str]]:
    """(code, units, drug words, rule) for each drug with a dose in `text` (one sentence or item)."""
    out = []
    low = text.lower()
    taken: list[tuple[int, int]] = []
    for words, codes, unit in DRUGS:
        m = re.search(r"(?<![a-z])(?:" + words + r")(?![a-z])", low)
        if not m or any(a <= m.start() < b for a, b in taken):
            continue
        taken.append((m.start(), m.end()))
        if unit == "dose":
            out.append((codes[0], 1, m.group(), "PX-DRUG-1"))
            continue
        window = low[max(0, m.start() - 30):m.end() + 40]
        d = _DOSE_RE.search(low[m.end():m.end() + 40]) or _DOSE_RE.search(window)
        if not d:
            continue
        opts = []
        for c in codes:
            pu = per_unit(hcpcs.description(c)) if hcpcs is not None else None
            if pu:
                opts.append((c, to_unit(pu[0], pu[1], unit)))
        if not opts:
            continue
        dose = to_unit(float(d.group("n")), d.group("u"), unit)
        for code, n in units_for(opts, dose):
            out.append((code, n, f"{m.group()} {d.group()}", "PX-DRUG-1"))
    return out
