"""Code validity on the date of service: ICD-10-CM, CPT and HCPCS Level II."""

from __future__ import annotations

from collections.abc import Iterator

from ..base import DENIAL, INFO, REJECT, Finding, Rule


class _DxStatus(Rule):
    status = ""

    def check(self, claim, ctx) -> Iterator[Finding]:
        d = claim.from_date
        for i, dx in enumerate(claim.diagnoses, start=1):
            status, detail, src = ctx.dx_status(dx.key, d)
            if status == self.status:
                yield self.finding(claim, None, f"diagnosis {i} {detail}" + (f" [{src}]" if src else ""))


class IcdNotValidOnDate(_DxStatus):
    """An ICD-10-CM code is not valid on the date of service: deleted, not yet effective, or unknown.

    Each diagnosis is checked against the code set in force on the claim's first date of service
    (fiscal years run October 1 to September 30, with April updates).

    Source: CDC/CMS ICD-10-CM code files by fiscal year (order files; MCE validity date ranges).
    Fix: code from the ICD-10-CM release in force on the date of service (a deleted code has a
      successor in the next release; a new code cannot be billed before its effective date).

    Fails: dx=M54.5 99213
    Fails: dx=E11.A 99213
    Passes: dx=M54.50 99213
    """

    id = "VAL-ICD-DATE"
    when = "dx:date"
    family = "validity"
    severity = REJECT
    datasets = ("icd10cm_validity",)
    status = "date"


class IcdHeader(_DxStatus):
    """An ICD-10-CM category or subcategory header is billed: it is not a valid code for submission.

    Source: ICD-10-CM Tabular List (codes valid for submission) and the FY order files.
    Fix: code to the highest specificity: pick the billable subdivision the documentation supports.

    Fails: dx=E11 99213
    Passes: dx=E11.9 99213
    """

    id = "VAL-ICD-HEADER"
    when = "dx:header"
    family = "validity"
    severity = REJECT
    datasets = ("icd10cm", "icd10cm_validity")
    status = "header"


class IcdSeventh(_DxStatus):
    """An ICD-10-CM code that needs a 7th character lacks it, or has one its category does not define.

    Source: ICD-10-CM Tabular List 7th-character notes (with placeholder X), Official Guidelines I.A.5.
    Fix: add the 7th character (A initial, D subsequent, S sequela, …), with placeholder X where the
      code is shorter than six characters.

    Fails: dx=S52.501 99213
    Fails: dx=S52.501Z 99213
    Passes: dx=S52.501A 99213
    """

    id = "VAL-ICD-7TH"
    when = "dx:seventh"
    family = "validity"
    severity = REJECT
    datasets = ("icd10cm", "icd10cm_validity")
    status = "seventh"


class IcdValidityUnknown(_DxStatus):
    """No loaded ICD-10-CM release covers the date of service: the diagnoses could not be checked.

    Source: the loaded ICD-10-CM releases (see `coderight data status`).
    Fix: load the ICD-10-CM release for that fiscal year, or check the date of service.

    Fails: dos=2031-01-05 99213
    Passes: dos=2024-08-01 99213
    """

    id = "VAL-ICD-UNKNOWN"
    when = "dx:unknown"
    family = "coverage"
    severity = INFO
    datasets = ("icd10cm_validity",)
    status = "unknown"


class HcpcsNotValidOnDate(Rule):
    """A HCPCS Level II code is not valid on the line's date: terminated, not yet added, or unknown.

    Source: CMS HCPCS Level II quarterly file (add date, termination date).
    Fix: use the code in force on the date of service (the file's cross reference names the
      replacement of a terminated code).

    Fails: U0005
    Fails: Z9999
    Passes: G0463
    """

    id = "VAL-HCPCS-DATE"
    when = "level2"
    family = "validity"
    severity = REJECT
    datasets = ("hcpcs",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        for ln, info in zip(claim.lines, ctx.view.info, strict=True):
            if not info.level2 or ln.date is None:
                continue
            ok = ctx.hcpcs_valid(ln.code, ln.date)
            if ok is None:
                yield self.finding(claim, ln, f"{ln.code} is not a HCPCS Level II code")
            elif not ok:
                row = ctx.hcpcs.get(ln.code)
                span = f"added {row.add_date or '?'}" + (f", terminated {row.termination_date}"
                                                         if row.termination_date else "")
                yield self.finding(claim, ln, f"{ln.code} is not valid on {ln.date.isoformat()} ({span})")


class CptStatus(Rule):
    """A CPT code is unknown, deleted, or not valid for Medicare under the Physician Fee Schedule.

    The PFS status indicator says how Medicare treats each code: D = deleted, I = not valid for
    Medicare (another code applies), N = non-covered. A numeric CPT code in neither the PFS nor the
    NCCI MUE tables is unknown. Status I and N are checked for Medicare claims only.

    Source: CMS PFS Relative Value File (status indicators); NCCI MUE tables (code existence).
    Fix: use the replacement code (status D/I), or confirm coverage and obtain an ABN (status N).

    Fails: 99999
    Fails: 99243
    Passes: 99213
    """

    id = "VAL-CPT-STATUS"
    when = "cpt"
    family = "validity"
    severity = DENIAL
    datasets = ("pfs", "mue")

    def check(self, claim, ctx) -> Iterator[Finding]:
        medicare = claim.payer.type == "medicare"
        setting = ctx.view.setting
        for ln, info in zip(claim.lines, ctx.view.info, strict=True):
            if info.level2 or ln.revenue_code and not ln.code[:1].isdigit():
                continue
            if info.in_pfs:
                if info.status == "D":
                    yield self.finding(claim, ln, f"{ln.code} is deleted (PFS status D)", severity=REJECT)
                elif medicare and info.status == "I":
                    yield self.finding(claim, ln, f"{ln.code} is not valid for Medicare (PFS status I)")
                elif medicare and info.status == "N":
                    yield self.finding(claim, ln, f"{ln.code} is not covered by Medicare (PFS status N)")
            elif ln.date is not None and len(ln.code) == 5:
                lim = ctx.mue_limit(ln.code, ln.date, setting)
                if lim is None:
                    yield self.finding(claim, ln, f"{ln.code} is not in the PFS or the NCCI MUE tables: "
                                                  "unknown or deleted CPT/HCPCS code")
