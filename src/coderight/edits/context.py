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
    cpt_check: bool = False
    """The CPT status edit may fire on this code (PFS status D, I or N; or neither PFS nor Level II)."""


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
    ptp: list[PtpHit] | tuple
    """NCCI PTP hits in force (an empty tuple when none)."""
    not_loaded: list[tuple[str, date]] | tuple
    """(what, date): edit tables that no loaded release covers (an empty tuple when none)."""
    age: int | None
    flags: set[str]
    """What the claim holds (em, surgery, mods, multi, dx:<status>, mce, …): rules whose `when`
    flag is absent are skipped without being called."""


FACILITY_POS = frozenset({"19", "21", "22", "23"})
_SIDE_MODS = frozenset({"50", "RT", "LT"})
_AGE_EDITS = ("newborn", "pediatric", "maternity", "adult")
_MISS = object()


def pos_problem(c: str, pos) -> str:
    """Why a place of service code is not acceptable on a professional claim ('' when it is).

    >>> pos_problem("", None)
    'no place of service'
    """
    if not c:
        return "no place of service"
    if not (len(c) == 2 and c.isdigit()) or c not in pos:
        return f"place of service {c!r} is not a POS code"
    if not pos.get(c).assigned:
        return f"place of service {c} is unassigned"
    return ""


class Context:
    """Reference data for the edits, from a `Codebook` (datasets load lazily, once)."""

    def __init__(self, codebook):
        self.codebook = codebook
        self._releases: dict[str, str] = {}
        self.procs: dict[str, ProcInfo] = {}
        self._dx: dict[tuple[str, date | None], tuple[str, str, str]] = {}
        self._mce: dict[tuple[str, date | None], tuple] = {}
        self._excl: dict[str, object] = {}
        self._excl_refs: dict[str, dict[str, list]] = {}
        self._bucket: dict[date | None, object] = {}
        self._gaps: dict[tuple[date, str], list] = {}
        self._pdx: dict = {}
        self._ptp_rel: dict[tuple[date, str], object] = {}
        self._mue: dict[tuple[str, date, str], object] = {}
        self._aoc: dict[tuple[str, date], object] = {}
        self._hcpcs_valid: dict[tuple[str, date], bool] = {}
        self._dkey: dict[date | None, tuple] = {}
        self._dx_flags: dict[tuple[str, tuple], tuple[str, ...]] = {}
        self._pos_ok: dict[str, bool] = {}
        self._facts: dict[tuple, tuple[ProcInfo, float, bool]] = {}
        self._mod_flags: dict[tuple[str, ...], tuple[str, ...]] = {}
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
        self._periods = [p for p in self.icdv.covered() if p["kind"] == "code list"]
        versions = cb.versions()
        self._releases = {k: v for k, v in versions.items()}

    def release(self, dataset: str) -> str:
        return self._releases.get(dataset, "")

    # --- procedures -------------------------------------------------------------------------
    def proc(self, code: str) -> ProcInfo:
        got = self.procs.get(code)
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
                           r.pctc_indicator, level2, key, r.status in ("D", "I", "N"))
        else:
            got = ProcInfo(code, is_em(code), False, "", "", "", "", level2, key, not level2)
        self.procs[code] = got
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
        k = (key, self.dx_bucket(d))
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
            return "date", f"{dotted} is not yet effective on the date of service{when}", src
        if first is not None:
            span = f"valid {first.isoformat()}..{last.isoformat() if last else 'now'}"
            return "date", f"{dotted} is not valid on the date of service ({span})", src
        return "date", f"{dotted} is not an ICD-10-CM code valid on the date of service", src

    def mce_edits(self, key: str, d: date | None) -> tuple[tuple[str, ...], str] | None:
        """MCE edit names for a code on d, or None when the MCE is not loaded for d."""
        k = (key, _half(d))
        got = self._mce.get(k)
        if got is None and k not in self._mce:
            try:
                got = self.mce.edits(key, d)
            except ReleaseNotLoaded:
                got = None
            self._mce[k] = got
        return got

    def excludes1(self, a: str, b: str):
        """The Excludes1 note that forbids undotted codes a and b together, or None (memoised)."""
        refs = self._excl_refs
        ra = refs.get(a)
        if ra is None:
            ra = refs[a] = self._refs(a)
        rb = refs.get(b)
        if rb is None:
            rb = refs[b] = self._refs(b)
        if b[:1] not in ra and a[:1] not in rb:  # no range of either code can reach the other
            return None
        k = a + " " + b if a < b else b + " " + a  # a str key: no GC-tracked tuple per pair
        got = self._excl.get(k, _MISS)
        if got is _MISS:
            got = self._excl[k] = self._excludes1_of(a, b) or self._excludes1_of(b, a)
        return got

    def excludes1_refs(self, key: str) -> dict[str, list]:
        """Excludes1 ranges of an undotted code (own and inherited) by first letter (memoised): a
        code whose first letter is not a key here cannot be excluded by this code's notes."""
        got = self._excl_refs.get(key)
        if got is None:
            got = self._excl_refs[key] = self._refs(key)
        return got

    def _excludes1_of(self, a: str, b: str):
        refs = self._excl_refs.get(a)
        if refs is None:
            refs = self._excl_refs[a] = self._refs(a)
        for lo, hi, note in refs.get(b[:1], ()):
            if b[:len(lo)] >= lo and b[:len(hi)] <= hi:
                return note
        return None

    def _refs(self, key: str) -> dict[str, list]:
        """Excludes1 ranges of a code (own and inherited), undotted, by first letter."""
        dotted = key if len(key) <= 3 else key[:3] + "." + key[3:]
        out: dict[str, list] = {}
        try:
            notes = self.icd.excludes1(dotted)
        except CodesetError:
            return out
        for note in notes:
            for r in note.refs:
                lo, hi = r.first.replace(".", ""), r.last.replace(".", "")
                for letter in {lo[:1], hi[:1]}:
                    out.setdefault(letter, []).append((lo, hi, note))
        return out

    def dx_bucket(self, d: date | None):
        """A key under which ICD-10-CM validity is the same for every date: the code-list snapshot
        in force on d, or d itself where only dated ranges answer."""
        got = self._bucket.get(d, _MISS)
        if got is _MISS:
            got = d
            if d is not None:
                best = None
                for p in self._periods:
                    if p["start"] <= d <= p["end"] and (best is None or p["start"] > best["start"]):
                        best = p
                if best is not None:
                    got = best["period"]
            self._bucket[d] = got
        return got

    # --- NCCI / MUE -------------------------------------------------------------------------
    def ptp_table(self, d: date, setting: str):
        """(Release, table) of the PTP edits for d, or None when no release covers d."""
        k = (d, setting)
        if k in self._ptp_rel:
            return self._ptp_rel[k]
        try:
            got = self.ncci.ptp.table_for(d, setting)
        except ReleaseNotLoaded:
            got = None
        self._ptp_rel[k] = got
        return got

    def mue_limit(self, code: str, d: date, setting: str):
        """MueLimit, None (no MUE for the code), or False (MUE not loaded for d)."""
        k = (code, _quarter(d), setting)
        got = self._mue.get(k, _MISS)
        if got is _MISS:
            try:
                got = self.mue.limit(code, d, setting)
            except ReleaseNotLoaded:
                got = False
            self._mue[k] = got
        return got

    def aoc(self, code: str, d: date):
        """{primary: type} of an add-on code on d; {} when not an add-on; None when not loaded."""
        k = (code, _quarter(d))
        got = self._aoc.get(k, _MISS)
        if got is _MISS:
            try:
                got = self.ncci.aoc.table_for(d).get(code, {})
            except ReleaseNotLoaded:
                got = None
            self._aoc[k] = got
        return got

    # --- views ------------------------------------------------------------------------------
    def make_view(self, claim: Claim) -> ClaimView:
        """The claim's `ClaimView`. Its flags are necessary conditions of the rules (`Rule.when`):
        each is set whenever the rule could yield a finding, so skipping the others changes nothing."""
        institutional = claim.kind == "institutional"
        setting = "outpatient_hospital" if institutional else "practitioner"
        groups: dict[tuple[str, date | None], list[Line]] = {}
        rendering = claim.rendering
        default_npi = rendering.npi if rendering else claim.billing.npi
        procs = self.procs
        pos_ok = self._pos_ok
        info = []
        flags: set[str] = set()
        add = flags.add
        em = surgery = minor = False
        dxs = claim.diagnoses
        nlim = min(len(dxs), 12)
        link = not dxs
        cpos = claim.pos
        # POS-INVALID checks the type of bill of institutional claims, the POS codes of the others
        ok = pos_ok.get(cpos)
        if ok is None:
            ok = self._pos_is_ok(cpos)
        pos_bad = institutional or not ok
        facts, mod_flags = self._facts, self._mod_flags
        qd = qkey = None
        g = gdate = gnpi = None
        for ln in claim.lines:
            code = ln.code
            d = ln.date
            if d is not None:
                if d is not qd:
                    qd, qkey = d, _quarter(d)
                lf = facts.get((code, qkey, setting))
                if lf is None:
                    lf = self._line_facts(code, d, qkey, setting)
                pi, mue_max, addon = lf
                if ln.units > mue_max:
                    add("mue")
                if addon:
                    add("aoc")
            else:
                pi = procs.get(code) or self.proc(code)
            info.append(pi)
            if pi.em:
                em = True
            else:
                gd = pi.global_days
                if gd == "010" or gd == "090":
                    surgery = True
                if gd == "000" or gd == "010":
                    minor = True
            if pi.level2:
                add("level2")
            if pi.cpt_check:
                add("cpt")
            mods = ln.modifiers
            if mods:
                mf = mod_flags.get(mods)
                if mf is None:
                    mf = self._mods_flags(mods)
                flags.update(mf)
            lpos = ln.pos
            if pi.pctc == "1" and (lpos or cpos) in FACILITY_POS:
                add("pctc")
            if lpos and not pos_bad:
                pos_bad = not (pos_ok.get(lpos) or self._pos_is_ok(lpos))
            if not link:
                p = ln.dx_pointers
                link = not p or min(p) < 1 or max(p) > nlim
            npi = ln.rendering_npi or default_npi
            if g is None or d != gdate or npi != gnpi:  # lines of one group are usually adjacent
                k = (npi, d)
                g = groups.get(k)
                if g is None:
                    g = groups[k] = []
                gdate, gnpi = d, npi
            if g:
                for x in g:
                    if x.code == code:  # a repeated code: duplicate lines, units per day
                        add("dup")
                        add("mue")
                        break
                add("multi")
            g.append(ln)
        if em:
            if minor:
                add("mod25")
            if surgery:
                add("global")
        if link:
            add("link")
        if pos_bad:
            add("pos")
        not_loaded: list[tuple[str, date]] | tuple = ()  # shared empty: no list per claim
        gaps = self._gaps
        for _npi, d in groups:
            if d is not None:
                gap = gaps.get((d, setting))
                if gap is None:
                    gap = gaps[(d, setting)] = self._gap(d, setting)
                if gap:
                    if not not_loaded:
                        not_loaded = []
                    not_loaded.extend(gap)
        if not_loaded:
            add("not_loaded")
        d0 = claim.from_date
        if dxs:
            if len(dxs) > 1:
                add("dx2")
            dk = self._dkey.get(d0)
            if dk is None:
                dk = self._dkey[d0] = (self.dx_bucket(d0), _half(d0))
            dxf = self._dx_flags
            for dx in dxs:
                key = dx.key
                f = dxf.get((key, dk))
                if f is None:
                    f = dxf[(key, dk)] = self._dx_flags_of(key, d0)
                if f:
                    flags.update(f)
        return ClaimView(setting, groups, info, (), not_loaded, claim.patient.age_on(d0), flags)

    def _line_facts(self, code: str, d: date, qkey, setting: str) -> tuple[ProcInfo, float, bool]:
        """(ProcInfo, MUE value or inf, add-on with listed primaries) of a code in a quarter."""
        lim = self.mue_limit(code, d, setting)
        prim = self.aoc(code, d)
        got = (self.procs.get(code) or self.proc(code), lim.value if lim else float("inf"),
               bool(prim) and not (len(prim) == 1 and "CCCCC" in prim))
        self._facts[(code, qkey, setting)] = got
        return got

    def _mods_flags(self, mods: tuple[str, ...]) -> tuple[str, ...]:
        out = ["mods"]
        if "25" in mods:
            out.append("mod25")
        if not _SIDE_MODS.isdisjoint(mods):
            out.append("bilat")
        if "26" in mods or "TC" in mods:
            out.append("pctc")
        if "59" in mods:
            out.append("mod59")
        if any(m not in self.mods for m in mods):
            out.append("modunk")
        got = self._mod_flags[mods] = tuple(out)
        return got

    def _pos_is_ok(self, c: str) -> bool:
        got = self._pos_ok.get(c)
        if got is None:
            got = self._pos_ok[c] = not pos_problem(c, self.pos)
        return got

    def _dx_flags_of(self, key: str, d: date | None) -> tuple[str, ...]:
        """Flags of one diagnosis on d: validity status, MCE edits present (by kind), MCE not loaded."""
        out = []
        st = self.dx_status(key, d)[0]
        if st != "ok":
            out.append("dx:" + st)
        e = self.mce_edits(key, d)
        if e is None:
            out.append("mce_nl")
        elif e[0]:
            names = e[0]
            out.append("mce")
            if "male" in names or "female" in names:
                out.append("mce_sex")
            if any(a in names for a in _AGE_EDITS):
                out.append("mce_age")
            if "manifestation" in names:
                out.append("mce_manifest")
        if self.unacceptable_principal(key, d) is not None:  # matters for the first diagnosis only
            out.append("pdx")
        return tuple(out)

    def _gap(self, d: date, setting: str) -> list[tuple[str, date]]:
        out = []
        if self.ptp_table(d, setting) is None:
            out.append(("PTP", d))
        if self.mue.release_for(d, setting) is None:
            out.append(("MUE", d))
        if self.ncci.aoc.release_for(d) is None:
            out.append(("add-on code", d))
        return out

    def unacceptable_principal(self, key: str, d: date | None):
        k = (key, _half(d))
        got = self._pdx.get(k, _MISS)
        if got is _MISS:
            try:
                got = self.mce.unacceptable_principal(key, d)
            except ReleaseNotLoaded:
                got = None
            self._pdx[k] = got
        return got


def _quarter(d: date) -> tuple[int, int]:
    """NCCI PTP, MUE and add-on releases are quarterly: one answer per code and quarter."""
    return d.year, (d.month - 1) // 3


def _half(d: date | None):
    """MCE versions take effect on October 1 and April 1: one answer per code and half."""
    return None if d is None else (d.year, 0 if d.month < 4 else 1 if d.month < 10 else 2)


_SHIFT = 26
_LOW = (1 << _SHIFT) - 1


def find_ptp(claims: list[Claim], views: list[ClaimView], ctx: Context) -> None:
    """Fill `view.ptp` for a chunk of claims with one `np.searchsorted` per PTP table.

    Candidates are the ordered pairs of distinct codes within one (provider, date) group; a hit
    is kept when the edit is in force on that date (effective ≤ date < deletion).
    """
    per_table: dict[int, tuple[object, list[int], list[tuple]]] = {}
    by_date: dict[tuple[date, str], tuple | None] = {}  # (date, setting) -> (bucket, day number) or None
    procs = ctx.procs
    for view in views:
        if "multi" not in view.flags:  # no (provider, date) group with two lines
            continue
        setting = view.setting
        for (_npi, d), lines in view.groups.items():
            if d is None or len(lines) < 2:
                continue
            where = by_date.get((d, setting), _MISS)
            if where is _MISS:
                got = ctx.ptp_table(d, setting)
                where = None
                if got is not None:
                    bucket = per_table.get(id(got[1]))
                    if bucket is None:
                        bucket = per_table[id(got[1])] = (got, [], [])
                    where = (bucket, day_number(d))
                by_date[(d, setting)] = where
            if where is None:
                continue
            (_got, keys, refs), day = where
            if len(lines) == 2:  # the common case: one pair, both orders
                a, b = lines
                ka, kb = procs[a.code].key, procs[b.code].key
                if ka >= 0 and kb >= 0 and a.code != b.code:
                    keys.append((ka << _SHIFT) | kb)
                    refs.append((view, a, b, day))
                    keys.append((kb << _SHIFT) | ka)
                    refs.append((view, b, a, day))
                continue
            coded = [(ln, procs[ln.code].key) for ln in lines]
            for a, ka in coded:
                if ka < 0:
                    continue
                hi = ka << _SHIFT
                for b, kb in coded:
                    if kb < 0 or a is b or a.code == b.code:
                        continue
                    keys.append(hi | kb)
                    refs.append((view, a, b, day))
    for (rel, t), keys, refs in per_table.values():
        if not keys:
            continue
        cand = np.fromiter(keys, dtype=np.int64, count=len(keys))
        lo = np.searchsorted(t.keys, cand)
        np.minimum(lo, t.n - 1, out=lo)
        hit = np.flatnonzero(t.keys[lo] == cand)
        if not len(hit):
            continue
        hits = hit.tolist()
        at = lo[hit]
        days = np.fromiter((refs[h][3] for h in hits), dtype=np.int64, count=len(hits))
        in_force = days < t.deletion[at]  # the first row of the pair, in force on the day
        if t.effective is not None:
            in_force &= t.effective[at] <= days
        rationales, label = t.rationales, rel.label
        for h, i, ok, mod, why in zip(hits, at.tolist(), in_force.tolist(), t.mod[at].tolist(),
                                      t.rationale[at].tolist(), strict=True):
            view, a, b, day = refs[h]
            if ok:
                view.flags.add("ptp")
                if not view.ptp:
                    view.ptp = []
                view.ptp.append(PtpHit(a, b, mod, rationales[why], label))
                continue
            key = keys[h]
            i += 1
            while i < t.n and t.keys[i] == key:  # a pair deleted and re-added appears more than once
                if day < t.deletion[i] and (t.effective is None or t.effective[i] <= day):
                    view.flags.add("ptp")
                    if not view.ptp:
                        view.ptp = []
                    view.ptp.append(PtpHit(a, b, int(t.mod[i]), t.rationales[t.rationale[i]], label))
                    break
                i += 1
