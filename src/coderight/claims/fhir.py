"""FHIR R4 ``Claim`` in and out, as plain JSON dicts (no FHIR library needed).

Mapping (R4 ``Claim``): ``type`` professional / institutional (claim-type code system);
``patient`` → a contained ``Patient`` (gender, birthDate, identifier = member id); ``insurer`` →
a contained ``Organization`` with the payer id and our payer type as an extension-free ``type``
coding; ``provider`` → a contained ``Practitioner``/``Organization`` with the NPI;
``careTeam`` → the rendering provider (NPI, qualification = specialty); ``billablePeriod``;
``diagnosis`` (ICD-10-CM, ``onAdmission`` = POA, type principal for the first); ``procedure``
(ICD-10-PCS); ``supportingInfo`` for place of service? No: place of service is
``item.locationCodeableConcept`` (CMS POS code system); type of bill and discharge status are
``supportingInfo`` (NUBC code systems); ``item`` = lines (``productOrService`` CPT or HCPCS,
``modifier``, ``quantity``, ``net``, ``diagnosisSequence``, ``servicedDate``/``servicedPeriod``,
``revenue``).

>>> from coderight.claims.model import Claim
>>> c = Claim.from_dict({"id": "F1", "patient": {"sex": "M", "birth_date": "1960-03-04"},
...     "billing": {"npi": "1234567893"}, "pos": "11", "diagnoses": ["I10"],
...     "lines": [{"code": "99214", "modifiers": ["25"], "charge": 150, "date": "2024-08-01"}]})
>>> r = to_fhir(c)
>>> r["resourceType"], r["item"][0]["productOrService"]["coding"][0]["code"]
('Claim', '99214')
>>> from_fhir(r) == c
True
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from .io import Rejected
from .model import Address, Claim, ClaimError, Diagnosis, Line, Patient, Payer, Procedure, Provider

CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10PCS = "http://www.cms.gov/Medicare/Coding/ICD10"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
NPI = "http://hl7.org/fhir/sid/us-npi"
POA = "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/HospitalAcqCond/Coding"
REVENUE = "https://www.nubc.org/CodeSystem/RevenueCodes"
TOB = "https://www.nubc.org/CodeSystem/TypeOfBill"
DISCHARGE = "https://www.nubc.org/CodeSystem/PatDischargeStatus"
PAYER_TYPE = "urn:coderight:payer-type"
DX_TYPE = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype"
INFO = "http://terminology.hl7.org/CodeSystem/claiminformationcategory"
SEX_OUT = {"F": "female", "M": "male", "U": "unknown"}
SEX_IN = {"female": "F", "male": "M"}


def _money(x: float) -> dict:
    return {"value": round(float(x), 2), "currency": "USD"}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def to_fhir(c: Claim) -> dict:
    p = c.patient
    patient: dict = {"resourceType": "Patient", "id": "patient", "gender": SEX_OUT.get(p.sex, "unknown")}
    if p.id:
        patient["identifier"] = [{"type": {"text": "member id"}, "value": p.id}]
    if p.birth_date:
        patient["birthDate"] = p.birth_date.isoformat()
    if p.age is not None:
        patient["extension"] = [{"url": "urn:coderight:age", "valueInteger": p.age}]
    if p.last_name or p.first_name:
        patient["name"] = [{"family": p.last_name, "given": [p.first_name] if p.first_name else []}]
    if p.address:
        patient["address"] = [_addr_out(p.address)]
    insurer = {"resourceType": "Organization", "id": "insurer", "name": c.payer.name or c.payer.type,
               "type": [{"coding": [{"system": PAYER_TYPE, "code": c.payer.type}]}]}
    if c.payer.id:
        insurer["identifier"] = [{"value": c.payer.id}]
    if not c.payer.prefers_x_modifiers:
        insurer["extension"] = [{"url": "urn:coderight:prefers-x-modifiers", "valueBoolean": False}]
    provider = _org("billing", c.billing)
    contained = [patient, insurer, provider]
    out: dict = {
        "resourceType": "Claim", "id": c.id, "status": "active",
        "type": {"coding": [{"system": CLAIM_TYPE, "code": c.kind}]},
        "use": "claim",
        "patient": {"reference": "#patient"},
        "billablePeriod": {"start": _iso(c.from_date), "end": _iso(c.to_date)},
        "created": _iso(c.from_date),
        "insurer": {"reference": "#insurer"},
        "provider": {"reference": "#billing"},
        "priority": {"coding": [{"code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": c.payer.type}}],
        "total": _money(c.total_charge),
    }
    if c.rendering:
        contained.append(_org("rendering", c.rendering, "Practitioner"))
        team = {"sequence": 1, "provider": {"reference": "#rendering"}}
        if c.rendering.specialty:
            team["qualification"] = {"coding": [{"code": c.rendering.specialty}]}
        out["careTeam"] = [team]
    out["contained"] = contained
    info = []
    if c.type_of_bill:
        info.append({"category": {"coding": [{"system": INFO, "code": "info"}], "text": "typeofbill"},
                     "code": {"coding": [{"system": TOB, "code": c.type_of_bill}]}})
    if c.discharge_status:
        info.append({"category": {"coding": [{"system": INFO, "code": "discharge"}]},
                     "code": {"coding": [{"system": DISCHARGE, "code": c.discharge_status}]}})
    if c.admission_date:
        info.append({"category": {"coding": [{"system": INFO, "code": "admissionperiod"}]},
                     "timingPeriod": {"start": c.admission_date.isoformat()}})
    if c.frequency != "1":
        info.append({"category": {"coding": [{"system": INFO, "code": "info"}], "text": "frequency"},
                     "valueString": c.frequency})
    for i, x in enumerate(info, start=1):
        x["sequence"] = i
    if info:
        out["supportingInfo"] = info
    out["diagnosis"] = []
    for i, dx in enumerate(c.diagnoses, start=1):
        d = {"sequence": i, "diagnosisCodeableConcept": {"coding": [{"system": ICD10CM, "code": dx.code}]}}
        if i == 1:
            d["type"] = [{"coding": [{"system": DX_TYPE, "code": "principal"}]}]
        if dx.poa:
            d["onAdmission"] = {"coding": [{"system": POA, "code": dx.poa}]}
        out["diagnosis"].append(d)
    if c.procedures:
        out["procedure"] = [
            {"sequence": i, **({"date": p.date.isoformat()} if p.date else {}),
             "procedureCodeableConcept": {"coding": [{"system": ICD10PCS, "code": p.code}]}}
            for i, p in enumerate(c.procedures, start=1)]
    items = []
    for ln in c.lines:
        it: dict = {
            "sequence": ln.number,
            "productOrService": {"coding": [{"system": HCPCS if ln.code[:1].isalpha() else CPT,
                                             "code": ln.code}]},
            "quantity": {"value": ln.units},
            "net": _money(ln.charge),
        }
        if ln.dx_pointers:
            it["diagnosisSequence"] = list(ln.dx_pointers)
        if ln.modifiers:
            it["modifier"] = [{"coding": [{"code": m}]} for m in ln.modifiers]
        if ln.to_date and ln.to_date != ln.date:
            it["servicedPeriod"] = {"start": _iso(ln.date), "end": _iso(ln.to_date)}
        elif ln.date:
            it["servicedDate"] = ln.date.isoformat()
        pos = ln.pos or c.pos
        if pos:
            it["locationCodeableConcept"] = {"coding": [{"system": POS, "code": pos}]}
            if ln.pos:
                it["extension"] = [{"url": "urn:coderight:line-pos", "valueBoolean": True}]
        if ln.revenue_code:
            it["revenue"] = {"coding": [{"system": REVENUE, "code": ln.revenue_code}]}
        if ln.rendering_npi:
            it.setdefault("extension", []).append({"url": "urn:coderight:rendering-npi",
                                                   "valueString": ln.rendering_npi})
        items.append(it)
    out["item"] = items
    return out


def _addr_out(a: Address) -> dict:
    return {"line": [a.line1], "city": a.city, "state": a.state, "postalCode": a.zip}


def _addr_in(d: dict | None) -> Address | None:
    if not d:
        return None
    return Address((d.get("line") or [""])[0], d.get("city", ""), d.get("state", ""), d.get("postalCode", ""))


def _org(rid: str, p: Provider, rtype: str = "Organization") -> dict:
    o: dict = {"resourceType": rtype, "id": rid, "identifier": [{"system": NPI, "value": p.npi}]}
    if p.name:
        o["name"] = p.name if rtype == "Organization" else [{"text": p.name}]
    if p.tax_id:
        o["identifier"].append({"system": "urn:oid:2.16.840.1.113883.4.4", "value": p.tax_id})
    if p.specialty:
        o["extension"] = [{"url": "urn:coderight:specialty", "valueString": p.specialty}]
    if p.address:
        o["address"] = [_addr_out(p.address)]
    return o


def _provider_in(o: dict | None) -> Provider | None:
    if o is None:
        return None
    npi = tax = ""
    for ident in o.get("identifier") or ():
        if ident.get("system") == NPI:
            npi = ident.get("value", "")
        elif ident.get("system") == "urn:oid:2.16.840.1.113883.4.4":
            tax = ident.get("value", "")
    name = o.get("name") or ""
    if isinstance(name, list):
        name = (name[0] or {}).get("text", "") if name else ""
    spec = next((e.get("valueString", "") for e in o.get("extension") or ()
                 if e.get("url") == "urn:coderight:specialty"), "")
    return Provider(npi, spec, name, tax, _addr_in((o.get("address") or [None])[0]))


def _code(cc: dict | None) -> str:
    codings = (cc or {}).get("coding") or [{}]
    return str(codings[0].get("code") or "")


def _date(s) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(str(s)[:10])
    except ValueError:
        raise ClaimError(f"bad FHIR date {s!r}") from None


def from_fhir(r: dict) -> Claim:
    """A FHIR R4 Claim resource (dict) → `Claim`. Raises `ClaimError` naming the element."""
    if r.get("resourceType") != "Claim":
        raise ClaimError(f"not a FHIR Claim (resourceType {r.get('resourceType')!r})")
    cid = str(r.get("id") or "")
    if not cid:
        raise ClaimError("FHIR Claim without id")
    try:
        return _from_fhir(cid, r)
    except ClaimError as e:
        raise ClaimError(e.reason, cid, e.where) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
        raise ClaimError(f"malformed FHIR Claim: {e!r}", cid) from None


def _ref(r: dict, field: str) -> dict | None:
    ref = (r.get(field) or {}).get("reference", "")
    if ref.startswith("#"):
        return next((x for x in r.get("contained") or () if x.get("id") == ref[1:]), None)
    return None


def _from_fhir(cid: str, r: dict) -> Claim:
    pt = _ref(r, "patient") or {}
    age = next((e.get("valueInteger") for e in pt.get("extension") or () if e.get("url") == "urn:coderight:age"),
               None)
    name = (pt.get("name") or [{}])[0]
    patient = Patient(
        id=str(((pt.get("identifier") or [{}])[0]).get("value") or ""),
        sex=SEX_IN.get(pt.get("gender", ""), "U"), birth_date=_date(pt.get("birthDate")), age=age,
        last_name=name.get("family", ""), first_name=(name.get("given") or [""])[0],
        address=_addr_in((pt.get("address") or [None])[0]))
    ins = _ref(r, "insurer") or {}
    ptype = next((c.get("code") for t in ins.get("type") or () for c in t.get("coding") or ()
                  if c.get("system") == PAYER_TYPE), None) or (r.get("insurance") or [{}])[0].get(
        "coverage", {}).get("display") or "other"
    prefers = next((e.get("valueBoolean") for e in ins.get("extension") or ()
                    if e.get("url") == "urn:coderight:prefers-x-modifiers"), True)
    payer = Payer.from_dict({"type": ptype, "id": ((ins.get("identifier") or [{}])[0]).get("value", ""),
                             "name": ins.get("name", "") if ins.get("name") != ptype else ""})
    payer.prefers_x_modifiers = bool(prefers)
    billing = _provider_in(_ref(r, "provider")) or Provider()
    rendering = None
    for t in r.get("careTeam") or ():
        ref = (t.get("provider") or {}).get("reference", "")
        o = next((x for x in r.get("contained") or () if "#" + x.get("id", "") == ref), None)
        rendering = _provider_in(o)
        if rendering and t.get("qualification"):
            rendering.specialty = _code(t["qualification"])
        break
    kind = _code(r.get("type")) or "professional"
    tob = discharge = ""
    freq = "1"
    admit = None
    for info in r.get("supportingInfo") or ():
        cat = _code(info.get("category"))
        system = ((info.get("code") or {}).get("coding") or [{}])[0].get("system")
        if system == TOB:
            tob = _code(info["code"])
        elif system == DISCHARGE:
            discharge = _code(info["code"])
        elif cat == "admissionperiod":
            admit = _date((info.get("timingPeriod") or {}).get("start"))
        elif info.get("category", {}).get("text") == "frequency":
            freq = info.get("valueString", "1")
    dx = []
    for d in sorted(r.get("diagnosis") or (), key=lambda x: x.get("sequence", 0)):
        dx.append(Diagnosis(_code(d.get("diagnosisCodeableConcept")), _code(d.get("onAdmission"))))
    procs = [Procedure(_code(p.get("procedureCodeableConcept")), _date(p.get("date")))
             for p in sorted(r.get("procedure") or (), key=lambda x: x.get("sequence", 0))]
    lines = []
    claim_pos = ""
    for it in sorted(r.get("item") or (), key=lambda x: x.get("sequence", 0)):
        ext = {e.get("url"): e for e in it.get("extension") or ()}
        pos = _code(it.get("locationCodeableConcept"))
        line_pos = ""
        if "urn:coderight:line-pos" in ext:
            line_pos = pos
        elif pos and not claim_pos:
            claim_pos = pos
        period = it.get("servicedPeriod") or {}
        d1 = _date(it.get("servicedDate") or period.get("start"))
        d2 = _date(period.get("end")) if period else None
        units = (it.get("quantity") or {}).get("value", 1)
        if float(units) == int(units):
            units = int(units)
        lines.append(Line(
            code=_code(it.get("productOrService")),
            modifiers=tuple(_code(m) for m in it.get("modifier") or ()),
            units=units, charge=float((it.get("net") or {}).get("value", 0)),
            dx_pointers=tuple(int(x) for x in it.get("diagnosisSequence") or ()),
            date=d1, to_date=d2, pos=line_pos,
            rendering_npi=(ext.get("urn:coderight:rendering-npi") or {}).get("valueString", ""),
            revenue_code=_code(it.get("revenue")) if it.get("revenue") else ""))
    if not lines:
        raise ClaimError("a claim needs at least one item", where="Claim.item")
    period = r.get("billablePeriod") or {}
    return Claim(id=cid, lines=lines, diagnoses=dx, patient=patient, payer=payer, billing=billing,
                 rendering=rendering, kind=kind if kind in ("professional", "institutional") else "professional",
                 pos=claim_pos if kind != "institutional" else "", type_of_bill=tob,
                 from_date=_date(period.get("start")), to_date=_date(period.get("end")), frequency=freq,
                 procedures=procs, discharge_status=discharge, admission_date=admit)


def read_fhir(doc: dict, source: str = "") -> Iterator[Claim | Rejected]:
    """A Claim resource or a Bundle of them."""
    if doc.get("resourceType") == "Bundle":
        for i, e in enumerate(doc.get("entry") or (), start=1):
            res = e.get("resource") or {}
            if res.get("resourceType") == "Claim":
                yield from read_fhir(res, source)
            else:
                yield Rejected(f"Bundle.entry[{i - 1}]", f"not a Claim: {res.get('resourceType')!r}", None, source)
        return
    try:
        yield from_fhir(doc)
    except ClaimError as e:
        yield Rejected("Claim", str(e), e.claim_id or doc.get("id"), source)


def to_bundle(claims) -> dict:
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": to_fhir(c)} for c in claims]}
