"""The acceptance path over HTTP, on SQLite and on PostgreSQL: ingest → suggest → review →
query → finalize → 837 export, idempotent re-ingest, a 409 on a concurrent review, a 403 for a
coder's admin action, and every note read in the audit log. Real engines, no fakes."""

from __future__ import annotations

import json
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor

from coderight.claims.x12 import read_837

NOTE = """Chief complaint: shortness of breath.
HPI: 71-year-old man with heart failure, {marker}, presents with orthopnea and ankle swelling.
Exam: bibasilar crackles, 2+ edema. BNP 1,900.
Assessment:
1. Acute on chronic systolic heart failure.
2. Type 2 diabetes mellitus with hyperglycemia.
Plan: IV furosemide, daily weights, adjust insulin.
"""


def unique(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def encounter_line(source_id: str, payer: str, marker: str = "", **extra) -> str:
    d = {"source_id": source_id, "patient_id": f"P-{source_id}", "sex": "M", "birth_date": "1954-02-11",
         "setting": "outpatient", "specialty": "cardiology", "provider": "Dr. Test Provider", "payer": payer,
         "service_date": "2025-10-20", "procedures": "99214=180.00", "diagnoses": "I50.9",
         "text": NOTE.format(marker=marker or source_id)}
    d.update(extra)
    return json.dumps(d)


def _ingest(client, auth, body: str, fmt: str = "jsonl", role: str = "manager"):
    r = client.post(f"/ingest?format={fmt}", content=body.encode(), headers=auth(role))
    assert r.status_code == 200, r.text
    return r.json()


def _one(client, auth, payer: str) -> dict:
    r = client.get("/worklist", params={"payer": payer}, headers=auth("coder"))
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 1, r.json()
    return r.json()["items"][0]


def test_full_path_ingest_suggest_review_query_finalize_export(client, auth, caplog):
    caplog.set_level(logging.DEBUG)
    sid, payer, marker = unique("FLOW"), unique("Medicare"), unique("secret-note-marker")
    rep = _ingest(client, auth, encounter_line(sid, payer, marker) + "\n")
    assert rep["created"] == [sid] and rep["rejected"] == []

    enc = _one(client, auth, payer)
    assert enc["status"] == "new" and enc["money_at_stake"] == 180.0
    eid = enc["id"]

    r = client.post(f"/encounters/{eid}/suggest", headers=auth("coder"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["run"]["data_versions"] and out["run"]["engine_version"].startswith("coderight")
    sugg = out["suggestions"]
    assert any(s["kind"] == "dx" and s["origin"] == "engine" for s in sugg)
    assert all(s["evidence"] for s in sugg if s["origin"] == "engine")
    assert {"99214", "I50.9"} <= {s["code"] for s in sugg}  # billed codes join the review

    # CDI drafts a non-leading query and sends it; the encounter waits for the answer.
    r = client.post(f"/encounters/{eid}/queries", headers=auth("cdi"), json={
        "template": "specificity", "topic": "heart failure",
        "options": ["Acute on chronic systolic (congestive) heart failure", "Chronic diastolic heart failure"]})
    assert r.status_code == 201, r.text
    q = r.json()
    assert q["status"] == "draft" and "Clinically undetermined" in q["options"]
    r = client.post(f"/queries/{q['id']}/send", json={"version": q["version"]}, headers=auth("cdi"))
    assert r.status_code == 200 and r.json()["status"] == "sent"
    q = r.json()
    detail = client.get(f"/encounters/{eid}", headers=auth("coder")).json()
    assert detail["encounter"]["status"] == "query_pending"
    r = client.post(f"/encounters/{eid}/finalize", json={"version": detail["encounter"]["version"]},
                    headers=auth("coder"))
    assert r.status_code == 409 and "unanswered" in r.json()["error"]["message"]

    # The answer comes back; the coder records it with the code it changed, linked to the query.
    r = client.post(f"/queries/{q['id']}/answer", headers=auth("coder"), json={
        "version": q["version"], "answer": "Acute on chronic systolic (congestive) heart failure",
        "answered_by": "Dr. Test Provider", "encounter_version": detail["encounter"]["version"],
        "decisions": [{"action": "add", "kind": "dx", "code": "I50.23", "reason_code": "query-answer",
                       "sequence": 1}]})
    assert r.status_code == 200, r.text
    assert r.json()["query"]["status"] == "answered"
    linked = client.get(f"/queries/{q['id']}/decisions", headers=auth("auditor")).json()
    assert [(d["code"], d["action"], d["query_id"]) for d in linked] == [("I50.23", "add", q["id"])]

    # Review every suggestion: engine codes accepted, the unsupported billed dx rejected with a reason.
    detail = client.get(f"/encounters/{eid}", headers=auth("coder")).json()
    decisions = []
    for s in detail["suggestions"]:
        if s["kind"] == "dx" and s["code"] == "I50.9":  # the answer made it specific
            decisions.append({"suggestion_id": s["id"], "action": "reject", "reason_code": "less-specific"})
        elif s["kind"] != "dx" and s["code"] != "99214":  # the billed level is the one documented here
            decisions.append({"suggestion_id": s["id"], "action": "reject", "reason_code": "not-supported"})
        else:
            decisions.append({"suggestion_id": s["id"], "action": "accept"})
    r = client.post(f"/encounters/{eid}/decisions", headers=auth("coder"),
                    json={"version": detail["encounter"]["version"], "decisions": decisions})
    assert r.status_code == 200, r.text
    version = r.json()["encounter"]["version"]
    assert all(d["user_id"] and d["created_at"] for d in r.json()["decisions"])

    r = client.post(f"/queries/{q['id']}/close", json={"version": q["version"] + 1}, headers=auth("cdi"))
    assert r.status_code == 200 and r.json()["status"] == "closed"

    r = client.post(f"/encounters/{eid}/finalize", json={"version": version}, headers=auth("coder"))
    assert r.status_code == 201, r.text
    claim = r.json()
    assert claim["diagnoses"][0] == "I50.23" and "I50.9" not in claim["diagnoses"]
    assert len(set(claim["diagnoses"])) == len(claim["diagnoses"])
    assert [ln["code"] for ln in claim["lines"]] == ["99214"] and claim["total_charge"] == 180.0
    assert isinstance(claim["findings"], list)

    r = client.get(f"/claims/{claim['id']}/export", params={"format": "837p"}, headers=auth("coder"))
    assert r.status_code == 200 and r.text.startswith("ISA")
    back = list(read_837(r.text))
    assert back[0].id == sid.upper()  # X12 is upper case
    assert [d.code.replace(".", "") for d in back[0].diagnoses] == [c.replace(".", "") for c in claim["diagnoses"]]
    assert [ln.code for ln in back[0].lines] == ["99214"]
    r = client.get(f"/claims/{claim['id']}/export", params={"format": "fhir"}, headers=auth("auditor"))
    assert r.status_code == 200 and json.loads(r.text)["resourceType"] == "Claim"

    assert client.get(f"/encounters/{eid}", headers=auth("coder")).json()["encounter"]["status"] == "finalized"
    r = client.post(f"/encounters/{eid}/decisions", headers=auth("coder"),
                    json={"version": version + 1, "decisions": decisions[:1]})
    assert r.status_code == 409

    trail = client.get("/audit", params={"encounter_id": eid, "limit": 500}, headers=auth("auditor")).json()
    actions = [e["action"] for e in trail["items"]]
    for a in ("ingest.created", "suggest.run", "query.create", "query.sent", "query.answered", "review.decide",
              "query.closed", "claim.finalize", "claim.export"):
        assert a in actions, (a, actions)
    assert all(e["username"] and e["at"] and e["client"] for e in trail["items"])
    # no note text in the application logs, even at DEBUG
    assert marker not in caplog.text and "bibasilar crackles" not in caplog.text


def test_reingest_is_idempotent_and_rejects_have_reasons(client, auth):
    payer = unique("Payer")
    a, b = unique("IDEM"), unique("IDEM")
    body = encounter_line(a, payer) + "\n" + encounter_line(b, payer) + "\n"
    first = _ingest(client, auth, body)
    assert sorted(first["created"]) == sorted([a, b])
    again = _ingest(client, auth, body)
    assert again["created"] == [] and sorted(again["unchanged"]) == sorted([a, b])
    assert client.get("/worklist", params={"payer": payer}, headers=auth("coder")).json()["total"] == 2

    bad = "\n".join([
        encounter_line(a, payer, text="a different text under the same document id"),
        '{"source_id": "", "text": "x"}',
        "not json",
        encounter_line(unique("IDEM"), payer, setting="observation"),
        encounter_line(unique("IDEM"), payer, service_date="2025-13-45"),
        encounter_line(unique("IDEM"), payer, text=""),
    ])
    rep = _ingest(client, auth, bad)
    reasons = [r["reason"] for r in rep["rejected"]]
    assert rep["counts"]["rejected"] == 6 and rep["created"] == []
    assert "different text" in reasons[0] and "source_id" in reasons[1] and "not JSON" in reasons[2]
    assert "setting" in reasons[3] and "bad date" in reasons[4] and "no note text" in reasons[5]
    assert [r["position"] for r in rep["rejected"]] == [f"line {i}" for i in range(1, 7)]
    assert client.get("/worklist", params={"payer": payer}, headers=auth("coder")).json()["total"] == 2


def test_concurrent_review_conflict_is_409(client, auth):
    sid, payer = unique("CONC"), unique("Payer")
    _ingest(client, auth, encounter_line(sid, payer))
    eid = _one(client, auth, payer)["id"]
    assert client.post(f"/encounters/{eid}/suggest", headers=auth("coder")).status_code == 200
    detail = client.get(f"/encounters/{eid}", headers=auth("coder")).json()
    version, s0 = detail["encounter"]["version"], detail["suggestions"][0]

    def decide(action: str):
        body = {"version": version, "decisions": [
            {"suggestion_id": s0["id"], "action": action, "reason_code": None if action == "accept" else "not-supported"}]}
        return client.post(f"/encounters/{eid}/decisions", json=body, headers=auth("coder"))

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(decide, ["accept", "reject"] * 3))
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409, 409, 409, 409, 409], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 409).json()
    assert loser["error"]["code"] == "conflict" and loser["error"]["message"]
    # exactly one decision is on record for that suggestion
    detail = client.get(f"/encounters/{eid}", headers=auth("coder")).json()
    assert [d["suggestion_id"] for d in detail["decisions"]].count(s0["id"]) == 1
    assert detail["encounter"]["version"] == version + 1


def test_roles_are_enforced(client, auth):
    r = client.post("/users", json={"username": "eve-coder", "password": "long-enough-1", "role": "admin"},
                    headers=auth("coder"))
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden" and r.json()["error"]["detail"]["allowed_roles"] == ["admin"]
    assert client.get("/audit", headers=auth("coder")).status_code == 403
    assert client.get("/worklist", headers=auth("admin")).status_code == 403
    assert client.post("/ingest", content=b"{}", headers=auth("coder")).status_code == 403
    assert client.post("/encounters/1/decisions", json={"version": 1, "decisions": [{"action": "accept"}]},
                       headers=auth("auditor")).status_code == 403
    assert client.get("/worklist").status_code == 401
    assert client.get("/worklist", headers={"Authorization": "Bearer nope"}).status_code == 401
    r = client.post("/users", json={"username": unique("u"), "password": "long-enough-1", "role": "coder"},
                    headers=auth("admin"))
    assert r.status_code == 201 and r.json()["role"] == "coder"
    tok = client.post("/auth/token", json={"username": r.json()["username"], "password": "long-enough-1"})
    assert tok.status_code == 200 and tok.json()["role"] == "coder"
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {tok.json()['token']}"}).json()
    assert "review.write" in me["permissions"] and "user.admin" not in me["permissions"]
    assert client.post("/auth/token", json={"username": r.json()["username"], "password": "wrong-password"}
                       ).status_code == 401


def test_every_note_read_is_audited_and_the_log_is_read_only(client, auth):
    sid, payer = unique("READ"), unique("Payer")
    _ingest(client, auth, encounter_line(sid, payer))
    eid = _one(client, auth, payer)["id"]
    doc = client.get(f"/encounters/{eid}", headers=auth("coder")).json()["documents"][0]
    readers = ["coder", "coder", "cdi", "auditor", "manager"]
    for role in readers:
        r = client.get(f"/encounters/{eid}/documents/{doc['id']}", headers=auth(role))
        assert r.status_code == 200 and "orthopnea" in r.json()["text"]
    assert client.get(f"/encounters/{eid}/documents/{doc['id']}", headers=auth("admin")).status_code == 403
    trail = client.get("/audit", params={"encounter_id": eid, "action": "note.read"}, headers=auth("manager")).json()
    assert trail["total"] == len(readers)
    assert [e["username"] for e in trail["items"]] == [f"t-{r}" for r in readers]
    assert all(e["object_id"] == str(doc["id"]) and e["client"] for e in trail["items"])
    assert all("orthopnea" not in json.dumps(e) for e in trail["items"])
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)("/audit", headers=auth("admin")).status_code == 405


def test_worklist_filters_order_and_pagination(client, auth):
    payer = unique("Payer")
    lines = [encounter_line(unique("WL"), payer, procedures=f"99213={amt}", setting=setting, specialty=spec)
             for amt, setting, spec in [(100, "outpatient", "cardiology"), (900, "inpatient", "cardiology"),
                                        (300, "outpatient", "orthopedics"), (50, "outpatient", "cardiology")]]
    _ingest(client, auth, "\n".join(lines))
    page = client.get("/worklist", params={"payer": payer, "order": "money", "limit": 2},
                      headers=auth("coder")).json()
    assert page["total"] == 4 and page["limit"] == 2 and [e["money_at_stake"] for e in page["items"]] == [900, 300]
    page2 = client.get("/worklist", params={"payer": payer, "order": "money", "limit": 2, "offset": 2},
                       headers=auth("coder")).json()
    assert [e["money_at_stake"] for e in page2["items"]] == [100, 50]
    f = client.get("/worklist", params={"payer": payer, "setting": "outpatient", "specialty": "cardiology"},
                   headers=auth("coder")).json()
    assert f["total"] == 2
    assert client.get("/worklist", params={"payer": payer, "status": "finalized"},
                      headers=auth("coder")).json()["total"] == 0
    bad = client.get("/worklist", params={"order": "sideways"}, headers=auth("coder"))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid"


def test_errors_share_one_body(client, auth):
    for r in (client.get("/encounters/999999", headers=auth("coder")),
              client.get("/nowhere", headers=auth("coder")),
              client.get("/worklist"),
              client.post("/encounters/1/decisions", json={"version": "x"}, headers=auth("coder"))):
        body = r.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}, body
    assert client.get("/health").json()["status"] == "ok"
