"""Claim readers and writers: JSON/JSONL/CSV, X12 837P (validated by pyx12) and 837I, FHIR R4."""

from __future__ import annotations

import io
from datetime import date

import orjson

from coderight.claims.fhir import from_fhir, read_fhir, to_bundle, to_fhir
from coderight.claims.io import Rejected, read_csv, read_json, read_jsonl, read_path
from coderight.claims.model import Claim
from coderight.claims.x12 import read_837, validate_837, write_837p


def _claims() -> list[Claim]:
    base = {
        "patient": {"id": "M123", "sex": "F", "birth_date": "1951-02-03", "last_name": "Roe", "first_name": "Ann",
                    "address": {"line1": "5 Elm St", "city": "Albany", "state": "NY", "zip": "122070001"}},
        "payer": {"type": "medicare", "id": "MCR01", "name": "Medicare Part B"},
        "billing": {"npi": "1234567893", "name": "Elm Clinic", "tax_id": "123456789",
                    "address": {"line1": "1 Main St", "city": "Albany", "state": "NY", "zip": "122070001"}},
        "rendering": {"npi": "1245319599", "specialty": "207Q00000X", "name": "Smith"},
        "pos": "11",
    }
    a = Claim.from_dict({**base, "id": "CLM001", "diagnoses": ["E11.9", "I10", {"code": "L82.1"}],
                         "lines": [
                             {"code": "99214", "modifiers": ["25"], "charge": 150, "dx_pointers": [1, 2],
                              "date": "2024-08-01"},
                             {"code": "11102", "charge": 120.5, "dx_pointers": [3], "date": "2024-08-01"},
                             {"code": "11103", "units": 2, "charge": 80, "dx_pointers": [3], "date": "2024-08-01"}]})
    b = Claim.from_dict({**base, "id": "CLM002", "payer": {"type": "commercial", "id": "BCBS"},
                         "diagnoses": ["M17.11"],
                         "lines": [{"code": "20610", "modifiers": ["RT"], "charge": 200, "date": "2024-08-02"},
                                   {"code": "J3301", "units": 4, "charge": 40, "date": "2024-08-02"}]})
    return [a, b]


def test_written_837p_validates_clean_with_pyx12():
    text = write_837p(_claims(), control=42)
    assert validate_837(text) == []


def test_837p_round_trip():
    claims = _claims()
    back = list(read_837(write_837p(claims)))
    assert all(isinstance(c, Claim) for c in back)
    for a, b in zip(claims, back, strict=True):
        assert b.id == a.id and b.pos == a.pos and b.payer.type == a.payer.type
        assert [(ln.code, ln.modifiers, ln.units, ln.charge, ln.dx_pointers, ln.date) for ln in b.lines] == \
               [(ln.code, ln.modifiers, ln.units, ln.charge, ln.dx_pointers, ln.date) for ln in a.lines]
        assert [d.code for d in b.diagnoses] == [d.code for d in a.diagnoses]
        assert b.patient.birth_date == a.patient.birth_date and b.patient.sex == "F"
        assert b.billing.npi == "1234567893" and b.rendering.npi == "1245319599"


def test_broken_segment_is_named_by_pyx12_and_by_the_reader():
    text = write_837p(_claims())
    bad = text.replace("DTP*472*D8*20240802", "DTP*472*D8*20241302", 1)
    issues = validate_837(bad)
    assert issues and issues[0].seg_id == "DTP" and issues[0].element == "DTP03"
    assert "segment" in str(issues[0]) and str(issues[0].position) in str(issues[0])
    got = list(read_837(bad))
    assert isinstance(got[0], Claim)  # the first claim is unaffected
    assert isinstance(got[1], Rejected) and got[1].claim_id == "CLM002"
    assert "DTP" in got[1].position and "bad date" in got[1].reason


def test_validating_reader_rejects_only_the_claim_with_the_error():
    text = write_837p(_claims()).replace("SV1*HC:11102*120.5*UN", "SV1*HC:11102*120.5*XX", 1)
    got = list(read_837(text, validate=True))
    assert isinstance(got[0], Rejected) and got[0].claim_id == "CLM001" and "SV1" in got[0].position
    assert isinstance(got[1], Claim)


def test_missing_isa_is_rejected_not_raised():
    got = list(read_837("GS*HC*X~ST*837*1~"))
    assert len(got) == 1 and isinstance(got[0], Rejected) and "ISA" in got[0].position


def test_837i_reader():
    isa = "ISA*00*          *00*          *ZZ*SUBMIT         *ZZ*RECEIVE        *240801*1200*^*00501*000000001*0*T*:~"
    segs = [
        "GS*HC*SUBMIT*RECEIVE*20240801*1200*1*X*005010X223A2", "ST*837*0001*005010X223A2",
        "BHT*0019*00*1*20240801*1200*CH", "HL*1**20*1", "NM1*85*2*GENERAL HOSPITAL*****XX*1234567893",
        "HL*2*1*22*0", "SBR*P*18*******MA", "NM1*IL*1*DOE*JOHN****MI*1EG4TE5MK73",
        "DMG*D8*19400101*M", "NM1*PR*2*MEDICARE*****PI*00001",
        "CLM*INST1*1500***13:A:1**A*Y*Y", "DTP*434*RD8*20240801-20240801", "CL1*1*7*01",
        "HI*ABK:I2510:::::::Y*ABF:E119:::::::N", "HI*BBR:0JH604Z:D8:20240801",
        "LX*1", "SV2*0450*HC:99284:25*1000*UN*1", "LX*2", "SV2*0320*HC:71046*500*UN*1", "SE*18*0001",
        "GE*1*1", "IEA*1*000000001"]
    text = isa + "~".join(segs) + "~"
    (c,) = list(read_837(text))
    assert c.kind == "institutional" and c.type_of_bill == "0131" and c.discharge_status == "01"
    assert [(d.code, d.poa) for d in c.diagnoses] == [("I25.10", "Y"), ("E11.9", "N")]
    assert c.procedures[0].code == "0JH604Z" and c.procedures[0].date == date(2024, 8, 1)
    assert [(ln.revenue_code, ln.code, ln.modifiers) for ln in c.lines] == [
        ("0450", "99284", ("25",)), ("0320", "71046", ())]
    assert all(ln.date == date(2024, 8, 1) for ln in c.lines) and c.payer.type == "medicare"


def test_fhir_round_trip():
    claims = _claims()
    inst = Claim.from_dict({"id": "I1", "kind": "institutional", "type_of_bill": "0111", "discharge_status": "01",
                            "admission_date": "2024-08-01", "diagnoses": [{"code": "I21.4", "poa": "Y"}],
                            "procedures": [{"code": "02703DZ", "date": "2024-08-02"}],
                            "lines": [{"code": "99223", "revenue_code": "0450", "charge": 900,
                                       "date": "2024-08-01", "to_date": "2024-08-03"}]})
    for c in [*claims, inst]:
        r = to_fhir(c)
        assert r["resourceType"] == "Claim" and r["item"]
        back = from_fhir(orjson.loads(orjson.dumps(r)))
        assert back == c, c.id
    bundle = to_bundle(claims)
    assert [x.id for x in read_fhir(bundle)] == ["CLM001", "CLM002"]


def test_json_jsonl_csv_readers_keep_going_on_bad_claims(tmp_path):
    good = _claims()[0].to_dict()
    doc = orjson.dumps([good, {"id": "BAD", "lines": [{"code": "99213", "units": "many"}]}, {"lines": []}])
    got = list(read_json(doc))
    assert isinstance(got[0], Claim)
    assert isinstance(got[1], Rejected) and got[1].claim_id == "BAD" and "lines[0]" in got[1].reason
    assert isinstance(got[2], Rejected) and "claim id" in got[2].reason
    lines = [orjson.dumps(good), b"{oops", orjson.dumps({"id": "X", "lines": [{"code": "99213"}],
                                                        "patient": {"sex": "Q"}})]
    got = list(read_jsonl(lines))
    assert isinstance(got[0], Claim) and got[1].position == "line 2" and "sex" in got[2].reason
    csv_text = ("claim_id,sex,birth_date,payer_type,billing_npi,pos,diagnoses,code,modifiers,units,charge,"
                "dx_pointers,line_date\n"
                "K1,M,1950-01-01,medicare,1234567893,11,I10;E11.9,99213,25,1,100,1 2,2024-08-01\n"
                "K1,M,1950-01-01,medicare,1234567893,11,I10;E11.9,11102,,1,90,2,2024-08-01\n"
                "K2,M,1950-01-01,medicare,1234567893,11,I10,99213,,1,100,1,2024-13-01\n")
    got = list(read_csv(io.StringIO(csv_text)))
    assert isinstance(got[0], Claim) and [ln.code for ln in got[0].lines] == ["99213", "11102"]
    assert got[0].lines[0].dx_pointers == (1, 2) and got[0].diagnoses[1].code == "E11.9"
    assert isinstance(got[1], Rejected) and got[1].claim_id == "K2"
    p = tmp_path / "claims.x12"
    p.write_text(write_837p(_claims()))
    assert [c.id for c in read_path(p)] == ["CLM001", "CLM002"]
