"""What the rules read: the reference data, memoised per code and date, and one `ClaimView` per claim.

The context is built once per engine from a `Codebook`. Lookups are memoised (a batch repeats the
same codes and dates), so the hot path is dict hits. The engine fills `ctx.view` before running
the rules on a claim: lines grouped once by (rendering provider, date of service), the E/M and
procedure facts of each line, and the NCCI PTP hits found by one batched search per chunk of claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from ..claims.model import Claim, Line
from ..codesets.errors import CodesetError
from ..codesets.ncci import ReleaseNotLoaded, day_number

EM_FIRST, EM_LAST = 99202, 99499


def is_em(code: str) -> bool:
    """E/M codes: CPT 99202-99499 (office, hospital, consults, ED, nursing facility, home, …).

    >>> is_em("99213"), is_em("11102"), is_em("G0463")
    (True, False, False)
    """
    return len(code) == 5 and code.isdigit() and EM_FIRST <= int(code) <= EM_LAST


@dataclass(slots=True)
class ProcInfo:
    """What the rules need to know about one CPT/HCPCS code (from the PFS, HCPCS and MUE files)."""
    code: str
    em: bool
    in_pfs: bool
    status: str
    global_days: str
    bilateral: str
    pctc: str
    level2: bool
    key: int
    """NCCI integer code (base 36) or -1."""


@dataclass(slots=True)
class PtpHit:
    col1: Line
    col2: Line
    modifier_indicator: int
    rationale: str
    release: str


@dataclass(slots=True)
class ClaimView:
    """Per-claim facts computed once for all rules."""
    setting: str
    """NCCI/MUE setting: practitioner (837P) or outpatient_hospital (837I)."""
    groups: dict[tuple[str, date | None], list[Line]]
    info: list[ProcInfo]
    """Parallel to claim.lines."""
    ptp: list[PtpHit]
    not_loaded: list[tuple[str, date]]
    """(what, date): edit tables that no loaded release covers."""
    age: int | None


class Context:
    """Reference data for the edits, from a `Codebook` (datasets load lazily, once)."""

    def __init__(self, codebook):
        self.codebook = codebook
        self._releases: dict[str, str] = {}
        self._proc: dict[str, ProcInfo] = {}
        self._dx: dict[tuple[str, date | None], tuple[str, str, str]] = {}
        self._mce: dict[tuple[str, date | None], tuple] = {}
        self._excl: dict[tuple[str, str], object] = {}
        self._ptp_rel: dict[tuple[date, str], object] = {}
        self._mue: dict[tuple[str, date, str], object] = {}
        self._aoc: dict[tuple[str, date], object] = {}
        self._hcpcs_valid: dict[tuple[str, date], bool] = {}
        self.view: ClaimView | None = None
        cb = codebook
        self.icd = cb.dataset("icd10cm")
        self.icdv = cb.dataset("icd10cm_validity")
        self.ncci = cb.dataset("ncci")
        self.mue = cb.dataset("mue")
        self.mce = cb.dataset("mce")
        self.pfs = cb.dataset("pfs")
        self.hcpcs = cb.dataset("hcpcs")
        self.mods = cb.dataset("modifiers")
        self.pos = cb.dataset("pos")
        versions = cb.versions()
        self._releases = {k: v for k, v in versions.items()}

    def release(self, dataset: str) -> str:
        return self._releases.get(dataset, "")

    # --- procedures -------------------------------------------------------------------------
    def proc(self, code: str) -> ProcInfo:
        got = self._proc.get(code)
        if got is not None:
            return got
        level2 = len(code) == 5 and code[0].isalpha() and code[1:].isdigit()
        try:
            key = int(code, 36) if len(code) == 5 and code.isalnum() else -1
        except ValueError:
            key = -1
        if code in self.pfs:
            r = self.pfs.rvu(code)
            got = ProcInfo(code, is_em(code), True, r.status, r.global_days, r.bilateral_surgery,
                           r.pctc_indicator, level2, key)
        else:
            got = ProcInfo(code, is_em(code), False, "", "", "", "", level2, key)
        self._proc[code] = got
        return got

    def hcpcs_valid(self, code: str, d: date) -> bool | None:
        """HCPCS Level II valid on d; None when the code is not in the file at all."""
        k = (code, d)
        got = self._hcpcs_valid.get(k)
        if got is None and k not in self._hcpcs_valid:
            got = self.hcpcs.is_valid(code, d) if code in self.hcpcs else None
            self._hcpcs_valid[k] = got
        return got

    # --- diagnoses --------------------------------------------------------------------------
    def dx_status(self, key: str, d: date | None) -> tuple[str, str, str]:
        """(status, detail, source) of an undotted ICD-10-CM code on d.

        status: ok, header (not billable), seventh (7th character missing or impossible), date
        (not valid on the date of service: deleted, or not yet effective), unknown (no source covers
        the date).
        """
        k = (key, d)
        got = self._dx.get(k)
        if got is None:
            got = self._dx[k] = self._dx_status(key, d)
        return got

    def _dx_status(self, key: str, d: date | None) -> tuple[str, str, str]:
        from ..codesets.icd10cm_validity import Validity

        if d is None:
            return "unknown", "no date of service", ""
        v, src = self.icdv.check(key, d)
        if v is Validity.VALID:
            return "ok", "", src
        if v is Validity.UNKNOWN:
            return "unknown", f"ICD-10-CM validity not loaded for {d.isoformat()}", src
        dotted = key if len(key) <= 3 else key[:3] + "." + key[3:]
        tab = self.icd
        node = tab.find(dotted)
        first, last = self.icdv.added_deleted(key)
        if last is not None and last < d:
            now = ""
            if node is not None and not node.billable:
                now = f"; now subdivided: {', '.join(tab.descendants(dotted, billable_only=True)[:4])}"
            return "date", f"{dotted} was deleted after {last.isoformat()}{now}", src
        if node is not None and not node.billable:
            if tab.requires_seventh(dotted):
                return "seventh", f"{dotted} requires a 7th character", src
            kids = tab.descendants(dotted, billable_only=True)[:3]
            return "header", f"{dotted} is a category header, not billable (e.g. {', '.join(kids)})", src
        if node is None and len(key) == 7:
            try:
                tab.validate(dotted)
            except CodesetError as e:
                if "7th" in str(e) or "seventh" in str(e).lower():
                    return "seventh", f"{dotted}: impossible 7th character ({e})", src
        if node is not None and node.billable:
            when = f" (valid from {first.isoformat()})" if first and first > d else ""
            return "date", f"{dotted} is not yet effective on {d.isoformat()}{when}", src
        if first is not None:
            span = f"valid {first.isoformat()}..{last.isoformat() if last else 'now'}"
            return "date", f"{dotted} is not valid on {d.isoformat()} ({span})", src
        return "date", f"{dotted} is not an ICD-10-CM code valid on {d.isoformat()}", src

    def mce_edits(self, key: str, d: date | None) -> tuple[tuple[str, ...], str] | None:
        """MCE edit names for a code on d, or None when the MCE is not loaded for d."""
        k = (key, d)
        got = self._mce.get(k)
        if got is None and k not in self._mce:
            try:
                got = self.mce.edits(key, d)
            except ReleaseNotLoaded:
                got = None
            self._mce[k] = got
        return got

    def excludes1(self, a: str, b: str):
        k = (a, b) if a < b else (b, a)
        if k in self._excl:
            return self._excl[k]
        da = a if len(a) <= 3 else a[:3] + "." + a[3:]
        db = b if len(b) <= 3 else b[:3] + "." + b[3:]
        try:
            got = self.icd.excludes1_conflict(da, db)
        except CodesetError:
            got = None
        self._excl[k] = got
        return got

    # --- NCCI / MUE -------------------------------------------------------------------------
    def ptp_table(self, d: date, setting: str):
        """(Release, table) of the PTP edits for d, or None when no release covers d."""
        k = (d, setting)
        if k in self._ptp_rel:
            return self._ptp_rel[k]
        try:
            got = self.ncci.ptp._table(d, setting)
        except ReleaseNotLoaded:
            got = None
        self._ptp_rel[k] = got
        return got

    def mue_limit(self, code: str, d: date, setting: str):
        """MueLimit, None (no MUE for the code), or False (MUE not loaded for d)."""
        k = (code, d, setting)
        got = self._mue.get(k, 0)
        if got == 0:
            try:
                got = self.mue.limit(code, d, setting)
            except ReleaseNotLoaded:
                got = False
            self._mue[k] = got
        return got

    def aoc(self, code: str, d: date):
        """{primary: type} of an add-on code on d; {} when not an add-on; None when not loaded."""
        k = (code, d)
        got = self._aoc.get(k, 0)
        if got == 0:
            try:
                got = self.ncci.aoc._table(d).get(code, {})
            except ReleaseNotLoaded:
                got = None
            self._aoc[k] = got
        return got

    # --- views ------------------------------------------------------------------------------
    def make_view(self, claim: Claim) -> ClaimView:
        setting = "outpatient_hospital" if claim.kind == "institutional" else "practitioner"
        groups: dict[tuple[str, date | None], list[Line]] = {}
        default_npi = claim.rendering.npi if claim.rendering else claim.billing.npi
        proc = self.proc
        info = []
        for ln in claim.lines:
            info.append(proc(ln.code))
            k = (ln.rendering_npi or default_npi, ln.date)
            g = groups.get(k)
            if g is None:
                groups[k] = [ln]
            else:
                g.append(ln)
        not_loaded: list[tuple[str, date]] = []
        for _npi, d in groups:
            if d is not None and self.ptp_table(d, setting) is None:
                not_loaded.append(("NCCI PTP", d))
        return ClaimView(setting, groups, info, [], not_loaded, claim.patient.age_on(claim.from_date))


_SHIFT = 26
_LOW = (1 << _SHIFT) - 1


def find_ptp(claims: list[Claim], views: list[ClaimView], ctx: Context) -> None:
    """Fill `view.ptp` for a chunk of claims with one `np.searchsorted` per PTP table.

    Candidates are the ordered pairs of distinct codes within one (provider, date) group; a hit
    is kept when the edit is in force on that date (effective ≤ date < deletion).
    """
    per_table: dict[int, tuple[object, list[int], list[tuple]]] = {}
    for view in views:
        setting = view.setting
        for (_npi, d), lines in view.groups.items():
            if len(lines) < 2 or d is None:
                continue
            got = ctx.ptp_table(d, setting)
            if got is None:
                continue
            rel, table = got
            bucket = per_table.get(id(table))
            if bucket is None:
                bucket = per_table[id(table)] = (got, [], [])
            keys, refs = bucket[1], bucket[2]
            day = None
            for a in lines:
                ka = ctx.proc(a.code).key
                if ka < 0:
                    continue
                for b in lines:
                    if a is b or a.code == b.code:
                        continue
                    kb = ctx.proc(b.code).key
                    if kb < 0:
                        continue
                    if day is None:
                        day = day_number(d)
                    keys.append((ka << _SHIFT) | kb)
                    refs.append((view, a, b, day))
    for (rel, t), keys, refs in per_table.values():
        if not keys:
            continue
        cand = np.fromiter(keys, dtype=np.int64, count=len(keys))
        lo = np.searchsorted(t.keys, cand)
        np.minimum(lo, t.n - 1, out=lo)
        hit = np.flatnonzero(t.keys[lo] == cand)
        for h in hit.tolist():
            view, a, b, day = refs[h]
            i = int(lo[h])
            key = keys[h]
            while i < t.n and t.keys[i] == key:  # a pair deleted and re-added appears more than once
                if day < t.deletion[i] and (t.effective is None or t.effective[i] <= day):
                    view.ptp.append(PtpHit(a, b, int(t.mod[i]), t.rationales[t.rationale[i]], rel.label))
                    break
                i += 1
