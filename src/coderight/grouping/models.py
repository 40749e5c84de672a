"""Typed inputs and results of the grouping layer (pure data, no I/O).

The claims layer adapts its claim model to :class:`InpatientCase`; everything downstream
(DRG grouping, what-if impact, batch runs) speaks these types.

>>> case = InpatientCase.from_codes("A41.9", ["R65.21", ("J96.01", "Y")], age=70, sex="F")
>>> case.principal_dx, [d.code for d in case.secondary_dx], case.secondary_dx[1].poa
('A419', ['R6521', 'J9601'], 'Y')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

_POA = {"Y", "N", "U", "W", "1", ""}
_SEX = {"M", "F", "U"}


def norm_code(code: str) -> str:
    """ICD-10 code without the dot, upper case: ``'a41.9' -> 'A419'``."""
    return code.strip().replace(".", "").upper()


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A secondary diagnosis with its present-on-admission indicator (Y, N, U, W, 1 or '')."""

    code: str
    poa: str = "Y"

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", norm_code(self.code))
        poa = (self.poa or "").strip().upper()
        if poa not in _POA:
            raise ValueError(f"POA indicator {self.poa!r} is not one of Y, N, U, W, 1 or blank")
        object.__setattr__(self, "poa", poa)


@dataclass(frozen=True, slots=True)
class InpatientCase:
    """One inpatient discharge as the MS-DRG grouper needs it.

    ``discharge_status`` is the UB-04 patient discharge status (1 home, 2 short-term hospital,
    20 expired, ...); ``discharge_date`` picks the grouper version (MS-DRG v43 for FY2026).
    """

    principal_dx: str
    secondary_dx: tuple[Diagnosis, ...] = ()
    procedures: tuple[str, ...] = ()
    age: int = 65
    sex: str = "U"
    discharge_status: int = 1
    discharge_date: date = date(2025, 10, 1)
    principal_poa: str = "Y"
    admit_dx: str | None = None
    case_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "principal_dx", norm_code(self.principal_dx))
        object.__setattr__(self, "procedures", tuple(norm_code(p) for p in self.procedures))
        object.__setattr__(self, "secondary_dx", tuple(self.secondary_dx))
        sex = (self.sex or "U").strip().upper()[:1]
        if sex not in _SEX:
            raise ValueError(f"sex {self.sex!r} is not M, F or U")
        object.__setattr__(self, "sex", sex)
        if not self.principal_dx:
            raise ValueError("principal diagnosis is empty")
        if not (0 <= int(self.age) <= 124):
            raise ValueError(f"age {self.age} outside 0-124")
        if not (0 <= int(self.discharge_status) <= 99):
            raise ValueError(f"discharge status {self.discharge_status} outside 0-99")
        if self.admit_dx:
            object.__setattr__(self, "admit_dx", norm_code(self.admit_dx))

    @classmethod
    def from_codes(
        cls,
        principal: str,
        secondary: Iterable[str | tuple[str, str]] = (),
        procedures: Iterable[str] = (),
        **kw,
    ) -> InpatientCase:
        """Build a case from plain codes; a secondary may be ``"N17.9"`` or ``("N17.9", "N")``."""
        sdx = tuple(Diagnosis(s) if isinstance(s, str) else Diagnosis(s[0], s[1]) for s in secondary)
        return cls(principal_dx=principal, secondary_dx=sdx, procedures=tuple(procedures), **kw)

    def without_secondary(self, code: str) -> InpatientCase:
        """The same case with one secondary diagnosis removed (all its occurrences)."""
        c = norm_code(code)
        return replace(self, secondary_dx=tuple(d for d in self.secondary_dx if d.code != c))

    def with_secondary(self, code: str, poa: str = "Y") -> InpatientCase:
        """The same case with one more secondary diagnosis (no-op if already coded)."""
        c = norm_code(code)
        if c == self.principal_dx or any(d.code == c for d in self.secondary_dx):
            return self
        return replace(self, secondary_dx=(*self.secondary_dx, Diagnosis(c, poa)))


@dataclass(frozen=True, slots=True)
class CodeResult:
    """What the grouper said about one diagnosis or procedure code."""

    code: str
    severity: str = "NONE"  # NONE / CC / MCC (diagnoses)
    drg_impact: str = "NONE"  # NONE / INITIAL / FINAL / BOTH: did this code drive the DRG
    excluded: bool = False  # a CC/MCC excluded by the principal diagnosis (CC exclusion list)
    is_or: bool = False  # procedures: operating-room procedure
    poa_error: str = ""
    hac: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MceEdit:
    """One Medicare Code Editor edit that fired (e.g. AGE_CONFLICT on the principal diagnosis)."""

    name: str
    code_type: str
    edit_type: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class DrgWeight:
    """One row of the IPPS Table 5: relative weight and geometric / arithmetic mean LOS."""

    drg: int
    weight: float
    gmlos: float | None = None
    amlos: float | None = None
    title: str = ""


@dataclass(frozen=True, slots=True)
class DrgResult:
    """The MS-DRG assignment of one case, with the release that produced it."""

    case_id: str | None
    grouper_version: str  # e.g. "43.0" (FY2026 October release)
    drg: int | None
    drg_description: str | None
    mdc: int | None
    mdc_description: str | None
    severity: str  # secondary-dx severity used by the final DRG: NONE / CC / MCC
    return_code: str  # OK, INVALID_PDX, UNGROUPABLE ...
    initial_drg: int | None  # before the HAC (POA) adjustment
    hac_status: str
    principal: CodeResult | None
    secondary: tuple[CodeResult, ...] = ()
    procedures: tuple[CodeResult, ...] = ()
    mce_edits: tuple[MceEdit, ...] = ()
    weight: DrgWeight | None = None
    engine: str = "msdrg"

    @property
    def ok(self) -> bool:
        return self.return_code == "OK" and self.drg is not None

    @property
    def cc_mcc_drivers(self) -> tuple[str, ...]:
        """Secondary diagnoses that set the severity of the final DRG."""
        return tuple(
            s.code for s in self.secondary if s.drg_impact in ("FINAL", "BOTH") and s.severity != "NONE"
        )


@dataclass(frozen=True, slots=True)
class WhatIfLine:
    """The DRG of a case with one diagnosis removed (``kind='remove'``) or added (``'add'``)."""

    kind: str
    code: str
    source: str  # "coded" / "documented-uncoded" / "query"
    drg: int | None
    severity: str
    weight: float | None
    weight_delta: float | None
    payment_delta: float | None


@dataclass(frozen=True, slots=True)
class ImpactReport:
    base: DrgResult
    base_payment: float | None
    lines: tuple[WhatIfLine, ...] = field(default_factory=tuple)
    base_rate: float = 0.0

    def changed(self) -> Sequence[WhatIfLine]:
        """Lines whose DRG differs from the coded case."""
        return [ln for ln in self.lines if ln.drg != self.base.drg]
