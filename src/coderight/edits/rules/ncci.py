"""NCCI: procedure-to-procedure (PTP) edits, add-on codes without their primary, and the explicit
"edits not loaded for this date" finding."""

from __future__ import annotations

from collections.abc import Iterator

from ...codesets.modifiers import ANATOMIC, CURATED
from ..base import COMPLIANCE, DENIAL, Finding, Rule

GENERAL_BYPASS = frozenset({"59", "XE", "XS", "XP", "XU", "58", "78", "79", "91"})
"""NCCI-associated modifiers that may bypass an indicator-1 edit on any pair."""
EM_BYPASS = frozenset({"24", "25", "57", "27"})
"""NCCI-associated modifiers that bypass an indicator-1 edit only on an E/M column-2 line."""
ANATOMIC_MODS = frozenset(k for k, v in CURATED.items() if v[1] == ANATOMIC)


def bypasses(col1, col2, col2_is_em: bool) -> str | None:
    """The modifier on the column-2 line that may bypass an indicator-1 edit, or None.

    >>> from coderight.claims.model import Line
    >>> bypasses(Line("45385"), Line("45380", ("XS",)), False)
    'XS'
    >>> bypasses(Line("64483", ("RT",)), Line("64483", ("LT",)), False), bypasses(Line("1"), Line("2", ("RT",)), False)
    ('LT', None)
    """
    for m in col2.modifiers:
        if m in GENERAL_BYPASS or (col2_is_em and m in EM_BYPASS):
            return m
        if m in ANATOMIC_MODS and col1.modifiers and m not in col1.modifiers and \
                any(x in ANATOMIC_MODS for x in col1.modifiers):
            return m
    return None


class PtpEdit(Rule):
    """Two procedures billed on one date by one provider form an NCCI procedure-to-procedure edit.

    The column-2 code is not paid with the column-1 code when the edit is in force on the date of
    service. Modifier indicator 0: no modifier allows the pair (not even 59). Indicator 1: an
    NCCI-associated modifier on the column-2 line (59, XE, XS, XP, XU, 58, 78, 79, 91; 24, 25,
    57, 27 on an E/M; differing anatomic modifiers such as LT/RT, F1/F2) bypasses it when the
    documentation supports a distinct service. Indicator 9: the edit does not apply.
    Lines are compared within one (rendering provider, date of service) group.

    Source: CMS NCCI procedure-to-procedure edits, practitioner and outpatient hospital tables.
    Fix: remove the column-2 line, or, for indicator 1 and a distinct service that the record
      documents, append the most specific NCCI-associated modifier (XS, XE, XP, XU or 59) to it.

    Fails: 29881 + 29877
    Fails: 29881 + 29877-59
    Fails: 45385 + 45380
    Passes: 45385 + 45380-XS
    Passes: 29881 + 29877 @+1
    """

    id = "NCCI-PTP"
    when = "ptp"
    family = "ncci"
    severity = DENIAL
    datasets = ("ncci",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        hits = ctx.view.ptp
        if not hits:
            return
        seen = set()
        for h in hits:
            c1, c2 = h.col1, h.col2
            if h.modifier_indicator == 9 or c2.number in seen:
                continue
            if h.modifier_indicator == 1:
                if bypasses(c1, c2, ctx.proc(c2.code).em):
                    continue
                on_col1 = bypasses(c2, c1, ctx.proc(c1.code).em)
                fix = (f"the bypass modifier {on_col1} is on the column-1 line {c1.number}: NCCI expects it on "
                       f"the column-2 code {c2.code}" if on_col1 else None)
                seen.add(c2.number)
                yield self.finding(
                    claim, c2, f"{c2.code} (line {c2.number}) is column 2 of {c1.code} (line {c1.number}): "
                               f"not paid together unless a modifier documents a distinct service "
                               f"(modifier indicator 1; {h.rationale}) [{h.release}]", fix)
            else:
                seen.add(c2.number)
                yield self.finding(
                    claim, c2, f"{c2.code} (line {c2.number}) is column 2 of {c1.code} (line {c1.number}) and no "
                               f"modifier allows the pair (modifier indicator 0; {h.rationale}) [{h.release}]",
                    f"remove line {c2.number} ({c2.code}): it is included in {c1.code}")


class EditsNotLoaded(Rule):
    """No loaded NCCI release covers a date of service on the claim: PTP, MUE and add-on edits
    for that date are unknown, so the claim is not reported clean.

    The mirror holds the 2024 Q3 NCCI tables (2024-07-01..2024-09-30); its effective dates were
    lost, so each edit counts as in force for the whole quarter.

    Source: the loaded NCCI PTP, MUE and add-on code releases (see `coderight data status`).
    Fix: load the NCCI quarter that covers the date of service and scrub again.

    Fails: dos=2023-05-01 99213
    Passes: dos=2024-08-01 99213
    """

    id = "NCCI-NOT-LOADED"
    when = "not_loaded"
    family = "coverage"
    severity = COMPLIANCE
    datasets = ("ncci", "mue")

    def check(self, claim, ctx) -> Iterator[Finding]:
        by_date: dict = {}
        for what, d in ctx.view.not_loaded:
            by_date.setdefault(d, []).append(what)
        for d, missing in by_date.items():
            missing = list(dict.fromkeys(missing))
            yield self.finding(claim, None, f"NCCI {', '.join(missing)} edits not loaded for this date "
                                            f"({d.isoformat()}): these edits were not checked")


class AddOnWithoutPrimary(Rule):
    """An add-on code is billed without any of its primary codes on the same date by the same provider.

    Type 1 add-ons are paid only with a listed primary; type 3 with a listed primary or another
    the contractor accepts; type 2 (primaries defined by the contractor) is not checked here.

    Source: CMS NCCI add-on code edits.
    Fix: add the primary procedure performed that day, or remove the add-on line.

    Fails: 11103
    Fails: 11045 + 99213
    Passes: 11102 + 11103
    Passes: 11042 + 11045
    """

    id = "NCCI-AOC"
    when = "aoc"
    family = "ncci"
    severity = DENIAL
    datasets = ("ncci",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        for (_npi, d), lines in ctx.view.groups.items():
            if d is None:
                continue
            codes = None
            for ln in lines:
                prim = ctx.aoc(ln.code, d)
                if not prim:
                    continue
                if "CCCCC" in prim and len(prim) == 1:
                    continue
                if codes is None:
                    codes = {x.code for x in lines}
                if codes.isdisjoint(prim):
                    listed = sorted(p for p in prim if p != "CCCCC")
                    typ = min(prim.values())
                    more = "" if len(listed) <= 6 else f" (+{len(listed) - 6} more)"
                    yield self.finding(
                        claim, ln, f"add-on code {ln.code} (type {typ}) billed without a primary code on "
                                   f"{d.isoformat()}: one of {', '.join(listed[:6])}{more}",
                        severity=DENIAL if typ == 1 else COMPLIANCE)
