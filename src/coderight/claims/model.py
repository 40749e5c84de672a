"""The claim model: what a professional (837P) or institutional (837I) claim carries.

Slotted dataclasses, so that a batch of 100,000 claims stays small and the edit engine reads
plain attributes. `Claim.from_dict` / `Claim.to_dict` are the one JSON shape every reader and
writer agrees on; `from_dict` checks the shape and raises `ClaimError` naming the field.

>>> c = Claim.from_dict({"id": "C1", "patient": {"sex": "F", "birth_date": "1980-05-02"},
...     "payer": {"type": "medicare"}, "billing": {"npi": "1234567893"}, "pos": "11",
...     "diagnoses": ["I10", {"code": "E11.9"}],
...     "lines": [{"code": "99213", "modifiers": ["25"], "charge": 120, "date": "2024-08-01"}]})
>>> c.lines[0].modifiers, c.lines[0].dx_pointers, c.from_date, c.patient.age_on(c.from_date)
(('25',), (1,), datetime.date(2024, 8, 1), 44)
>>> Claim.from_dict(c.to_dict()) == c
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

PAYER_TYPES = ("medicare", "medicaid", "commercial", "other")
KINDS = ("professional", "institutional")
MAX_MODIFIERS = 4
MAX_POINTERS = 4


class ClaimError(ValueError):
    """A claim that cannot be read: names the claim and the field (or X12 segment and position)."""

    def __init__(self, message: str, claim_id: str | None = None, where: str | None = None):
        self.claim_id, self.where, self.reason = claim_id, where, message
        parts = [p for p in (f"claim {claim_id}" if claim_id else None, where) if p]
        super().__init__(f"{', '.join(parts)}: {message}" if parts else message)


def parse_date(v) -> date | None:
    """A date as claims and feeds write it: ISO (YYYY-MM-DD…) or X12's CCYYMMDD; '' is None.

    >>> parse_date("20240801"), parse_date("2024-08-01T10:00"), parse_date("")
    (datetime.date(2024, 8, 1), datetime.date(2024, 8, 1), None)
    """
    if v is None or v == "":
        return None
    if isinstance(v, date):
        return v
    s = str(v).strip()
    if len(s) == 8 and s.isdigit():
        return date(int(s[:4]), int(s[4:6]), int(s[6:]))
    return date.fromisoformat(s[:10])


def _date(v, where: str) -> date | None:
    try:
        return parse_date(v)
    except ValueError:
        raise ClaimError(f"bad date {v!r} (YYYY-MM-DD)", where=where) from None


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


@dataclass(slots=True)
class Address:
    line1: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""

    @classmethod
    def from_dict(cls, d: dict | None) -> Address | None:
        if not d:
            return None
        return cls(str(d.get("line1", "")), str(d.get("city", "")), str(d.get("state", "")),
                   str(d.get("zip", "")))

    def to_dict(self) -> dict:
        return {"line1": self.line1, "city": self.city, "state": self.state, "zip": self.zip}


@dataclass(slots=True)
class Patient:
    id: str = ""
    """Member id (subscriber id on the 837)."""
    sex: str = "U"
    """F, M or U."""
    birth_date: date | None = None
    age: int | None = None
    """Age in years when no birth date is known."""
    last_name: str = ""
    first_name: str = ""
    address: Address | None = None

    def age_on(self, d: date | None) -> int | None:
        """Age in completed years on `d` (the birth date wins over a stated age)."""
        b = self.birth_date
        if b is None or d is None:
            return self.age
        return d.year - b.year - ((d.month, d.day) < (b.month, b.day))

    @classmethod
    def from_dict(cls, d: dict | None) -> Patient:
        d = d or {}
        sex = str(d.get("sex") or "U").strip().upper()[:1]
        sex = {"1": "M", "2": "F"}.get(sex, sex)
        if sex not in ("F", "M", "U"):
            raise ClaimError(f"patient.sex must be F, M or U, got {d.get('sex')!r}")
        age = d.get("age")
        try:
            age = None if age in (None, "") else int(age)
        except (TypeError, ValueError):
            raise ClaimError(f"patient.age must be a whole number, got {age!r}") from None
        return cls(str(d.get("id") or ""), sex, _date(d.get("birth_date"), "patient.birth_date"), age,
                   str(d.get("last_name") or ""), str(d.get("first_name") or ""),
                   Address.from_dict(d.get("address")))

    def to_dict(self) -> dict:
        out: dict = {"id": self.id, "sex": self.sex}
        if self.birth_date:
            out["birth_date"] = self.birth_date.isoformat()
        if self.age is not None:
            out["age"] = self.age
        if self.last_name or self.first_name:
            out["last_name"], out["first_name"] = self.last_name, self.first_name
        if self.address:
            out["address"] = self.address.to_dict()
        return out


@dataclass(slots=True)
class Payer:
    type: str = "medicare"
    """medicare, medicaid, commercial or other: picks the edit policy (NCCI is Medicare's)."""
    id: str = ""
    name: str = ""
    prefers_x_modifiers: bool = True
    """Payer setting: report 59 as an error where XE/XS/XP/XU is more specific (Medicare does)."""

    @classmethod
    def from_dict(cls, d: dict | str | None) -> Payer:
        if isinstance(d, str):
            d = {"type": d}
        d = d or {}
        t = str(d.get("type") or "medicare").strip().lower()
        t = {"mb": "medicare", "ma": "medicare", "mc": "medicaid", "ci": "commercial", "bl": "commercial",
             "hm": "commercial"}.get(t, t)
        if t not in PAYER_TYPES:
            raise ClaimError(f"payer.type must be one of {', '.join(PAYER_TYPES)}, got {d.get('type')!r}")
        return cls(t, str(d.get("id") or ""), str(d.get("name") or ""),
                   bool(d.get("prefers_x_modifiers", True)))

    def to_dict(self) -> dict:
        out = {"type": self.type, "id": self.id, "name": self.name}
        if not self.prefers_x_modifiers:
            out["prefers_x_modifiers"] = False
        return out


@dataclass(slots=True)
class Provider:
    npi: str = ""
    specialty: str = ""
    """Medicare specialty code or NUCC taxonomy code."""
    name: str = ""
    tax_id: str = ""
    address: Address | None = None

    @classmethod
    def from_dict(cls, d: dict | str | None) -> Provider | None:
        if d is None:
            return None
        if isinstance(d, str):
            d = {"npi": d}
        return cls(str(d.get("npi") or ""), str(d.get("specialty") or ""), str(d.get("name") or ""),
                   str(d.get("tax_id") or ""), Address.from_dict(d.get("address")))

    def to_dict(self) -> dict:
        out = {"npi": self.npi}
        for k in ("specialty", "name", "tax_id"):
            if getattr(self, k):
                out[k] = getattr(self, k)
        if self.address:
            out["address"] = self.address.to_dict()
        return out


@dataclass(slots=True)
class Diagnosis:
    code: str
    """ICD-10-CM with or without the dot; kept as given, compared undotted and upper-case."""
    poa: str = ""
    """Present on admission (Y, N, U, W, 1 or blank): inpatient claims."""
    key: str = field(init=False, repr=False, compare=False, default="")
    """The code undotted and upper-case (what the edits compare)."""

    def __post_init__(self) -> None:
        self.key = self.code.replace(".", "").strip().upper()


@dataclass(slots=True)
class Procedure:
    """An ICD-10-PCS procedure (institutional claims)."""
    code: str
    date: date | None = None


@dataclass(slots=True)
class Line:
    code: str
    """CPT or HCPCS Level II."""
    modifiers: tuple[str, ...] = ()
    units: float = 1
    charge: float = 0.0
    dx_pointers: tuple[int, ...] = (1,)
    """1-based indexes into `Claim.diagnoses`."""
    date: date | None = None
    to_date: date | None = None
    pos: str = ""
    """Line place of service when it differs from the claim's."""
    rendering_npi: str = ""
    revenue_code: str = ""
    """Institutional lines."""
    number: int = 0
    """1-based line number (set by the claim)."""


@dataclass(slots=True)
class Claim:
    id: str
    lines: list[Line]
    diagnoses: list[Diagnosis] = field(default_factory=list)
    patient: Patient = field(default_factory=Patient)
    payer: Payer = field(default_factory=Payer)
    billing: Provider = field(default_factory=Provider)
    rendering: Provider | None = None
    kind: str = "professional"
    pos: str = ""
    """Place of service (professional claims)."""
    type_of_bill: str = ""
    """Institutional: facility type + classification + frequency, e.g. '0131'."""
    from_date: date | None = None
    to_date: date | None = None
    frequency: str = "1"
    procedures: list[Procedure] = field(default_factory=list)
    discharge_status: str = ""
    admission_date: date | None = None

    def __post_init__(self) -> None:
        for i, ln in enumerate(self.lines, start=1):
            ln.number = i
            if ln.date is None:
                ln.date = self.from_date
        if self.from_date is None:
            dates = [ln.date for ln in self.lines if ln.date]
            if dates:
                self.from_date = min(dates)
                for ln in self.lines:
                    if ln.date is None:
                        ln.date = self.from_date
        if self.to_date is None and self.from_date is not None:
            self.to_date = max([ln.to_date or ln.date for ln in self.lines if ln.date] or [self.from_date])

    @property
    def total_charge(self) -> float:
        return round(sum(ln.charge for ln in self.lines), 2)

    @property
    def rendering_npi(self) -> str:
        return self.rendering.npi if self.rendering else self.billing.npi

    # ------------------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, d: dict) -> Claim:
        """The JSON shape (see module docstring). Raises `ClaimError` naming the claim and field."""
        if not isinstance(d, dict):
            raise ClaimError(f"a claim is a JSON object, got {type(d).__name__}")
        cid = str(d.get("id") or d.get("claim_id") or "")
        if not cid:
            raise ClaimError("missing claim id ('id')")
        try:
            return cls._from_dict(cid, d)
        except ClaimError as e:
            if e.claim_id:
                raise
            raise ClaimError(e.reason, cid, e.where) from None
        except (TypeError, ValueError, AttributeError) as e:
            raise ClaimError(f"malformed claim: {e}", cid) from None

    @classmethod
    def _from_dict(cls, cid: str, d: dict) -> Claim:
        kind = str(d.get("kind") or ("institutional" if d.get("type_of_bill") else "professional"))
        if kind not in KINDS:
            raise ClaimError(f"kind must be professional or institutional, got {kind!r}")
        dx = []
        for i, x in enumerate(d.get("diagnoses") or (), start=1):
            if isinstance(x, str):
                dx.append(Diagnosis(x.strip()))
            elif isinstance(x, dict) and x.get("code"):
                dx.append(Diagnosis(str(x["code"]).strip(), str(x.get("poa") or "")))
            else:
                raise ClaimError(f"diagnosis {i} has no code", where=f"diagnoses[{i - 1}]")
        raw_lines = d.get("lines")
        if not raw_lines:
            raise ClaimError("a claim needs at least one line", where="lines")
        lines = [_line(x, i) for i, x in enumerate(raw_lines)]
        procs = [Procedure(str(p["code"] if isinstance(p, dict) else p).strip(),
                           _date(p.get("date") if isinstance(p, dict) else None, f"procedures[{i}].date"))
                 for i, p in enumerate(d.get("procedures") or ())]
        return cls(
            id=cid, lines=lines, diagnoses=dx,
            patient=Patient.from_dict(d.get("patient")),
            payer=Payer.from_dict(d.get("payer")),
            billing=Provider.from_dict(d.get("billing") or {}),
            rendering=Provider.from_dict(d.get("rendering")),
            kind=kind, pos=str(d.get("pos") or "").strip().zfill(2) if d.get("pos") else "",
            type_of_bill=str(d.get("type_of_bill") or ""),
            from_date=_date(d.get("from_date"), "from_date"), to_date=_date(d.get("to_date"), "to_date"),
            frequency=str(d.get("frequency") or "1"),
            procedures=procs, discharge_status=str(d.get("discharge_status") or ""),
            admission_date=_date(d.get("admission_date"), "admission_date"),
        )

    def to_dict(self) -> dict:
        out: dict = {"id": self.id, "kind": self.kind, "patient": self.patient.to_dict(),
                     "payer": self.payer.to_dict(), "billing": self.billing.to_dict()}
        if self.rendering:
            out["rendering"] = self.rendering.to_dict()
        for k in ("pos", "type_of_bill", "discharge_status"):
            if getattr(self, k):
                out[k] = getattr(self, k)
        if self.frequency != "1":
            out["frequency"] = self.frequency
        out["from_date"], out["to_date"] = _iso(self.from_date), _iso(self.to_date)
        if self.admission_date:
            out["admission_date"] = self.admission_date.isoformat()
        out["diagnoses"] = [{"code": x.code, "poa": x.poa} if x.poa else {"code": x.code}
                            for x in self.diagnoses]
        if self.procedures:
            out["procedures"] = [{"code": p.code, "date": _iso(p.date)} for p in self.procedures]
        out["lines"] = [_line_dict(ln) for ln in self.lines]
        return out


def _line(x: dict, i: int) -> Line:
    where = f"lines[{i}]"
    if not isinstance(x, dict):
        raise ClaimError("a line is an object", where=where)
    code = str(x.get("code") or "").strip().upper()
    if not code:
        raise ClaimError("line has no procedure code", where=where)
    mods = x.get("modifiers") or ()
    if isinstance(mods, str):
        mods = [m for m in mods.replace(",", " ").replace(":", " ").split() if m]
    mods = tuple(str(m).strip().upper() for m in mods if str(m).strip())
    if len(mods) > MAX_MODIFIERS:
        raise ClaimError(f"at most {MAX_MODIFIERS} modifiers per line, got {len(mods)}", where=where)
    ptrs = x.get("dx_pointers", (1,))
    if isinstance(ptrs, (str, int)):
        ptrs = [p for p in str(ptrs).replace(",", " ").replace(":", " ").split() if p]
    try:
        ptrs = tuple(int(p) for p in ptrs)
        units = float(x.get("units", 1) or 0)
        charge = float(x.get("charge", 0) or 0)
    except (TypeError, ValueError) as e:
        raise ClaimError(f"bad number: {e}", where=where) from None
    if len(ptrs) > MAX_POINTERS:
        raise ClaimError(f"at most {MAX_POINTERS} diagnosis pointers per line", where=where)
    if units == int(units):
        units = int(units)
    return Line(code, mods, units, charge, ptrs, _date(x.get("date"), f"{where}.date"),
                _date(x.get("to_date"), f"{where}.to_date"), str(x.get("pos") or ""),
                str(x.get("rendering_npi") or ""), str(x.get("revenue_code") or ""))


def _line_dict(ln: Line) -> dict:
    out: dict = {"code": ln.code}
    if ln.modifiers:
        out["modifiers"] = list(ln.modifiers)
    out["units"] = ln.units
    out["charge"] = ln.charge
    out["dx_pointers"] = list(ln.dx_pointers)
    out["date"] = _iso(ln.date)
    if ln.to_date and ln.to_date != ln.date:
        out["to_date"] = ln.to_date.isoformat()
    for k in ("pos", "rendering_npi", "revenue_code"):
        if getattr(ln, k):
            out[k] = getattr(ln, k)
    return out
