"""X12 837 5010: write professional claims (837P, 005010X222A1); read 837P and 837I (005010X223A2).

Writing follows the implementation-guide loop order: interchange and group envelopes, header
(BHT), submitter (1000A) and receiver (1000B), one billing-provider HL (2000A/2010AA) per
billing NPI, one subscriber HL (2000B: SBR, 2010BA subscriber = patient, 2010BB payer) per claim,
the claim (2300: CLM, DTP, HI), the rendering provider (2310B) and the service lines (2400: LX,
SV1, DTP*472). Output validates clean with `pyx12` (see `validate_837`).

Reading maps the loops to `Claim` with our own segment walker (fast, tolerant: one bad claim is
reported and skipped, the next CLM starts afresh). Every problem names the segment id and its
position (segment number in the file, 1-based) and, where it applies, the element.
`validate_837(text)` runs the pyx12 implementation-guide validator and returns its findings with the
same segment naming; `read_837(..., validate=True)` rejects the claims those findings fall in.

>>> from coderight.claims.model import Claim
>>> c = Claim.from_dict({"id": "A1", "patient": {"sex": "F", "birth_date": "1950-01-02", "id": "M1",
...     "last_name": "DOE", "first_name": "JANE"}, "billing": {"npi": "1234567893"}, "pos": "11",
...     "diagnoses": ["I10"], "lines": [{"code": "99213", "charge": 100, "date": "2024-08-01"}]})
>>> text = write_837p([c], control=7)
>>> [s.strip().split("*")[0] for s in text.split("~")[:4]]
['ISA', 'GS', 'ST', 'BHT']
>>> back = [x for x in read_837(text)]
>>> back[0].lines[0].code, back[0].diagnoses[0].code, back[0].patient.sex
('99213', 'I10', 'F')
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from .io import Rejected
from .model import (
    Address,
    Claim,
    ClaimError,
    Diagnosis,
    Line,
    Patient,
    Payer,
    Procedure,
    Provider,
)

FILING = {"medicare": "MB", "medicaid": "MC", "commercial": "CI", "other": "ZZ"}
FILING_INST = {"medicare": "MA", "medicaid": "MC", "commercial": "CI", "other": "ZZ"}
PAYER_OF_FILING = {"MA": "medicare", "MB": "medicare", "16": "medicare", "MC": "medicaid", "CI": "commercial",
                   "BL": "commercial", "HM": "commercial", "12": "commercial", "13": "commercial",
                   "14": "commercial", "15": "commercial", "17": "commercial", "CH": "other", "VA": "other",
                   "WC": "other", "ZZ": "other", "11": "other", "TV": "other", "AM": "other", "DS": "other",
                   "OF": "other", "LM": "other", "LI": "other", "FI": "commercial"}


class X12Error(ClaimError):
    """A structural problem in an 837: names the segment id and its position."""

    def __init__(self, message: str, seg_id: str, position: int, element: str | None = None,
                 claim_id: str | None = None):
        self.seg_id, self.position, self.element = seg_id, position, element
        where = f"segment {position} ({seg_id}{'' if element is None else ', ' + element})"
        super().__init__(message, claim_id, where)


# ---------------------------------------------------------------------------------------------
# writing


def _clean(s: str, n: int | None = None) -> str:
    """X12 text: upper case, no delimiters."""
    out = "".join(ch for ch in str(s).upper() if ch not in "*~:^\n\r").strip()
    return out[:n] if n else out


def _d8(d: date | None) -> str:
    return (d or date.today()).strftime("%Y%m%d")


def _amount(x: float) -> str:
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return s or "0"


def _units(u: float) -> str:
    return str(int(u)) if float(u) == int(u) else f"{u:.3f}".rstrip("0")


def _addr(a: Address | None) -> list[list[str]]:
    a = a or Address("UNKNOWN", "UNKNOWN", "NY", "100010001")
    z = "".join(ch for ch in a.zip if ch.isdigit()) or "100010001"
    return [["N3", _clean(a.line1 or "UNKNOWN", 55)],
            ["N4", _clean(a.city or "UNKNOWN", 30), _clean(a.state or "NY", 2), z[:9]]]


def write_837p(claims: Iterable[Claim], sender: str = "CODERIGHT", receiver: str = "PAYER",
               control: int = 1, when: datetime | None = None, test: bool = True) -> str:
    """One interchange with one 837P transaction holding every claim (professional claims only)."""
    when = when or datetime.now()
    segs: list[list[str]] = []
    add = segs.append
    add(["BHT", "0019", "00", f"{control:04d}", when.strftime("%Y%m%d"), when.strftime("%H%M"), "CH"])
    add(["NM1", "41", "2", _clean(sender, 60), "", "", "", "", "46", _clean(sender, 80)])
    add(["PER", "IC", "BILLING OFFICE", "TE", "5555550100"])
    add(["NM1", "40", "2", _clean(receiver, 60), "", "", "", "", "46", _clean(receiver, 80)])
    by_billing: dict[str, list[Claim]] = {}
    for c in claims:
        if c.kind != "professional":
            raise ClaimError("the 837P writer takes professional claims only", c.id)
        by_billing.setdefault(c.billing.npi, []).append(c)
    hl = 0
    for _npi, group in by_billing.items():
        hl += 1
        parent = hl
        b = group[0].billing
        add(["HL", str(hl), "", "20", "1"])
        if b.specialty and len(b.specialty) == 10:
            add(["PRV", "BI", "PXC", b.specialty])
        add(["NM1", "85", "2", _clean(b.name or "BILLING PROVIDER", 60), "", "", "", "", "XX", b.npi])
        segs.extend(_addr(b.address))
        add(["REF", "EI", "".join(ch for ch in b.tax_id if ch.isdigit()) or "000000000"])
        for c in group:
            hl += 1
            _claim_segments(c, hl, parent, add, segs)
    body = [["ST", "837", "0001", "005010X222A1"]] + segs
    body.append(["SE", str(len(body) + 1), "0001"])
    ts = when
    isa = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", _clean(sender, 15).ljust(15), "ZZ",
           _clean(receiver, 15).ljust(15), ts.strftime("%y%m%d"), ts.strftime("%H%M"), "^", "00501",
           f"{control:09d}", "0", "T" if test else "P", ":"]
    gs = ["GS", "HC", _clean(sender, 15), _clean(receiver, 15), ts.strftime("%Y%m%d"), ts.strftime("%H%M"),
          str(control), "X", "005010X222A1"]
    out = [isa, gs, *body, ["GE", "1", str(control)], ["IEA", "1", f"{control:09d}"]]
    return "".join("*".join(_trim(s)) + "~\n" for s in out)


def _trim(seg: list[str]) -> list[str]:
    if seg[0] == "ISA":
        return seg
    while len(seg) > 1 and seg[-1] == "":
        seg = seg[:-1]
    return seg


def _claim_segments(c: Claim, hl: int, parent: int, add, segs) -> None:
    p = c.patient
    add(["HL", str(hl), str(parent), "22", "0"])
    add(["SBR", "P", "18", "", "", "", "", "", "", FILING.get(c.payer.type, "ZZ")])
    add(["NM1", "IL", "1", _clean(p.last_name or "UNKNOWN", 60), _clean(p.first_name or "UNKNOWN", 35),
         "", "", "", "MI", _clean(p.id or c.id, 80)])
    segs.extend(_addr(p.address))
    birth = p.birth_date
    if birth is None and p.age is not None and c.from_date:
        birth = date(c.from_date.year - p.age - 1, 12, 31) if False else date(c.from_date.year - p.age, 1, 1)
    if birth is not None:
        add(["DMG", "D8", _d8(birth), p.sex if p.sex in ("F", "M") else "U"])
    add(["NM1", "PR", "2", _clean(c.payer.name or c.payer.type, 60), "", "", "", "", "PI",
         _clean(c.payer.id or FILING.get(c.payer.type, "ZZ"), 80)])
    pos = c.pos or "11"
    add(["CLM", _clean(c.id, 38), _amount(c.total_charge), "", "", f"{pos}:B:{c.frequency or '1'}", "Y", "A",
         "Y", "Y"])
    if c.diagnoses:
        his = []
        for i, dx in enumerate(c.diagnoses[:12]):
            his.append(f"{'ABK' if i == 0 else 'ABF'}:{dx.key}")
        add(["HI", *his])
    r = c.rendering
    if r and r.npi and r.npi != c.billing.npi:
        add(["NM1", "82", "1", _clean(r.name or "RENDERING", 60), "PROVIDER", "", "", "", "XX", r.npi])
        if r.specialty and len(r.specialty) == 10:
            add(["PRV", "PE", "PXC", r.specialty])
    for ln in c.lines:
        add(["LX", str(ln.number)])
        proc = ":".join(["HC", ln.code, *ln.modifiers])
        ptrs = ":".join(str(x) for x in ln.dx_pointers[:4] if 1 <= x <= 12) or "1"
        add(["SV1", proc, _amount(ln.charge), "UN", _units(ln.units),
             ln.pos if ln.pos and ln.pos != pos else "", "", ptrs])
        if ln.to_date and ln.date and ln.to_date != ln.date:
            add(["DTP", "472", "RD8", f"{_d8(ln.date)}-{_d8(ln.to_date)}"])
        else:
            add(["DTP", "472", "D8", _d8(ln.date or c.from_date)])
        if ln.rendering_npi and ln.rendering_npi != c.rendering_npi:
            add(["NM1", "82", "1", "RENDERING", "PROVIDER", "", "", "", "XX", ln.rendering_npi])


# ---------------------------------------------------------------------------------------------
# reading


@dataclass(slots=True)
class Segment:
    id: str
    elements: list[str]
    position: int
    """1-based segment number in the file."""

    def get(self, i: int) -> str:
        return self.elements[i] if i < len(self.elements) else ""


def segments(text: str) -> tuple[list[Segment], str]:
    """Split an interchange into segments by the delimiters its ISA declares. Returns (segments,
    component separator). Raises X12Error on a missing or malformed ISA."""
    s = text.lstrip("\ufeff \r\n\t")
    if not s.startswith("ISA") or len(s) < 106:
        raise X12Error("not an X12 interchange: it must start with a 106-character ISA segment", "ISA", 1)
    elem, comp, term = s[3], s[104], s[105]
    if elem.isalnum() or term.isalnum():
        raise X12Error("cannot read the delimiters from the ISA segment", "ISA", 1, "ISA16")
    out = []
    for n, raw in enumerate(s.split(term), start=1):
        raw = raw.strip("\r\n\t ")
        if not raw:
            continue
        parts = raw.split(elem)
        sid = parts[0].strip()
        if not sid or not sid.isalnum() or len(sid) > 3:
            raise X12Error(f"malformed segment {raw[:20]!r}", sid or "?", n)
        out.append(Segment(sid, parts, len(out) + 1))
    return out, comp


def _date8(s: str, seg: Segment, el: str) -> date:
    try:
        return date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    except (ValueError, IndexError):
        raise X12Error(f"bad date {s!r} (CCYYMMDD)", seg.id, seg.position, el) from None


def _num(s: str, seg: Segment, el: str) -> float:
    try:
        return float(s)
    except ValueError:
        raise X12Error(f"bad number {s!r}", seg.id, seg.position, el) from None


class _State:
    """What the walker knows at a point of the file (the enclosing loops' data)."""

    def __init__(self):
        self.version = ""
        self.billing = Provider()
        self.subscriber = Patient()
        self.patient: Patient | None = None
        self.payer = Payer()
        self.hl_code = ""
        self.entity = ""


def read_837(text: str, source: str = "", validate: bool = False) -> Iterator[Claim | Rejected]:
    """Claims of an 837P or 837I interchange; a malformed claim becomes a `Rejected` naming the
    segment and position, and reading goes on with the next claim."""
    try:
        segs, comp = segments(text)
    except X12Error as e:
        yield Rejected(e.where or "segment 1", e.reason, None, source)
        return
    issues_by_pos: dict[int, list[X12Issue]] = {}
    if validate:
        for iss in validate_837(text):
            issues_by_pos.setdefault(iss.position, []).append(iss)
    st = _State()
    cur: dict | None = None
    cur_err: X12Error | None = None
    cur_start = 0

    def finish():
        nonlocal cur, cur_err
        if cur is None:
            return None
        got = None
        bad = [i for p in range(cur_start, cur["end"] + 1) for i in issues_by_pos.get(p, ())]
        if cur_err is not None:
            got = Rejected(cur_err.where or "", cur_err.reason, cur["id"], source)
        elif bad:
            got = Rejected(f"segment {bad[0].position} ({bad[0].seg_id})", "; ".join(i.message for i in bad),
                           cur["id"], source)
        else:
            try:
                got = _build_claim(cur, st)
            except X12Error as e:
                got = Rejected(e.where or "", e.reason, cur["id"], source)
            except ClaimError as e:
                got = Rejected(f"segment {cur_start} (CLM)", e.reason, cur["id"], source)
        cur, cur_err = None, None
        return got

    for seg in segs:
        sid = seg.id
        if cur is not None and sid in ("HL", "SE", "GE", "IEA", "CLM"):
            got = finish()
            if got is not None:
                yield got
        try:
            if sid == "ST":
                st.version = seg.get(3)
                if seg.get(1) != "837":
                    raise X12Error(f"transaction set {seg.get(1)!r} is not an 837", sid, seg.position, "ST01")
            elif sid == "HL":
                st.hl_code = seg.get(3)
                if st.hl_code == "22":
                    st.subscriber, st.patient, st.payer = Patient(), None, Payer()
                elif st.hl_code == "23":
                    st.patient = Patient()
                elif st.hl_code == "20":
                    st.billing = Provider()
                elif st.hl_code not in ("20", "22", "23"):
                    raise X12Error(f"unknown hierarchical level code {st.hl_code!r}", sid, seg.position, "HL03")
            elif cur is None:
                _header_segment(seg, st, comp)
                if sid == "CLM":
                    cur_start = seg.position
                    cur = {"id": seg.get(1), "clm": seg, "segs": [], "end": seg.position}
            else:
                cur["segs"].append(seg)
                cur["end"] = seg.position
        except X12Error as e:
            if cur is not None:
                cur_err = cur_err or e
            else:
                yield Rejected(e.where or "", e.reason, None, source)
        if sid == "CLM" and cur is None:
            pass
    got = finish()
    if got is not None:
        yield got


def _header_segment(seg: Segment, st: _State, comp: str) -> None:
    sid = seg.id
    if sid == "NM1":
        st.entity = seg.get(1)
        if st.entity == "85":
            st.billing.name = seg.get(3)
            st.billing.npi = seg.get(9)
        elif st.entity in ("IL", "QC"):
            p = Patient(id=seg.get(9), last_name=seg.get(3), first_name=seg.get(4))
            if st.entity == "IL":
                st.subscriber = p
            else:
                p.id = st.subscriber.id
                st.patient = p
        elif st.entity == "PR":
            st.payer.name, st.payer.id = seg.get(3), seg.get(9)
    elif sid == "PRV" and seg.get(1) == "BI":
        st.billing.specialty = seg.get(3)
    elif sid == "REF" and seg.get(1) == "EI" and st.entity == "85":
        st.billing.tax_id = seg.get(2)
    elif sid == "N3":
        a = Address(line1=seg.get(1))
        _target_address(st, a)
    elif sid == "N4":
        a = _current_address(st)
        if a is not None:
            a.city, a.state, a.zip = seg.get(1), seg.get(2), seg.get(3)
    elif sid == "DMG":
        p = st.patient if st.entity == "QC" and st.patient is not None else st.subscriber
        if seg.get(1) != "D8":
            raise X12Error(f"date format qualifier {seg.get(1)!r}, expected D8", sid, seg.position, "DMG01")
        p.birth_date = _date8(seg.get(2), seg, "DMG02")
        p.sex = seg.get(3) if seg.get(3) in ("F", "M") else "U"
    elif sid == "SBR":
        st.payer.type = PAYER_OF_FILING.get(seg.get(9), "other")


def _target_address(st: _State, a: Address) -> None:
    if st.entity == "85":
        st.billing.address = a
    elif st.entity == "IL":
        st.subscriber.address = a
    elif st.entity == "QC" and st.patient is not None:
        st.patient.address = a


def _current_address(st: _State) -> Address | None:
    if st.entity == "85":
        return st.billing.address
    if st.entity == "IL":
        return st.subscriber.address
    if st.entity == "QC" and st.patient is not None:
        return st.patient.address
    return None


_DX_QUAL = {"ABK": True, "BK": True, "ABF": False, "BF": False}
_PCS_QUAL = {"BBR": True, "BR": True, "BBQ": False, "BQ": False}


def _build_claim(cur: dict, st: _State) -> Claim:
    clm: Segment = cur["clm"]
    cid = clm.get(1)
    if not cid:
        raise X12Error("CLM01 (claim id) is empty", "CLM", clm.position, "CLM01")
    inst = "X223" in st.version
    c05 = clm.get(5).split(":") if clm.get(5) else []
    if len(c05) < 3:
        # a component separator other than ':' is rare; accept ISA16 too
        c05 = [x for x in clm.get(5).replace(">", ":").replace("^", ":").split(":")]
    if len(c05) < 1 or not c05[0]:
        raise X12Error("CLM05 (place of service / facility code) is empty", "CLM", clm.position, "CLM05")
    freq = c05[2] if len(c05) > 2 else "1"
    patient = st.patient or st.subscriber
    patient = Patient(patient.id or st.subscriber.id, patient.sex, patient.birth_date, patient.age,
                      patient.last_name, patient.first_name, patient.address)
    dx: list[Diagnosis] = []
    procs: list[Procedure] = []
    lines: list[Line] = []
    rendering: Provider | None = None
    discharge = ""
    from_d = to_d = admit = None
    line: Line | None = None
    entity = ""
    for seg in cur["segs"]:
        sid = seg.id
        if sid == "HI":
            for k, el in enumerate(seg.elements[1:], start=1):
                if not el:
                    continue
                parts = el.split(":") if ":" in el else el.replace(">", ":").split(":")
                q = parts[0]
                if q in _DX_QUAL:
                    if len(parts) < 2 or not parts[1]:
                        raise X12Error("diagnosis code missing", sid, seg.position, f"HI{k:02d}")
                    poa = parts[8] if len(parts) > 8 else ""
                    dx.append(Diagnosis(_dot(parts[1]), poa))
                elif q in _PCS_QUAL:
                    d = _date8(parts[3], seg, f"HI{k:02d}-4") if len(parts) > 3 and parts[3] else None
                    procs.append(Procedure(parts[1], d))
        elif sid == "NM1":
            entity = seg.get(1)
            if entity == "82":
                if line is None:
                    rendering = Provider(npi=seg.get(9), name=seg.get(3))
                else:
                    line.rendering_npi = seg.get(9)
        elif sid == "PRV" and seg.get(1) in ("PE", "AT") and entity in ("82", "71") and rendering:
            rendering.specialty = seg.get(3)
        elif sid == "CL1":
            discharge = seg.get(3)
        elif sid == "DTP":
            q, fmt, val = seg.get(1), seg.get(2), seg.get(3)
            if fmt == "D8":
                d1 = d2 = _date8(val, seg, "DTP03")
            elif fmt == "RD8":
                a, _, b = val.partition("-")
                d1, d2 = _date8(a, seg, "DTP03"), _date8(b, seg, "DTP03")
            elif fmt == "DT":
                d1 = d2 = _date8(val[:8], seg, "DTP03")
            else:
                raise X12Error(f"date format {fmt!r}", sid, seg.position, "DTP02")
            if q == "472" and line is not None:
                line.date, line.to_date = d1, (d2 if d2 != d1 else None)
            elif q == "434":
                from_d, to_d = d1, d2
            elif q == "435":
                admit = d1
        elif sid == "LX":
            line = None
        elif sid in ("SV1", "SV2"):
            line = _service_line(seg, inst or sid == "SV2")
            lines.append(line)
    if not lines:
        raise X12Error("claim has no service lines (2400 loop)", "CLM", clm.position)
    kind = "institutional" if inst or any(ln.revenue_code for ln in lines) else "professional"
    for ln in lines:
        if ln.date is None:
            ln.date = from_d
    if kind == "professional":
        for ln in lines:
            if ln.date is None:
                raise X12Error("service line has no date (DTP*472)", "LX", clm.position)
    claim = Claim(
        id=cid, lines=lines, diagnoses=dx, patient=patient,
        payer=Payer(st.payer.type, st.payer.id, st.payer.name),
        billing=Provider(st.billing.npi, st.billing.specialty, st.billing.name, st.billing.tax_id,
                         st.billing.address),
        rendering=rendering, kind=kind,
        pos=c05[0] if kind == "professional" else "",
        type_of_bill=("0" + c05[0] + freq) if kind == "institutional" else "",
        from_date=from_d, to_date=to_d, frequency=freq, procedures=procs, discharge_status=discharge,
        admission_date=admit)
    return claim


def _dot(code: str) -> str:
    c = code.strip().upper()
    return c if len(c) <= 3 or "." in c else c[:3] + "." + c[3:]


def _service_line(seg: Segment, inst: bool) -> Line:
    if inst:  # SV2: revenue code, procedure composite, charge, unit basis, units
        rev = seg.get(1)
        proc = seg.get(2)
        charge_el, units_el, unit_idx = 3, 5, "SV205"
        ptrs: tuple[int, ...] = (1,)
    else:
        rev = ""
        proc = seg.get(1)
        charge_el, units_el, unit_idx = 2, 4, "SV104"
        p = seg.get(7)
        try:
            ptrs = tuple(int(x) for x in p.split(":") if x) if p else ()
        except ValueError:
            raise X12Error(f"bad diagnosis pointer {p!r}", seg.id, seg.position, "SV107") from None
    parts = proc.split(":") if proc else []
    if inst and not parts:
        code, mods = "", ()
    else:
        if len(parts) < 2 or parts[0] not in ("HC", "ER", "WK", "IV", "HP"):
            raise X12Error(f"procedure composite {proc!r} must be HC:code[:modifiers]", seg.id, seg.position,
                           f"{seg.id}0{1 if not inst else 2}")
        code, mods = parts[1], tuple(m for m in parts[2:6] if m)
    if not code and not rev:
        raise X12Error("line has neither a procedure code nor a revenue code", seg.id, seg.position)
    charge = _num(seg.get(charge_el) or "0", seg, f"{seg.id}0{charge_el}")
    units = _num(seg.get(units_el) or "1", seg, unit_idx)
    if units == int(units):
        units = int(units)
    pos = seg.get(5) if not inst else ""
    return Line(code or rev, mods, units, charge, ptrs, None, None, pos, "", rev)


# ---------------------------------------------------------------------------------------------
# validation by pyx12


@dataclass(slots=True)
class X12Issue:
    seg_id: str
    position: int
    """1-based segment number in the file (pyx12's count within the interchange)."""
    element: str
    code: str
    message: str

    def __str__(self) -> str:
        el = f", {self.element}" if self.element else ""
        return f"segment {self.position} ({self.seg_id}{el}): {self.message} [{self.code}]"


def validate_837(text: str) -> list[X12Issue]:
    """Validate an 837 against the 5010 implementation guide with pyx12; [] when clean."""
    import pyx12.params
    import pyx12.x12n_document

    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    param = pyx12.params.params()
    out = io.StringIO()
    try:
        ok = pyx12.x12n_document.x12n_document(param, io.StringIO(text), None, None, None, fd_json=out)
    except Exception as e:  # noqa: BLE001 - pyx12 raises on badly broken envelopes
        return [X12Issue("ISA", 1, "", "ENGINE", f"pyx12 could not read the interchange: {e}")]
    issues = _issues_from_json(out.getvalue())
    if not ok and not issues:
        issues.append(X12Issue("ISA", 1, "", "INVALID", "pyx12 reports the interchange invalid"))
    return issues


def _issues_from_json(doc: str) -> list[X12Issue]:
    """pyx12's JSON error tree (interchange / group / transaction / segment / element) → issues."""
    if not doc.strip():
        return []
    out: list[X12Issue] = []

    def err(e: dict, sid: str, pos: int, element: str) -> None:
        out.append(X12Issue(sid, pos, element, str(e.get("err_cde") or e.get("code") or ""),
                            str(e.get("err_str") or e.get("msg") or e)))

    def walk(node, level_id: str) -> None:
        if isinstance(node, list):
            for x in node:
                walk(x, level_id)
            return
        if not isinstance(node, dict):
            return
        sid = node.get("seg_id") or ("ISA" if "isa_trn_set_id" in node else "GS" if "gs_control_num" in node
                                     else "ST" if "trn_set_id" in node else level_id)
        pos = int(node.get("cur_line") or 0)
        for e in node.get("errors") or ():
            if isinstance(e, dict):
                err(e, e.get("seg_id") or sid, int(e.get("cur_line") or pos), "")
        for el in node.get("elements") or ():
            for e in el.get("errors") or ():
                n = el.get("ele_pos")
                sub = el.get("subele_pos")
                name = f"{sid}{int(n):02d}" if n else ""
                if sub:
                    name += f"-{sub}"
                err(e, sid, pos, name)
        for k in ("groups", "transactions", "segments"):
            walk(node.get(k) or [], sid)

    walk(json.loads(doc).get("interchanges", []), "ISA")
    return out
