"""Global surgery: an E/M inside the global period of a procedure by the same provider."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from ..base import DENIAL, Finding, Rule


class EmInGlobalPeriod(Rule):
    """An E/M falls inside the global period of a procedure billed by the same provider on this claim.

    Major surgery (global 090) includes the E/M the day before, the day of and 90 days after the
    surgery; minor surgery (global 010) the day of and 10 days after. An E/M in that window is paid
    only with 57 (decision for surgery, day before or day of a major procedure), 25 (significant,
    separately identifiable E/M on the day of the procedure) or 24 (unrelated E/M after the day of
    surgery). Only the claim's own lines are checked (no claim history).

    Source: CMS PFS Relative Value File global days (010, 090); Claims Processing Manual ch. 12 §40.
    Fix: remove the E/M if it was routine pre- or post-operative care; otherwise add 57, 25 or 24
      as the record supports.

    Fails: 27447 + 99213 @+20
    Fails: 27447 + 99223 @-1
    Fails: 17000 + 99213 @+5
    Passes: 27447 + 99213-24 @+20
    Passes: 27447 + 99223-57 @-1
    Passes: 27447 + 99213 @+95
    """

    id = "GLOBAL-EM"
    when = "global"
    family = "global"
    severity = DENIAL
    datasets = ("pfs",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        info = ctx.view.info
        surgeries = [(ln, i.global_days) for ln, i in zip(claim.lines, info, strict=True)
                     if i.global_days in ("010", "090") and ln.date is not None]
        if not surgeries:
            return
        default_npi = claim.rendering_npi
        for ln, i in zip(claim.lines, info, strict=True):
            if not i.em or ln.date is None:
                continue
            npi = ln.rendering_npi or default_npi
            for s, days in surgeries:
                if (s.rendering_npi or default_npi) != npi:
                    continue
                delta = (ln.date - s.date).days
                major = days == "090"
                post = 90 if major else 10
                if not ((-1 if major else 0) <= delta <= post):
                    continue
                mods = ln.modifiers
                if delta < 0 and "57" in mods:
                    continue
                if delta == 0 and ("25" in mods or (major and "57" in mods)):
                    continue
                if delta > 0 and "24" in mods:
                    continue
                when = ("the day before" if delta < 0 else "the day of" if delta == 0
                        else f"{delta} days after")
                end = s.date + timedelta(days=post)
                yield self.finding(claim, ln, f"E/M {ln.code} on {ln.date.isoformat()} is {when} {s.code} "
                                              f"(global {days}, through {end.isoformat()}) without 24/25/57")
                break
