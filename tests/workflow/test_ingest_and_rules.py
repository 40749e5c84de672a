"""Ingestion formats (JSONL, CSV, FHIR R4 bundles, X12 837P), idempotency and per-encounter
transactions on both backends; query templates; the roles matrix."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import func, select

from coderight.claims.model import Claim
from coderight.claims.x12 import write_837p
from coderight.store.db import make_engine, session_factory, upgrade
from coderight.store.models import Document, Encounter
from coderight.workflow import ingest, queries, security
from coderight.workflow.errors import Forbidden, Invalid
from coderight.workflow.security import SYSTEM, Actor

NOTE = "Assessment:\n1. Acute maxillary sinusitis.\nPlan: amoxicillin.\n"


def bundle(enc_id: str, b64: bool = True) -> dict:
    doc = {"resourceType": "DocumentReference", "id": f"doc-{enc_id}", "status": "current",
           "context": {"encounter": [{"reference": f"Encounter/{enc_id}"}]}}
    if b64:
        doc["content"] = [{"attachment": {"contentType": "text/plain",
                                          "data": base64.b64encode(NOTE.encode()).decode()}}]
    else:
        doc["content"] = [{"attachment": {"contentType": "text/plain", "url": "http://elsewhere"}}]
        doc["text"] = {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>"
                       "Assessment:</p><p>1. Acute maxillary sinusitis.</p></div>"}
    return {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1980-04-02",
                      "identifier": [{"value": "MRN-1"}]}},
        {"resource": {"resourceType": "Encounter", "id": enc_id, "status": "finished",
                      "identifier": [{"value": f"FHIR-{enc_id}"}], "class": {"code": "AMB"},
                      "subject": {"reference": "Patient/p1"}, "period": {"start": "2025-10-01"},
                      "participant": [{"individual": {"display": "Dr. F. Hir"}}],
                      "serviceType": {"text": "family medicine"}}},
        {"resource": doc},
        {"resource": {"resourceType": "Condition", "id": "c1", "encounter": {"reference": f"Encounter/{enc_id}"},
                      "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "J01.00"}]}}},
        {"resource": {"resourceType": "Procedure", "id": "pr1", "encounter": {"reference": f"Encounter/{enc_id}"},
                      "code": {"coding": [{"code": "31231"}]}}},
        {"resource": {"resourceType": "Claim", "id": "cl1", "insurer": {"display": "Acme Health PPO"},
                      "total": {"value": 245.0},
                      "item": [{"sequence": 1, "encounter": [{"reference": f"Encounter/{enc_id}"}],
                                "productOrService": {"coding": [{"code": "99213"}]}, "net": {"value": 110.0}}]}},
    ]}


def test_fhir_bundle_base64_and_narrative():
    (rec,) = ingest.parse(json.dumps(bundle("e1")), None)
    assert rec.source_id == "FHIR-e1" and rec.documents[0].text == NOTE
    assert (rec.patient_id, rec.sex, rec.birth_date.isoformat()) == ("MRN-1", "F", "1980-04-02")
    assert (rec.setting, rec.provider, rec.specialty, rec.payer, rec.billed_amount) == \
        ("outpatient", "Dr. F. Hir", "family medicine", "Acme Health PPO", 245.0)
    assert rec.diagnoses == ["J01.00"] and [p["code"] for p in rec.procedures] == ["31231", "99213"]
    (rec,) = ingest.parse(json.dumps(bundle("e2", b64=False)), "fhir")
    assert "Acute maxillary sinusitis." in rec.documents[0].text and "<p>" not in rec.documents[0].text
    bad = bundle("e3")
    bad["entry"][2]["resource"]["content"][0]["attachment"]["data"] = "%%%not base64"
    (rej,) = ingest.parse(json.dumps(bad), "fhir")
    assert isinstance(rej, ingest.Reject) and "base64" in rej.reason
    assert "not a FHIR Bundle" in ingest.parse('{"resourceType": "Patient"}', "fhir")[0].reason


def test_csv_and_jsonl_records():
    csv_text = ("source_id,patient_id,sex,setting,payer,service_date,procedures,diagnoses,text\n"
                'C1,P1,F,outpatient,Medicare,2025-10-02,99213:25=110 20610=95,M17.11,"Assessment:\n1. Knee OA"\n'
                "C2,P2,X,outpatient,Medicare,2025-10-02,99213,,note\n")
    good, bad = ingest.parse(csv_text, "csv")
    assert good.procedures[0] == {"code": "99213", "modifiers": ["25"], "units": 1.0, "charge": 110.0}
    assert good.billed_amount is None and good.diagnoses == ["M17.11"]
    assert isinstance(bad, ingest.Reject) and bad.position == "row 3" and "sex" in bad.reason
    assert "source_id" in ingest.parse("a,b\n1,2\n", "csv")[0].reason


def test_x12_837p_becomes_encounters_with_billed_codes():
    c = Claim.from_dict({"id": "X837-1", "patient": {"id": "M1", "sex": "M", "birth_date": "1950-01-02",
                                                     "last_name": "DOE", "first_name": "JOHN"},
                         "payer": {"type": "medicare", "name": "MEDICARE", "id": "00882"},
                         "billing": {"npi": "1234567893", "name": "CLINIC"}, "pos": "11",
                         "diagnoses": ["I10", "E11.9"],
                         "lines": [{"code": "99214", "charge": 165, "date": "2025-09-30"}]})
    from coderight.codesets.codebook import Codebook
    from coderight.workflow.engines import Engines

    (rec,) = ingest.parse(write_837p([c]), None, Engines(Codebook()))
    assert rec.source_id == "X837-1" and rec.service_date.isoformat() == "2025-09-30"
    assert rec.diagnoses == ["I10", "E11.9"] and rec.procedures[0]["code"] == "99214"
    assert rec.billed_amount == 165 and rec.documents == []
    assert "X12" in ingest.parse("ISA*broken", "x12", Engines(Codebook()))[0].reason


@pytest.fixture(params=["sqlite", "postgresql"])
def factory(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'wf.db'}"
        upgrade(url)
        eng = make_engine(url)
        yield session_factory(eng)
        eng.dispose()
        return
    from coderight.store.testing import PostgresUnavailable, scratch_postgres

    try:
        with scratch_postgres("coderight_wf") as url:
            upgrade(url)
            eng = make_engine(url)
            yield session_factory(eng)
            eng.dispose()
    except PostgresUnavailable as e:
        pytest.fail(str(e))


def _counts(factory):
    with factory() as s:
        return s.scalar(select(func.count(Encounter.id))), s.scalar(select(func.count(Document.id)))


def test_idempotent_and_one_transaction_per_encounter(factory):
    data = json.dumps(bundle("e9"))
    r1 = ingest.ingest(factory, SYSTEM, data)
    r2 = ingest.ingest(factory, SYSTEM, data)
    assert (r1.created, r2.unchanged) == (["FHIR-e9"], ["FHIR-e9"])
    assert _counts(factory) == (1, 1)
    # an 837 first (codes, no note), then the note under the same source id: one encounter
    x = ingest.EncounterRecord("J-1", "x", diagnoses=["I10"], procedures=[{"code": "99213", "modifiers": [],
                                                                            "units": 1.0, "charge": 90.0}])
    with factory() as s, s.begin():
        assert ingest.store_record(s, x) == "created"
    rep = ingest.ingest(factory, SYSTEM, json.dumps({"source_id": "J-1", "text": NOTE}) + "\n")
    assert rep.updated == ["J-1"] and _counts(factory) == (2, 2)
    # a record that fails half-way leaves nothing behind: the patient it created is rolled back too
    lines = [json.dumps({"source_id": "K-1", "patient_id": "NEW-P", "text": NOTE}),
             json.dumps({"source_id": "FHIR-e9", "document_id": "DocumentReference/doc-e9", "patient_id": "NEW-Q",
                         "text": "changed"})]
    rep = ingest.ingest(factory, SYSTEM, "\n".join(lines))
    assert rep.created == ["K-1"] and "different text" in rep.rejected[0].reason
    from coderight.store.models import Patient

    with factory() as s:
        assert s.scalar(select(Patient.id).where(Patient.source_id == "NEW-Q")) is None
        assert s.scalar(select(Patient.id).where(Patient.source_id == "NEW-P")) is not None


def test_query_templates_do_not_lead():
    q, opts = queries.render("clinical-validation", "acute respiratory failure")
    assert "acute respiratory failure" in q and opts[-2:] == queries.ALWAYS
    with pytest.raises(Invalid, match="lead"):
        queries.render("specificity", "sepsis", ["Sepsis (adds an MCC)", "No sepsis"])
    with pytest.raises(Invalid, match="two"):
        queries.render("specificity", "anemia", ["Acute blood loss anemia"])
    with pytest.raises(Invalid, match="template"):
        queries.render("please-add-code", "x")


def test_each_role_only_its_actions():
    def can(role):
        return {p for p in security.PERMISSIONS if Actor(1, "u", role).can(p)}

    assert "review.write" in can("coder") and "claim.finalize" in can("coder")
    assert can("auditor") == {"worklist.read", "encounter.read", "note.read", "query.read", "claim.read",
                              "audit.read"}
    assert "user.admin" in can("admin") and not ({"note.read", "review.write"} & can("admin"))
    assert "review.write" not in can("cdi") and "query.write" in can("cdi")
    assert not any("audit.write" in p for p in security.PERMISSIONS)  # no role edits the audit log
    with pytest.raises(Forbidden):
        Actor(1, "u", "coder").require("user.admin")
    h = security.hash_password("correct horse")
    assert h.startswith("$argon2id$") and security.verify_password(h, "correct horse")
    assert not security.verify_password(h, "wrong")
