"""The one integration point between the service and the engines.

The workflow and the API never import an engine module directly: they call an `Engines`
object. `Engines` uses the real engines where they are installed in this tree
(`coderight.coding.encounter.code_encounter`, `coderight.claims` writers and readers,
`coderight.edits`) and says which one it used in `engine_version`; the small built-in
stand-ins below cover an engine not yet present, so that the service stays usable while
the engines are being written. `Engines.components()` tells which is which.
"""

from __future__ import annotations

import importlib
import json
import re
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from ..claims.io import Rejected
from ..claims.model import Claim, ClaimError, Diagnosis, Line, Patient, Payer, Provider


# --------------------------------------------------------------------------------------------
# What the workflow needs from the engines
@dataclass(slots=True)
class CodeDraft:
    kind: str  # dx, px, em
    code: str
    title: str = ""
    rank: int = 0
    confidence: float = 0.0
    evidence: list[dict] = field(default_factory=list)
    rationale: str = ""


@dataclass(slots=True)
class QueryDraft:
    topic: str
    question: str
    options: list[str] = field(default_factory=list)
    template: str = "clinical-validation"


@dataclass(slots=True)
class SuggestOutcome:
    codes: list[CodeDraft]
    queries: list[QueryDraft]
    data_versions: dict[str, str]
    engine_version: str
    duration_ms: float = 0.0


@dataclass(slots=True)
class EncounterContext:
    """What an engine may know about an encounter besides its note (minimum necessary)."""
    source_id: str
    setting: str = "outpatient"
    service_date: date | None = None
    discharge_date: date | None = None
    sex: str | None = None
    birth_date: date | None = None
    patient_id: str = ""
    payer: str | None = None
    provider: str | None = None
    specialty: str | None = None
    billed_lines: list[dict] = field(default_factory=list)


@dataclass(slots=True)
class FindingDraft:
    rule_id: str
    message: str
    family: str = ""
    severity: str = ""
    fix: str = ""
    source: str = ""
    line_no: int | None = None


class CodingEngines(Protocol):
    """The protocol the workflow codes against."""

    def suggest(self, text: str, ctx: EncounterContext) -> SuggestOutcome: ...
    def build_claim(self, ctx: EncounterContext, diagnoses: list[str], lines: list[dict]) -> Claim: ...
    def scrub(self, claim: Claim) -> list[FindingDraft]: ...
    def export(self, claim: Claim, fmt: str) -> str: ...
    def read_837(self, text: str) -> list[Claim | Any]: ...
    def components(self) -> dict[str, str]: ...


def _optional(module: str, attr: str):
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and module.startswith(e.name):
            return None
        raise
    return getattr(mod, attr, None)


PAYER_TYPE = {"medicare": "medicare", "medicaid": "medicaid"}


def payer_type(name: str | None) -> str:
    """Map a free-text payer name to the claim model's payer type.

    >>> payer_type("Medicare Part B"), payer_type("Acme Health PPO"), payer_type(None)
    ('medicare', 'commercial', 'other')
    """
    if not name:
        return "other"
    low = name.lower()
    for k, v in PAYER_TYPE.items():
        if k in low:
            return v
    return "commercial"


class Engines:
    """The engines, bound to one `Codebook` (loaded once, shared by every request)."""

    def __init__(self, codebook):
        self.codebook = codebook
        self._code_encounter = _optional("coderight.coding.encounter", "code_encounter")
        self._write_837 = (_optional("coderight.claims.x12", "write_837p")
                           or _optional("coderight.claims.x12", "write_837"))
        self._write_fhir = _optional("coderight.claims.fhir", "write_claim") or _optional(
            "coderight.claims.fhir", "to_fhir")
        self._read_837 = _optional("coderight.claims.x12", "read_837")
        self._edits_cls = _optional("coderight.edits.engine", "Engine")
        self._edits = None

    def components(self) -> dict[str, str]:
        """Which engine serves each step: 'engine' (the real one) or 'stand-in'."""
        def k(x):
            return "engine" if x is not None else "stand-in"
        return {"suggest": k(self._code_encounter), "x12_837p": k(self._write_837),
                "fhir_claim": k(self._write_fhir), "read_837": k(self._read_837), "edits": k(self._edits_cls)}

    @property
    def engine_version(self) -> str:
        from importlib.metadata import version

        c = self.components()
        return f"coderight {version('coderight')} (suggest: {c['suggest']}, edits: {c['edits']})"

    # ------------------------------------------------------------------ suggestions
    def suggest(self, text: str, ctx: EncounterContext) -> SuggestOutcome:
        t0 = time.perf_counter()
        if self._code_encounter is not None:
            out = self._from_coding_result(self._code_encounter(
                text, setting=ctx.setting, codebook=self.codebook, with_em=True,
                payer="medicare" if payer_type(ctx.payer) == "medicare" else "commercial"))
        else:
            out = _standin_suggest(self.codebook, text)
        out.engine_version = self.engine_version
        out.duration_ms = round((time.perf_counter() - t0) * 1000, 2)
        return out

    def _from_coding_result(self, res) -> SuggestOutcome:
        codes: list[CodeDraft] = []
        for kind, items in (("dx", getattr(res, "diagnoses", ()) or ()),
                            ("px", getattr(res, "procedures", ()) or ())):
            for i, d in enumerate(items):
                g = _getter(d)
                mods = g("modifiers") or ()
                codes.append(CodeDraft(
                    kind=kind, code=str(g("code")),
                    title=str(g("title") or g("label") or ""),
                    rank=int(g("rank") or i + 1),
                    confidence=float(g("confidence") or 0.0),
                    evidence=[_span(e) for e in (g("evidence") or ())],
                    rationale=_text(([f"modifiers {'-'.join(mods)}"] if mods else [])
                                    + ([g("rationale")] if isinstance(g("rationale"), str) else
                                       list(g("rationale") or ())))))
        em = getattr(res, "em", None)
        g = _getter(em) if em is not None else None
        if g is not None and g("code") and g("separately_billable") is not False:
            mods = g("modifiers") or ()
            codes.append(CodeDraft(kind="em", code=str(g("code")), title=str(g("title") or g("label") or ""),
                                   rank=1, confidence=float(g("confidence") or 0.0),
                                   evidence=[_span(e) for e in (g("evidence") or _em_evidence(em))],
                                   rationale=_text(([f"modifiers {'-'.join(mods)}"] if mods else [])
                                                   + list(g("rationale") or ()))))
        queries = []
        for q in getattr(res, "queries", ()) or ():
            kind = str(getattr(q, "kind", "") or "")
            queries.append(QueryDraft(
                topic=", ".join(getattr(q, "codes_at_stake", ()) or ()) or kind,
                question=str(getattr(q, "question", "") or q),
                options=[str(o) for o in (getattr(q, "options", ()) or ())],
                template=QUERY_TEMPLATE.get(kind, "specificity")))
        versions = getattr(res, "data_versions", None) or self.codebook.versions()
        return SuggestOutcome(codes, queries, dict(versions), "")

    # ------------------------------------------------------------------ claims
    def build_claim(self, ctx: EncounterContext, diagnoses: list[str], lines: list[dict]) -> Claim:
        """A professional claim from the accepted codes: diagnoses in sequence, one line per
        accepted procedure or E/M code, each pointing at the first four diagnoses."""
        dx = [Diagnosis(c) for c in diagnoses]
        ptrs = tuple(range(1, min(len(dx), 4) + 1)) or (1,)
        out_lines = [Line(code=ln["code"], modifiers=tuple(ln.get("modifiers") or ()),
                          units=ln.get("units") or 1, charge=float(ln.get("charge") or 0.0),
                          dx_pointers=tuple(ln.get("dx_pointers") or ptrs), date=ctx.service_date)
                     for ln in lines]
        return Claim(
            id=ctx.source_id, lines=out_lines, diagnoses=dx,
            patient=Patient(id=ctx.patient_id, sex=(ctx.sex or "U"), birth_date=ctx.birth_date),
            payer=Payer(type=payer_type(ctx.payer), name=ctx.payer or ""),
            billing=Provider(npi="", name=ctx.provider or ""),
            pos="21" if ctx.setting == "inpatient" else "11",
            from_date=ctx.service_date, to_date=ctx.discharge_date or ctx.service_date)

    def scrub(self, claim: Claim) -> list[FindingDraft]:
        if self._edits_cls is not None:
            if self._edits is None:
                self._edits = self._edits_cls(self.codebook)
            return [_finding(f) for f in self._edits.scrub(claim).findings]
        return _standin_scrub(self.codebook, claim)

    def export(self, claim: Claim, fmt: str) -> str:
        if fmt == "837p":
            if self._write_837 is not None:
                out = self._write_837([claim])
                return out.decode() if isinstance(out, bytes) else str(out)
            return _standin_837p(claim)
        if fmt == "fhir":
            if self._write_fhir is not None:
                out = self._write_fhir(claim)
                return out if isinstance(out, str) else json.dumps(out, indent=1)
            return json.dumps(_standin_fhir(claim), indent=1)
        raise ValueError(f"unknown export format {fmt!r} (837p or fhir)")

    def read_837(self, text: str) -> list:
        """Claims (`Claim`) or `Rejected` records, one per CLM."""
        if self._read_837 is not None:
            return list(self._read_837(text))
        out: list = []
        for i, d in enumerate(_standin_read_837(text), start=1):
            try:
                out.append(Claim.from_dict(d))
            except ClaimError as e:
                out.append(Rejected(f"claim {i}", str(e), d.get("id")))
        return out


QUERY_TEMPLATE = {"clinical_validation": "clinical-validation", "linkage": "cause-and-effect",
                  "etiology": "cause-and-effect", "poa": "present-on-admission"}


def _text(v) -> str:
    if isinstance(v, list | tuple):
        return "; ".join(str(x) for x in v)
    return str(v or "")


def _getter(o):
    """Read a field of an engine result given as an object or as its JSON-ready dict."""
    if isinstance(o, dict):
        return o.get
    return lambda k: getattr(o, k, None)


def _em_evidence(em) -> list:
    """An E/M dict's evidence: the counted MDM items' spans, then the documented time."""
    if not isinstance(em, dict):
        return []
    out = []
    for el in (em.get("elements") or {}).values():
        for it in el.get("items") or ():
            if it.get("counted", True):
                out.extend((it.get("evidence") or ())[:1])
    return out + list(em.get("time_evidence") or ())


def _span(e) -> dict:
    if isinstance(e, dict):
        return {k: e.get(k) for k in ("start", "end", "text")}
    return {"start": getattr(e, "start", None), "end": getattr(e, "end", None),
            "text": getattr(e, "text", None)}


def _finding(f) -> FindingDraft:
    g = (f.get if isinstance(f, dict) else lambda k, d=None: getattr(f, k, d))
    return FindingDraft(rule_id=str(g("rule", None) or g("rule_id", None) or g("id", "") or ""), message=str(g("message", "") or ""),
                        family=str(g("family", "") or ""), severity=str(g("severity", "") or ""),
                        fix=str(g("fix", "") or ""), source=str(g("source", "") or ""),
                        line_no=g("line", None) if isinstance(g("line", None), int) else g("line_no", None))


# --------------------------------------------------------------------------------------------
# Stand-ins: used only while the corresponding engine is absent from the tree.
_HEADER = re.compile(r"^\s*(assessment(\s*(and|&)\s*plan)?|impression|diagnos[ie]s|a/p)\s*:?\s*(.*)$", re.I)
_NEXT_HEADER = re.compile(r"^\s*[A-Z][A-Za-z /&]{2,40}:\s*$|^\s*(plan|disposition|orders)\s*:", re.I)
_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*•])?\s*(.+?)\s*$")


def _standin_suggest(codebook, text: str) -> SuggestOutcome:
    """Look each line of the assessment up in the ICD-10-CM search (stand-in for the engine)."""
    from ..codesets.search import search_codes

    codes: list[CodeDraft] = []
    seen: set[str] = set()
    pos, inside = 0, False
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\n")
        start = pos
        pos += len(raw)
        m = _HEADER.match(line)
        if m:
            inside = True
            rest = m.group(4).strip()
            if not rest:
                continue
            line_text, offset = rest, start + line.index(rest)
        elif inside and _NEXT_HEADER.match(line):
            inside = False
            continue
        elif inside and line.strip():
            item = _ITEM.match(line).group(1)
            line_text, offset = item, start + line.index(item)
        else:
            continue
        phrase = re.split(r"[,;:]| - ", line_text)[0].strip()
        if len(phrase) < 3:
            continue
        hits = [h for h in search_codes(codebook, phrase, limit=5) if h.billable]
        if not hits or hits[0].code in seen:
            continue
        h = hits[0]
        seen.add(h.code)
        ps = offset + line_text.index(phrase)
        codes.append(CodeDraft(kind="dx", code=h.code, title=h.title, rank=len(codes) + 1,
                               confidence=round(min(0.95, 0.4 + h.score / 10), 2),
                               evidence=[{"start": ps, "end": ps + len(phrase), "text": phrase}],
                               rationale=f"assessment line matched by search ({h.via})"))
    return SuggestOutcome(codes, [], codebook.versions(), "")


def _standin_scrub(codebook, claim: Claim) -> list[FindingDraft]:
    out: list[FindingDraft] = []
    tab = codebook.icd10cm
    if not claim.diagnoses:
        out.append(FindingDraft("STANDIN-DX-0", "the claim has no diagnosis", "claim", "error",
                                "add the diagnoses the note supports"))
    for d in claim.diagnoses:
        obj = tab.find(d.code)
        if obj is None:
            out.append(FindingDraft("STANDIN-DX-1", f"{d.code} is not an ICD-10-CM code", "validity",
                                    "error", "pick a valid code"))
        elif not obj.billable:
            out.append(FindingDraft("STANDIN-DX-2", f"{d.code} is a header, not billable", "validity",
                                    "error", "code to the highest specificity"))
    for ln in claim.lines:
        if any(p > len(claim.diagnoses) for p in ln.dx_pointers):
            out.append(FindingDraft("STANDIN-PTR-1", "a diagnosis pointer points past the diagnoses",
                                    "claim", "error", "fix the pointers", line_no=ln.number))
    return out


def _x12_date(d: date | None) -> str:
    return d.strftime("%Y%m%d") if d else ""


def _standin_837p(claim: Claim) -> str:
    """A minimal 005010X222A1 envelope around one claim (stand-in for the claims engine)."""
    now = time.gmtime()
    d8, t4 = time.strftime("%Y%m%d", now), time.strftime("%H%M", now)
    ctl = f"{abs(hash(claim.id)) % 10**9:09d}"
    segs = [
        f"ISA*00*          *00*          *ZZ*CODERIGHT      *ZZ*{(claim.payer.id or 'PAYER')[:15]:<15}*"
        f"{d8[2:]}*{t4}*^*00501*{ctl}*0*P*:",
        f"GS*HC*CODERIGHT*{claim.payer.id or 'PAYER'}*{d8}*{t4}*1*X*005010X222A1",
        "ST*837*0001*005010X222A1",
        f"BHT*0019*00*{claim.id[:30]}*{d8}*{t4}*CH",
        "NM1*41*2*CODERIGHT*****46*CODERIGHT", "PER*IC*BILLING*TE*0000000000",
        f"NM1*40*2*{(claim.payer.name or 'PAYER')[:60]}*****46*{claim.payer.id or 'PAYER'}",
        "HL*1**20*1", f"NM1*85*2*{(claim.billing.name or 'BILLING PROVIDER')[:60]}*****XX*{claim.billing.npi or '0000000000'}",
        "HL*2*1*22*0", "SBR*P*18*******" + ("MB" if claim.payer.type == "medicare" else "CI"),
        f"NM1*IL*1*PATIENT****MI*{claim.patient.id or 'UNKNOWN'}",
        f"DMG*D8*{_x12_date(claim.patient.birth_date)}*{claim.patient.sex}",
        f"NM1*PR*2*{(claim.payer.name or 'PAYER')[:60]}*****PI*{claim.payer.id or 'PAYER'}",
        f"CLM*{claim.id[:38]}*{claim.total_charge:.2f}***{claim.pos or '11'}:B:{claim.frequency}*Y*A*Y*Y",
    ]
    if claim.diagnoses:
        his = [("ABK" if i == 0 else "ABF") + ":" + d.key for i, d in enumerate(claim.diagnoses[:12])]
        segs.append("HI*" + "*".join(his))
    for ln in claim.lines:
        proc = ":".join(["HC", ln.code, *ln.modifiers])
        segs += [f"LX*{ln.number}",
                 f"SV1*{proc}*{ln.charge:.2f}*UN*{ln.units}***{':'.join(str(p) for p in ln.dx_pointers)}",
                 f"DTP*472*D8*{_x12_date(ln.date)}"]
    n = len(segs) - 2 + 1  # ST..SE inclusive
    segs += [f"SE*{n}*0001", "GE*1*1", f"IEA*1*{ctl}"]
    return "~\n".join(segs) + "~\n"


def _standin_fhir(claim: Claim) -> dict:
    return {
        "resourceType": "Claim", "id": claim.id, "status": "active",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                             "code": "professional"}]},
        "use": "claim", "created": (claim.from_date or date.today()).isoformat(),
        "patient": {"identifier": {"value": claim.patient.id}},
        "provider": {"display": claim.billing.name},
        "insurer": {"display": claim.payer.name},
        "priority": {"coding": [{"code": "normal"}]},
        "diagnosis": [{"sequence": i, "diagnosisCodeableConcept": {"coding": [
            {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": d.code}]}}
            for i, d in enumerate(claim.diagnoses, start=1)],
        "item": [{"sequence": ln.number, "diagnosisSequence": list(ln.dx_pointers),
                  "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": ln.code}]},
                  "modifier": [{"coding": [{"code": m}]} for m in ln.modifiers],
                  "servicedDate": ln.date.isoformat() if ln.date else None,
                  "quantity": {"value": ln.units}, "net": {"value": ln.charge, "currency": "USD"}}
                 for ln in claim.lines],
        "total": {"value": claim.total_charge, "currency": "USD"},
    }


def _standin_read_837(text: str) -> list[dict]:
    """Split an 837P into claim dicts (the shape `Claim.from_dict` reads) with the few fields the
    service keeps: claim id, subscriber, payer, providers, diagnoses, lines and dates."""
    text = text.strip()
    if not text.startswith("ISA") or len(text) < 106:
        raise ValueError("not an X12 interchange (no ISA header)")
    el, sub, term = text[3], text[104], text[105]
    segs = [s.strip() for s in text.split(term) if s.strip()]
    claims: list[dict] = []
    sub_ctx: dict = {}
    cur: dict | None = None
    nm1_ctx = ""
    for seg in segs:
        f = seg.split(el)
        tag = f[0]
        if tag == "HL":
            nm1_ctx = ""
            if len(f) > 3 and f[3] in ("20", "22"):
                if f[3] == "22":
                    sub_ctx = {}
        elif tag == "NM1" and len(f) > 1:
            nm1_ctx = f[1]
            ident = f[9] if len(f) > 9 else ""
            name = f[3] if len(f) > 3 else ""
            if f[1] == "IL":
                sub_ctx["patient"] = {"id": ident}
            elif f[1] == "PR":
                sub_ctx["payer"] = {"name": name, "id": ident, "type": sub_ctx.get("payer_type", "other")}
            elif f[1] == "85":
                sub_ctx["billing"] = {"npi": ident, "name": name}
            elif f[1] == "82" and cur is not None:
                cur["rendering"] = {"npi": ident, "name": " ".join(x for x in f[4:5] + f[3:4] if x)}
        elif tag == "DMG" and nm1_ctx in ("IL", "QC") and len(f) > 3:
            sub_ctx.setdefault("patient", {}).update({"birth_date": f[2], "sex": f[3]})
        elif tag == "SBR" and len(f) > 9:
            sub_ctx["payer_type"] = {"MB": "medicare", "MC": "medicaid"}.get(f[9], "commercial")
        elif tag == "CLM":
            cur = {"id": f[1], "diagnoses": [], "lines": [],
                   "pos": (f[5].split(sub)[0] if len(f) > 5 else ""), **{k: v for k, v in sub_ctx.items()}}
            claims.append(cur)
        elif tag == "HI" and cur is not None:
            for comp in f[1:]:
                parts = comp.split(sub)
                if len(parts) > 1 and parts[0] in ("ABK", "ABF", "BK", "BF"):
                    cur["diagnoses"].append(parts[1])
        elif tag == "SV1" and cur is not None:
            proc = f[1].split(sub)
            cur["lines"].append({"code": proc[1] if len(proc) > 1 else "", "modifiers": proc[2:6],
                                 "charge": float(f[2] or 0) if len(f) > 2 else 0.0,
                                 "units": float(f[4] or 1) if len(f) > 4 and f[4] else 1,
                                 "dx_pointers": [int(p) for p in (f[7].split(sub) if len(f) > 7 and f[7] else ["1"])]})
        elif tag == "DTP" and cur is not None and len(f) > 3 and f[1] in ("472", "434"):
            d = f[3].split("-")[0]
            if cur["lines"]:
                cur["lines"][-1]["date"] = d
            cur.setdefault("from_date", d)
    return claims
