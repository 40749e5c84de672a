"""Modifier edits: 25 on E/M, 59 versus the X{EPSU} modifiers, bilateral (50, LT/RT), 26/TC by the
PC/TC indicator, unknown modifiers, duplicate lines."""

from __future__ import annotations

from collections.abc import Iterator

from ..base import COMPLIANCE, DENIAL, REJECT, Finding, Rule

PROCEDURE_GLOBALS = frozenset({"000", "010", "090"})


class Modifier25(Rule):
    """Modifier 25 belongs on an E/M billed the same day as a procedure, and only there.

    Three cases: 25 on a code that is not an E/M (invalid use); 25 on an E/M with no procedure
    (global 000, 010 or 090) the same day by the same provider (nothing to separate it from); an
    E/M the same day as a minor procedure (global 000 or 010) without 25 (the visit is included
    in the procedure's payment unless it is significant and separately identifiable).

    Source: CMS Medicare Claims Processing Manual ch. 12 §30.6.6 (modifier 25); NCCI Policy Manual ch. I.
    Fix: remove 25 where it does not apply; add 25 to the E/M only when the record documents a
      significant, separately identifiable E/M beyond the procedure's usual pre- and post-work.

    Fails: 99213-25
    Fails: 11102-25
    Fails: 99213 + 11102
    Passes: 99213-25 + 11102
    Passes: 99213
    """

    id = "MOD-25"
    when = "mod25"
    family = "modifiers"
    severity = DENIAL
    datasets = ("pfs",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        proc = ctx.proc
        for (_npi, _d), lines in ctx.view.groups.items():
            ems = []
            minor = major = False
            for ln in lines:
                info = proc(ln.code)
                if info.em:
                    ems.append(ln)
                elif "25" in ln.modifiers:
                    yield self.finding(claim, ln, f"modifier 25 on {ln.code}, which is not an E/M service",
                                       "remove modifier 25 (it applies to E/M services only)", REJECT)
                if not info.em and info.global_days in PROCEDURE_GLOBALS:
                    if info.global_days == "090":
                        major = True
                    else:
                        minor = True
            for ln in ems:
                has25 = "25" in ln.modifiers
                if has25 and not (minor or major) and len(lines) == 1:
                    yield self.finding(claim, ln, f"modifier 25 on {ln.code} with no procedure on the same day",
                                       "remove modifier 25: there is no same-day procedure",
                                       COMPLIANCE)
                elif not has25 and minor and "57" not in ln.modifiers:
                    yield self.finding(claim, ln, f"E/M {ln.code} billed the same day as a minor procedure "
                                                  "without modifier 25")


class Modifier59(Rule):
    """Modifier 59 is used where a more specific X modifier (XE, XS, XP, XU) describes the service.

    CMS created XE (separate encounter), XS (separate structure), XP (separate practitioner) and
    XU (unusual non-overlapping service) as subsets of 59 and asks for them where they apply.
    Checked when the payer asks for X modifiers (the claim's payer setting; Medicare does).

    Source: CMS MLN Matters MM8863 (X{EPSU} modifiers); NCCI Policy Manual ch. I §E.
    Fix: replace 59 with XE, XS, XP or XU as the record supports.

    Fails: 45385 + 45380-59
    Passes: 45385 + 45380-XS
    Passes: xmods=no 45385 + 45380-59
    """

    id = "MOD-59X"
    when = "mod59"
    family = "modifiers"
    severity = COMPLIANCE

    def check(self, claim, ctx) -> Iterator[Finding]:
        if not claim.payer.prefers_x_modifiers:
            return
        for ln in claim.lines:
            if "59" in ln.modifiers:
                yield self.finding(claim, ln, f"modifier 59 on {ln.code}: this payer asks for the more specific "
                                              "XE, XS, XP or XU")


class Bilateral(Rule):
    """Bilateral reporting does not match the code's PFS bilateral surgery indicator.

    Indicator 1 (150 % rule): report one line with 50 and 1 unit, not RT and LT lines (Medicare).
    Indicator 0 or 9: modifier 50 does not apply. Indicator 2: the code is already bilateral,
    so neither 50 nor both RT and LT. 50 with more than 1 unit is always wrong.

    Source: CMS PFS Relative Value File, BILAT SURG indicator; Claims Processing Manual ch. 12 §40.7.
    Fix: follow the indicator: 50 with 1 unit (indicator 1), the code once (indicator 2), no 50
      (indicator 0 or 9).

    Fails: 27447-RT + 27447-LT
    Fails: 11102-50
    Fails: 69210-50
    Fails: 27447-50 x2
    Passes: 27447-50
    Passes: payer=commercial 20610-RT + 20610-LT
    """

    id = "MOD-BILAT"
    when = "bilat"
    family = "modifiers"
    severity = DENIAL
    datasets = ("pfs",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        proc = ctx.proc
        medicare = claim.payer.type == "medicare"
        for (_npi, _d), lines in ctx.view.groups.items():
            sides: dict[str, set] = {}
            first: dict[str, object] = {}
            for ln in lines:
                mods = ln.modifiers
                if not mods:
                    continue
                info = proc(ln.code)
                ind = info.bilateral
                if "50" in mods:
                    if ind in ("0", "9"):
                        yield self.finding(claim, ln, f"modifier 50 on {ln.code}: bilateral surgery indicator "
                                                      f"{ind} (50 does not apply)")
                    elif ind == "2":
                        yield self.finding(claim, ln, f"modifier 50 on {ln.code}: the code is bilateral by "
                                                      "definition (indicator 2)")
                    elif ln.units > 1:
                        yield self.finding(claim, ln, f"{ln.code}-50 with {ln.units:g} units: report 1 unit")
                for s in ("RT", "LT"):
                    if s in mods:
                        sides.setdefault(ln.code, set()).add(s)
                        first.setdefault(ln.code, ln)
            for code, s in sides.items():
                if len(s) == 2:
                    ind = proc(code).bilateral
                    ln = first[code]
                    if ind == "2":
                        yield self.finding(claim, ln, f"{code} on RT and LT lines: the code is bilateral by "
                                                      "definition (indicator 2): report it once")
                    elif ind == "1" and medicare:
                        yield self.finding(claim, ln, f"{code} on RT and LT lines: Medicare pays bilateral "
                                                      "indicator 1 codes as one line with modifier 50",
                                           severity=COMPLIANCE)


class ProfessionalTechnical(Rule):
    """Modifier 26 or TC does not fit the code's PC/TC indicator.

    Only indicator 1 codes (diagnostic tests with a professional and a technical component) take
    26 or TC; indicator 6 codes take 26 only. 26 and TC together mean the global service: bill
    neither. In a facility (hospital inpatient, outpatient, ER) a physician bills the professional
    component of an indicator 1 test with 26.

    Source: CMS PFS Relative Value File, PCTC IND; Claims Processing Manual ch. 13 §20.
    Fix: remove 26/TC where the indicator does not allow it; add 26 for the interpretation in a facility.

    Fails: 99213-26
    Fails: 71046-26-TC
    Fails: pos=22 71046
    Passes: 71046-26
    Passes: pos=11 71046
    """

    id = "MOD-PCTC"
    when = "pctc"
    family = "modifiers"
    severity = DENIAL
    datasets = ("pfs",)
    FACILITY = frozenset({"19", "21", "22", "23"})

    def check(self, claim, ctx) -> Iterator[Finding]:
        proc = ctx.proc
        prof = claim.kind == "professional"
        for ln in claim.lines:
            mods = ln.modifiers
            has26, hastc = "26" in mods, "TC" in mods
            if not (has26 or hastc):
                if prof and (ln.pos or claim.pos) in self.FACILITY and proc(ln.code).pctc == "1":
                    yield self.finding(claim, ln, f"{ln.code} (PC/TC indicator 1) billed globally in a facility "
                                                  f"(POS {ln.pos or claim.pos}): the facility bills the technical "
                                                  "component", f"add modifier 26 to {ln.code}", COMPLIANCE)
                continue
            info = proc(ln.code)
            if not info.in_pfs:
                continue
            if has26 and hastc:
                yield self.finding(claim, ln, f"{ln.code} with both 26 and TC", "bill the global service "
                                   "without 26/TC, or one component", REJECT)
            elif has26 and info.pctc not in ("1", "6"):
                yield self.finding(claim, ln, f"modifier 26 on {ln.code}: PC/TC indicator {info.pctc} has no "
                                              "professional component")
            elif hastc and info.pctc != "1":
                yield self.finding(claim, ln, f"modifier TC on {ln.code}: PC/TC indicator {info.pctc} has no "
                                              "technical component")


class UnknownModifier(Rule):
    """A line carries a modifier that is not a CPT or HCPCS Level II modifier.

    Source: CPT and HCPCS Level II modifier lists (compiled modifier table with our curated set).
    Fix: correct the modifier (two characters, letters or digits), or remove it.

    Fails: 99213-2B
    Passes: 99213-95
    """

    id = "MOD-UNKNOWN"
    when = "modunk"
    family = "modifiers"
    severity = REJECT
    datasets = ("modifiers",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        mods = ctx.mods
        for ln in claim.lines:
            for m in ln.modifiers:
                if m not in mods:
                    yield self.finding(claim, ln, f"modifier {m!r} on {ln.code} is not a known modifier")


REPEAT_MODS = frozenset({"76", "77", "91", "59", "XE", "XS", "XP", "XU"})


class DuplicateLine(Rule):
    """The same code with the same modifiers is billed twice on one date by one provider.

    Payers deny exact duplicate lines as duplicates. A real repeat is billed with units or with a
    repeat modifier (76 same practitioner, 77 another practitioner, 91 repeat lab test).

    Source: CMS Claims Processing Manual ch. 1 §120 (duplicate claims); CPT repeat modifiers 76, 77, 91.
    Fix: combine the lines into one with the total units, or add 76/77/91 to the repeat.

    Fails: 96372 + 96372
    Passes: 96372 x2
    Passes: 85025 + 85025-91
    """

    id = "LINE-DUP"
    when = "dup"
    family = "modifiers"
    severity = DENIAL

    def check(self, claim, ctx) -> Iterator[Finding]:
        for (_npi, _d), lines in ctx.view.groups.items():
            if len(lines) < 2:
                continue
            seen = {}
            for ln in lines:
                k = (ln.code, ln.modifiers)
                if k in seen and not REPEAT_MODS.intersection(ln.modifiers):
                    yield self.finding(claim, ln, f"line {ln.number} duplicates line {seen[k]} ({ln.code}"
                                                  f"{'-' + '-'.join(ln.modifiers) if ln.modifiers else ''})")
                else:
                    seen.setdefault(k, ln.number)
