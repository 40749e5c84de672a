"""`coderight suggest` (single and batch, with bad notes) and `coderight eval dx`."""

from __future__ import annotations

import json

import pytest

from coderight.cli.main import main
from coderight.coding.evaluate import load_gold, score


@pytest.fixture(autouse=True)
def _env(monkeypatch, coder, codebook, mirror):
    monkeypatch.setenv("CODERIGHT_CACHE_DIR", str(codebook.cache.root))
    monkeypatch.setenv("CODERIGHT_DATA_MIRROR", mirror)


def test_suggest_report_and_json(tmp_path, capsys):
    note = tmp_path / "visit.txt"
    note.write_text("ASSESSMENT AND PLAN\n1. Type 2 diabetes with CKD stage 3a.\n2. Heart failure.\n")
    assert main(["suggest", str(note)]) == 0
    out = capsys.readouterr().out
    assert "E11.22" in out and "N18.31" in out and "Queries" in out
    assert main(["suggest", str(note), "--json", "--setting", "inpatient"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["setting"] == "inpatient" and res["diagnoses"][0]["code"] == "E11.22"


def test_batch_directory_and_jsonl_with_bad_notes(tmp_path, capsys):
    d = tmp_path / "notes"
    d.mkdir()
    (d / "a.txt").write_text("HTN.")
    (d / "empty.txt").write_text("   ")
    (d / "bin.txt").write_bytes(b"\x00\x01\x02PK")
    (d / "latin.txt").write_bytes("Fi\xe8vre".encode("latin-1"))
    (d / "huge.txt").write_text("HTN. " * 300_000)
    out = tmp_path / "pred.jsonl"
    assert main(["suggest", "--input", str(d), "--output", str(out)]) == 0
    recs = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert recs["a"]["diagnoses"][0]["code"] == "I10"
    assert recs["a"]["diagnoses"][0]["evidence"][0] == {"start": 0, "end": 3, "text": "HTN"}
    assert "data_version" in recs["a"]
    for bad in ("empty", "bin", "latin", "huge"):
        assert recs[bad]["error"] and recs[bad]["diagnoses"] == []
    jl = tmp_path / "in.jsonl"
    jl.write_text(json.dumps({"id": "x1", "text": "Rule out pneumonia.", "setting": "inpatient"}) + "\n"
                  + "not json\n" + json.dumps({"id": "x2", "text": ""}) + "\n")
    out2 = tmp_path / "pred2.jsonl"
    assert main(["suggest", "--input", str(jl), "--output", str(out2)]) == 0
    lines = [json.loads(x) for x in out2.read_text().splitlines()]
    assert lines[0]["id"] == "x1" and lines[0]["diagnoses"][0]["code"] == "J18.9"
    assert "error" in lines[1] and lines[2]["id"] == "x2" and lines[2]["error"] == "empty note"


def test_eval_dx(tmp_path, capsys):
    gold = tmp_path / "gold.tsv"
    gold.write_text("d1\te11.22\nd1\tn18.31\nd2\ti10\n")
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps({"id": "d1", "diagnoses": [{"code": "E11.22", "evidence": []},
                                                         {"code": "I10", "evidence": [{"text": "HTN"}]}]}) + "\n")
    assert main(["eval", "dx", "--gold", str(gold), "--pred", str(pred)]) == 0
    out = capsys.readouterr().out
    assert "precision 0.5000" in out and "false_positive" in out and "miss" in out
    m = score(load_gold(gold), {"d1": ["E11.22", "I10"]})
    assert m["tp"] == 1 and m["fp"] == 1 and m["fn"] == 2 and m["map"] == 0.25


def test_gold_formats(tmp_path):
    aci = tmp_path / "aci.tsv"
    aci.write_text("encounter_id\taci_split\ticd10cm_code\tdescription\nD2N002\ttrain\tE03.9\tHypothyroidism\n")
    assert load_gold(aci) == {"D2N002": {"E03.9"}}
