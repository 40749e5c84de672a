"""Ingestion: notes with encounter metadata (JSONL, CSV), FHIR R4 bundles, and X12 837.

Every input becomes a list of `EncounterRecord` (or a `Reject` with its position and reason);
each record is then written in its own transaction, so an encounter is either stored whole
or not at all. Ingestion is idempotent by source id: an encounter already stored is matched
by its `source_id`, a document by (encounter, document source id); re-ingesting the same
input changes nothing. A stored note is never rewritten: a different text under the same
document id is rejected (send an amendment under a new document id).

JSONL: one encounter per line. CSV: one encounter per row. Keys / columns::

    source_id (or encounter_id), patient_id, sex, birth_date, setting (outpatient|inpatient),
    specialty, provider, payer, service_date, discharge_date, billed_amount,
    diagnoses (list, or space/;-separated codes), procedures (list of {code, modifiers, units,
    charge}, or "CODE[:MOD…][xUNITS][=CHARGE]" separated by spaces or ;),
    document_id, note_kind, text (the note)
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..claims.model import parse_date
from ..store.db import transaction
from ..store.models import Document, Encounter, Patient
from . import audit
from .security import Actor

SETTINGS = ("outpatient", "inpatient")
FORMATS = ("jsonl", "csv", "fhir", "x12")
MAX_NOTE_CHARS = 1_000_000


@dataclass(slots=True)
class DocumentRecord:
    source_id: str
    text: str
    kind: str = "progress note"


@dataclass(slots=True)
class EncounterRecord:
    source_id: str
    position: str
    patient_id: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    setting: str = "outpatient"
    specialty: str | None = None
    provider: str | None = None
    payer: str | None = None
    service_date: date | None = None
    discharge_date: date | None = None
    billed_amount: float | None = None
    diagnoses: list[str] = field(default_factory=list)
    procedures: list[dict] = field(default_factory=list)
    documents: list[DocumentRecord] = field(default_factory=list)


@dataclass(slots=True)
class Reject:
    position: str
    reason: str
    source_id: str | None = None

    def to_dict(self) -> dict:
        return {"position": self.position, "source_id": self.source_id, "reason": self.reason}


@dataclass
class IngestReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Reject] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": [r.to_dict() for r in self.rejected],
                "counts": {"created": len(self.created), "updated": len(self.updated),
                           "unchanged": len(self.unchanged), "rejected": len(self.rejected)}}


class RecordError(ValueError):
    pass


# ------------------------------------------------------------------------------------ parsing
def _date(v: Any, name: str) -> date | None:
    try:
        return parse_date(v)
    except ValueError:
        raise RecordError(f"{name}: bad date {v!r} (YYYY-MM-DD)") from None


def _str(v: Any, name: str, limit: int = 128) -> str | None:
    if v in (None, ""):
        return None
    if isinstance(v, dict | list):
        raise RecordError(f"{name}: expected text, got {type(v).__name__}")
    s = str(v).strip()
    if "\x00" in s:
        raise RecordError(f"{name}: contains a NUL character")
    if len(s) > limit:
        raise RecordError(f"{name}: longer than {limit} characters")
    return s or None


_CODE = re.compile(r"^[A-Za-z0-9.]{3,10}$")


def _codes(v: Any, name: str) -> list[str]:
    if v in (None, ""):
        return []
    items = v if isinstance(v, list) else re.split(r"[\s;,]+", str(v).strip())
    out = []
    for x in items:
        c = (x.get("code") if isinstance(x, dict) else x)
        c = str(c or "").strip().upper()
        if not c:
            continue
        if not _CODE.match(c):
            raise RecordError(f"{name}: {c!r} is not a code")
        out.append(c)
    return out


_PROC = re.compile(r"^(?P<code>[A-Za-z0-9]{5})(?P<mods>(?::[A-Za-z0-9]{2})*)(?:x(?P<units>\d+(?:\.\d+)?))?"
                   r"(?:=(?P<charge>\d+(?:\.\d+)?))?$")


def _procedures(v: Any) -> list[dict]:
    """Billed procedure lines.

    >>> _procedures("99214:25=150 93000x1=35.5")
    [{'code': '99214', 'modifiers': ['25'], 'units': 1.0, 'charge': 150.0}, {'code': '93000', 'modifiers': [], 'units': 1.0, 'charge': 35.5}]
    """
    if v in (None, ""):
        return []
    out = []
    if isinstance(v, list):
        for i, x in enumerate(v):
            if isinstance(x, str):
                out.extend(_procedures(x))
                continue
            if not isinstance(x, dict) or not x.get("code"):
                raise RecordError(f"procedures[{i}]: needs a code")
            code = str(x["code"]).strip().upper()
            if not _CODE.match(code):
                raise RecordError(f"procedures[{i}]: {code!r} is not a code")
            mods = x.get("modifiers") or []
            if isinstance(mods, str):
                mods = mods.replace(",", " ").replace(":", " ").split()
            try:
                units, charge = float(x.get("units", 1) or 1), float(x.get("charge", 0) or 0)
            except (TypeError, ValueError):
                raise RecordError(f"procedures[{i}]: units and charge are numbers") from None
            out.append({"code": code, "modifiers": [str(m).upper() for m in mods][:4],
                        "units": units, "charge": charge})
        return out
    for tok in re.split(r"[\s;]+", str(v).strip()):
        if not tok:
            continue
        m = _PROC.match(tok)
        if not m:
            raise RecordError(f"procedures: cannot read {tok!r} (CODE[:MOD][xUNITS][=CHARGE])")
        out.append({"code": m["code"].upper(), "modifiers": [x.upper() for x in m["mods"].split(":") if x],
                    "units": float(m["units"] or 1), "charge": float(m["charge"] or 0)})
    return out


def record_from_mapping(d: dict, position: str) -> EncounterRecord:
    if not isinstance(d, dict):
        raise RecordError("an encounter is a JSON object")
    sid = _str(d.get("source_id") or d.get("encounter_id"), "source_id")
    if not sid:
        raise RecordError("missing source_id (the encounter's id in the source system)")
    setting = (_str(d.get("setting"), "setting", 16) or "outpatient").lower()
    if setting not in SETTINGS:
        raise RecordError(f"setting must be outpatient or inpatient, got {setting!r}")
    sex = _str(d.get("sex"), "sex", 16)
    if sex:
        sex = sex.upper()[:1]
        if sex not in ("F", "M", "U"):
            raise RecordError(f"sex must be F, M or U, got {d.get('sex')!r}")
    amount = d.get("billed_amount")
    try:
        amount = None if amount in (None, "") else float(amount)
    except (TypeError, ValueError):
        raise RecordError(f"billed_amount: not a number: {amount!r}") from None
    if amount is not None and not (0 <= amount < 1e9):
        raise RecordError("billed_amount out of range")
    text = d.get("text", d.get("note"))
    docs = []
    if text not in (None, ""):
        if not isinstance(text, str):
            raise RecordError("text: the note must be a string")
        if len(text) > MAX_NOTE_CHARS:
            raise RecordError(f"text: note longer than {MAX_NOTE_CHARS:,} characters")
        if "\x00" in text:
            raise RecordError("text: the note contains a NUL character")
        docs.append(DocumentRecord(_str(d.get("document_id"), "document_id") or f"{sid}-note",
                                   text, _str(d.get("note_kind"), "note_kind", 64) or "progress note"))
    rec = EncounterRecord(
        source_id=sid, position=position, patient_id=_str(d.get("patient_id"), "patient_id"), sex=sex,
        birth_date=_date(d.get("birth_date"), "birth_date"), setting=setting,
        specialty=_str(d.get("specialty"), "specialty", 64), provider=_str(d.get("provider"), "provider"),
        payer=_str(d.get("payer"), "payer"), service_date=_date(d.get("service_date"), "service_date"),
        discharge_date=_date(d.get("discharge_date"), "discharge_date"), billed_amount=amount,
        diagnoses=_codes(d.get("diagnoses"), "diagnoses"), procedures=_procedures(d.get("procedures")),
        documents=docs)
    if not rec.documents:
        raise RecordError("no note text ('text')")
    return rec


def parse_jsonl(data: str) -> list[EncounterRecord | Reject]:
    out: list[EncounterRecord | Reject] = []
    for n, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        pos = f"line {n}"
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            out.append(Reject(pos, f"not JSON: {e.msg}"))
            continue
        out.append(_guard(lambda d=d, pos=pos: record_from_mapping(d, pos), pos, d))
    return out


def parse_csv(data: str) -> list[EncounterRecord | Reject]:
    out: list[EncounterRecord | Reject] = []
    try:
        reader = csv.DictReader(io.StringIO(data))
        rows = list(enumerate(reader, start=2))
    except csv.Error as e:
        return [Reject("header", f"not CSV: {e}")]
    if reader.fieldnames is None or not ({"source_id", "encounter_id"} & set(reader.fieldnames)):
        return [Reject("header", "CSV needs a source_id (or encounter_id) column")]
    for n, row in rows:
        pos = f"row {n}"
        row = {k: v for k, v in row.items() if k is not None}
        out.append(_guard(lambda row=row, pos=pos: record_from_mapping(row, pos), pos, row))
    return out


def _guard(fn, pos: str, d) -> EncounterRecord | Reject:
    try:
        return fn()
    except RecordError as e:
        sid = d.get("source_id") or d.get("encounter_id") if isinstance(d, dict) else None
        return Reject(pos, str(e), str(sid) if sid else None)


# ------------------------------------------------------------------------------------ FHIR R4
def _ref(r: Any) -> str | None:
    if isinstance(r, dict):
        return r.get("reference")
    return None


def _coding_codes(cc: Any) -> list[str]:
    if not isinstance(cc, dict):
        return []
    return [str(c["code"]).strip().upper() for c in cc.get("coding") or () if isinstance(c, dict) and c.get("code")]


_TAGS = re.compile(r"<[^>]+>")


def _document_text(res: dict) -> str | None:
    for c in res.get("content") or ():
        att = (c or {}).get("attachment") or {}
        if att.get("data"):
            try:
                raw = base64.b64decode(att["data"], validate=True)
                return raw.decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                raise RecordError(f"DocumentReference/{res.get('id')}: attachment data is not base64 UTF-8 text") \
                    from None
    div = (res.get("text") or {}).get("div") if isinstance(res.get("text"), dict) else None
    if div:
        return html.unescape(_TAGS.sub("", str(div).replace("<br/>", "\n").replace("</p>", "\n"))).strip()
    return None


def parse_fhir(data: str) -> list[EncounterRecord | Reject]:
    try:
        bundle = json.loads(data)
    except json.JSONDecodeError as e:
        return [Reject("bundle", f"not JSON: {e.msg}")]
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return [Reject("bundle", "not a FHIR Bundle (resourceType must be 'Bundle')")]
    by_ref: dict[str, dict] = {}
    resources: list[dict] = []
    for e in bundle.get("entry") or ():
        res = (e or {}).get("resource") if isinstance(e, dict) else None
        if not isinstance(res, dict) or not res.get("resourceType"):
            continue
        resources.append(res)
        if res.get("id"):
            by_ref[f"{res['resourceType']}/{res['id']}"] = res
        if isinstance(e, dict) and e.get("fullUrl"):
            by_ref[str(e["fullUrl"])] = res
    encounters = [r for r in resources if r["resourceType"] == "Encounter"]
    if not encounters:
        return [Reject("bundle", "no Encounter resource in the bundle")]
    single = encounters[0] if len(encounters) == 1 else None

    def owner(res: dict, *refs) -> dict | None:
        for r in refs:
            if r and r in by_ref and by_ref[r]["resourceType"] == "Encounter":
                return by_ref[r]
        return single

    attached: dict[int, dict[str, list]] = {id(e): {"docs": [], "dx": [], "px": [], "claims": []}
                                            for e in encounters}
    out: list[EncounterRecord | Reject] = []
    for res in resources:
        rt = res["resourceType"]
        if rt == "DocumentReference":
            ctx = res.get("context") or {}
            encs = ctx.get("encounter") or [] if isinstance(ctx, dict) else []
            enc = owner(res, *[_ref(x) for x in encs])
            if enc is not None:
                attached[id(enc)]["docs"].append(res)
        elif rt in ("Condition", "Procedure"):
            enc = owner(res, _ref(res.get("encounter")))
            if enc is not None:
                attached[id(enc)]["dx" if rt == "Condition" else "px"].append(res)
        elif rt == "Claim":
            refs = [_ref(x) for it in res.get("item") or () for x in (it or {}).get("encounter") or ()]
            enc = owner(res, *refs)
            if enc is not None:
                attached[id(enc)]["claims"].append(res)
    for n, enc in enumerate(encounters, start=1):
        pos = f"Encounter {n} ({enc.get('id') or '?'})"
        try:
            out.append(_fhir_record(enc, attached[id(enc)], by_ref, pos))
        except RecordError as e:
            out.append(Reject(pos, str(e), _fhir_source_id(enc)))
    return out


def _fhir_source_id(enc: dict) -> str | None:
    for ident in enc.get("identifier") or ():
        if isinstance(ident, dict) and ident.get("value"):
            return str(ident["value"])
    return f"Encounter/{enc['id']}" if enc.get("id") else None


def _fhir_record(enc: dict, att: dict, by_ref: dict, pos: str) -> EncounterRecord:
    sid = _fhir_source_id(enc)
    if not sid:
        raise RecordError("Encounter has neither identifier nor id")
    cls = enc.get("class") or {}
    cls_code = str(cls.get("code") or "").upper() if isinstance(cls, dict) else ""
    setting = "inpatient" if cls_code in ("IMP", "ACUTE", "NONAC") else "outpatient"
    period = enc.get("period") or {}
    patient = by_ref.get(_ref(enc.get("subject")) or "") or {}
    provider = None
    for p in enc.get("participant") or ():
        ind = (p or {}).get("individual") or {}
        provider = ind.get("display") or _ref(ind)
        if provider:
            break
    stype = enc.get("serviceType") or {}
    specialty = stype.get("text") if isinstance(stype, dict) else None
    if not specialty and isinstance(stype, dict) and stype.get("coding"):
        specialty = stype["coding"][0].get("display") or stype["coding"][0].get("code")
    docs = []
    for d in att["docs"]:
        text = _document_text(d)
        if text is None:
            raise RecordError(f"DocumentReference/{d.get('id')}: no text (needs attachment.data or text.div)")
        if len(text) > MAX_NOTE_CHARS:
            raise RecordError(f"DocumentReference/{d.get('id')}: note too long")
        kind = (d.get("type") or {}).get("text") if isinstance(d.get("type"), dict) else None
        docs.append(DocumentRecord(f"DocumentReference/{d.get('id') or len(docs) + 1}", text,
                                   str(kind or "progress note")[:64]))
    dx = [c for r in att["dx"] for c in _coding_codes(r.get("code"))]
    px = [{"code": c, "modifiers": [], "units": 1.0, "charge": 0.0}
          for r in att["px"] for c in _coding_codes(r.get("code"))]
    payer, amount = None, None
    for cl in att["claims"]:
        ins = cl.get("insurer") or {}
        payer = payer or (ins.get("display") if isinstance(ins, dict) else None)
        tot = (cl.get("total") or {}).get("value") if isinstance(cl.get("total"), dict) else None
        if isinstance(tot, int | float):
            amount = float(tot)
        for dg in cl.get("diagnosis") or ():
            dx.extend(_coding_codes((dg or {}).get("diagnosisCodeableConcept")))
        for it in cl.get("item") or ():
            for c in _coding_codes((it or {}).get("productOrService")):
                net = ((it or {}).get("net") or {}).get("value")
                px.append({"code": c, "modifiers": [m for mm in (it.get("modifier") or ()) for m in _coding_codes(mm)],
                           "units": float(((it.get("quantity") or {}).get("value")) or 1),
                           "charge": float(net) if isinstance(net, int | float) else 0.0})
    if not docs:
        raise RecordError("Encounter has no DocumentReference with the note: nothing to code")
    return record_from_mapping({
        "source_id": sid, "patient_id": _fhir_source_id(patient) if patient else None,
        "sex": {"female": "F", "male": "M"}.get(str(patient.get("gender") or ""), None) if patient else None,
        "birth_date": patient.get("birthDate") if patient else None, "setting": setting,
        "specialty": specialty, "provider": provider, "payer": payer,
        "service_date": period.get("start") if isinstance(period, dict) else None,
        "discharge_date": (period.get("end") if setting == "inpatient" else None) if isinstance(period, dict) else None,
        "billed_amount": amount, "diagnoses": list(dict.fromkeys(dx)), "procedures": px,
        "text": docs[0].text, "document_id": docs[0].source_id, "note_kind": docs[0].kind,
    }, pos)


# ------------------------------------------------------------------------------------ X12 837
def parse_x12(data: str, engines) -> list[EncounterRecord | Reject]:
    """837P claims become encounters carrying their billed codes. An 837 carries no note, so an
    encounter from an 837 waits for its note (JSONL/CSV/FHIR under the same source id)."""
    from ..claims.io import Rejected

    try:
        claims = engines.read_837(data)
    except Exception as e:  # noqa: BLE001 - a reader failure is a reject, named
        return [Reject("interchange", f"cannot read the 837: {e}")]
    out: list[EncounterRecord | Reject] = []
    for n, c in enumerate(claims, start=1):
        if isinstance(c, Rejected):
            out.append(Reject(c.position, c.reason, c.claim_id))
            continue
        pos = f"claim {n} ({c.id})"
        try:
            out.append(EncounterRecord(
                source_id=_str(c.id, "claim id") or "", position=pos, patient_id=c.patient.id or None,
                sex=c.patient.sex if c.patient.sex in ("F", "M") else None, birth_date=c.patient.birth_date,
                setting="inpatient" if c.kind == "institutional" else "outpatient",
                provider=(c.rendering.name or c.rendering.npi) if c.rendering else (c.billing.name or c.billing.npi or None),
                payer=c.payer.name or c.payer.id or None, service_date=c.from_date,
                discharge_date=c.to_date if c.kind == "institutional" else None,
                billed_amount=c.total_charge, diagnoses=[d.code for d in c.diagnoses],
                procedures=[{"code": ln.code, "modifiers": list(ln.modifiers), "units": float(ln.units),
                             "charge": ln.charge} for ln in c.lines]))
        except RecordError as e:
            out.append(Reject(pos, str(e), c.id))
    return out


def sniff(data: str) -> str:
    """Guess the format from the content.

    >>> sniff('ISA*00*...'), sniff('{"resourceType": "Bundle"}'), sniff('{"source_id": 1}\\n'), sniff('source_id,text')
    ('x12', 'fhir', 'jsonl', 'csv')
    """
    head = data.lstrip()[:2000]
    if head.startswith("ISA"):
        return "x12"
    if head.startswith("{") and '"resourceType"' in head.split("\n", 1)[0] and "Bundle" in head:
        return "fhir"
    if head.startswith("{"):
        return "jsonl"
    return "csv"


def parse(data: str, fmt: str | None, engines=None) -> list[EncounterRecord | Reject]:
    fmt = fmt or sniff(data)
    if fmt == "jsonl":
        return parse_jsonl(data)
    if fmt == "csv":
        return parse_csv(data)
    if fmt == "fhir":
        return parse_fhir(data)
    if fmt == "x12":
        return parse_x12(data, engines)
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


# ------------------------------------------------------------------------------------ storing
def ingest(factory: sessionmaker[Session], actor: Actor, data: str, fmt: str | None = None,
           engines=None, source: str = "") -> IngestReport:
    report = IngestReport()
    for item in parse(data, fmt, engines):
        if isinstance(item, Reject):
            report.rejected.append(item)
            continue
        for attempt in range(2):
            try:
                with transaction(factory) as s:
                    outcome = store_record(s, item)
                    if outcome != "unchanged":
                        enc_id = s.scalar(select(Encounter.id).where(Encounter.source_id == item.source_id))
                        audit.record(s, actor, f"ingest.{outcome}", "encounter", enc_id, enc_id,
                                     source_id=item.source_id, documents=len(item.documents), source=source[:64])
                getattr(report, outcome).append(item.source_id)
                break
            except RecordError as e:
                report.rejected.append(Reject(item.position, str(e), item.source_id))
                break
            except IntegrityError:
                if attempt:  # a concurrent ingest of the same source id won the race twice
                    report.rejected.append(Reject(item.position, "conflicting concurrent ingest; retry",
                                                  item.source_id))
    return report


def store_record(s: Session, rec: EncounterRecord) -> str:
    """Write one encounter; returns 'created', 'updated' or 'unchanged'."""
    enc = s.scalar(select(Encounter).where(Encounter.source_id == rec.source_id))
    patient = None
    if rec.patient_id:
        patient = s.scalar(select(Patient).where(Patient.source_id == rec.patient_id))
        if patient is None:
            patient = Patient(source_id=rec.patient_id, sex=rec.sex, birth_date=rec.birth_date)
            s.add(patient)
            s.flush()
    billed = {"diagnoses": rec.diagnoses, "procedures": rec.procedures}
    if enc is None:
        enc = Encounter(source_id=rec.source_id, patient=patient, setting=rec.setting, specialty=rec.specialty,
                        provider=rec.provider, payer=rec.payer, service_date=rec.service_date,
                        discharge_date=rec.discharge_date, billed_codes=billed,
                        billed_amount=rec.billed_amount or sum(p["charge"] * 1 for p in rec.procedures),
                        status="new")
        enc.money_at_stake = enc.billed_amount
        s.add(enc)
        s.flush()
        for d in rec.documents:
            s.add(Document(encounter_id=enc.id, source_id=d.source_id, kind=d.kind, text=d.text,
                           sha256=hashlib.sha256(d.text.encode()).hexdigest()))
        s.flush()
        return "created"
    changed = False
    for d in rec.documents:
        digest = hashlib.sha256(d.text.encode()).hexdigest()
        old = s.scalar(select(Document).where(Document.encounter_id == enc.id, Document.source_id == d.source_id))
        if old is not None:
            if old.sha256 != digest:
                raise RecordError(f"document {d.source_id} already stored with a different text; "
                                  "send an amendment under a new document id")
            continue
        if enc.status == "finalized":
            raise RecordError("encounter is finalized: new documents are not accepted")
        s.add(Document(encounter_id=enc.id, source_id=d.source_id, kind=d.kind, text=d.text, sha256=digest))
        changed = True
    for attr in ("specialty", "provider", "payer", "service_date", "discharge_date"):
        if getattr(enc, attr) is None and getattr(rec, attr) is not None:
            setattr(enc, attr, getattr(rec, attr))
            changed = True
    if enc.patient_id is None and patient is not None:
        enc.patient = patient
        changed = True
    if not enc.billed_codes.get("diagnoses") and not enc.billed_codes.get("procedures") and \
            (rec.diagnoses or rec.procedures):
        enc.billed_codes = billed
        if not enc.billed_amount:
            enc.billed_amount = rec.billed_amount or sum(p["charge"] for p in rec.procedures)
            enc.money_at_stake = max(enc.money_at_stake, enc.billed_amount)
        changed = True
    if changed:
        s.flush()
        return "updated"
    return "unchanged"
