"""NCCI Medically Unlikely Edits (MUE): units per line or per day."""

from __future__ import annotations

from collections.abc import Iterator

from ...codesets.mue import MAI_TEXT
from ..base import DENIAL, Finding, Rule


class MueExceeded(Rule):
    """The units of a code exceed its MUE: per line (MAI 1) or per day (MAI 2 policy, MAI 3 clinical).

    MAI 1: each line is compared with the MUE (lines split with 76, 77, 91 or anatomic modifiers
    are counted apart). MAI 2 and 3: the units of every line of the code on one date for one
    provider are added; MAI 2 is absolute (never paid above the MUE), MAI 3 may be paid on appeal
    with documentation of medical necessity.

    Source: CMS NCCI Medically Unlikely Edits, practitioner and outpatient hospital tables.
    Fix: correct the units (a typo or a unit of measure mismatch); for MAI 1 split truly separate
      services onto lines with the right modifier; for MAI 3 keep the records to appeal.

    Fails: 11102 x2
    Fails: 99213 x2 + 99213
    Fails: 27447-RT x2
    Passes: 99213 x2
    Passes: 11102 + 11103 x3
    """

    id = "MUE"
    when = "mue"
    family = "mue"
    severity = DENIAL
    datasets = ("mue",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        view = ctx.view
        setting = view.setting
        for (_npi, d), lines in view.groups.items():
            if d is None:
                continue
            if len(lines) == 1:
                ln = lines[0]
                lim = ctx.mue_limit(ln.code, d, setting)
                if lim and ln.units > lim.value:
                    yield self._hit(claim, ln, ln.units, lim, d)
                continue
            per_day: dict[str, list] = {}
            for ln in lines:
                lim = ctx.mue_limit(ln.code, d, setting)
                if not lim:
                    continue
                if lim.mai == 1:
                    if ln.units > lim.value:
                        yield self._hit(claim, ln, ln.units, lim, d)
                else:
                    per_day.setdefault(ln.code, []).append(ln)
            for code, lns in per_day.items():
                total = sum(x.units for x in lns)
                lim = ctx.mue_limit(code, d, setting)
                if total > lim.value:
                    yield self._hit(claim, lns[-1], total, lim, d, len(lns))

    def _hit(self, claim, ln, units, lim, d, nlines: int = 1) -> Finding:
        scope = "on the line" if lim.mai == 1 else f"on {d.isoformat()}" + (f" ({nlines} lines)" if nlines > 1 else "")
        f = self.finding(claim, ln, f"{ln.code}: {units:g} units {scope} exceed the MUE of {lim.value} "
                                    f"(MAI {lim.mai} {MAI_TEXT.get(lim.mai, '')}; {lim.rationale}) [{lim.release}]")
        return f
