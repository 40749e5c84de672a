"""`coderight scrub` and `coderight rules list|show`."""

from __future__ import annotations

import orjson
import pytest

from coderight.claims.x12 import write_837p
from coderight.cli.main import main
from coderight.edits.notation import parse_claim
from coderight.edits.rules import ALL_RULES


@pytest.fixture
def env(codebook, monkeypatch):
    monkeypatch.setenv("CODERIGHT_CACHE_DIR", str(codebook.cache.root))


def test_rules_list_and_show(capsys):
    assert main(["rules", "list"]) == 0
    out = capsys.readouterr().out
    assert all(r.id in out for r in ALL_RULES)
    assert main(["rules", "show", "ncci-ptp"]) == 0
    out = capsys.readouterr().out
    assert "Source:" in out and "Fails:  29881 + 29877" in out and "Passes:" in out
    assert main(["rules", "show", "NOPE"]) == 1


def test_scrub_jsonl_strict_and_rejects(env, tmp_path, capsys):
    good = parse_claim("dx=I10 99213", "OK1").to_dict()
    bad = parse_claim("sex=F dx=N40.0 29881 + 29877", "BAD1").to_dict()
    p = tmp_path / "claims.jsonl"
    p.write_bytes(b"\n".join([orjson.dumps(good), orjson.dumps(bad), b"{broken", b'{"id": "E", "lines": []}']))
    rej = tmp_path / "rejects.jsonl"
    assert main(["scrub", str(p), "--rejects", str(rej)]) == 0
    out = capsys.readouterr().out
    assert "claim BAD1: REJECT" in out and "MCE-SEX" in out and "NCCI-PTP" in out and "OK1" not in out
    assert "2 claims scrubbed: 1 clean" in out and "2 unreadable" in out
    rows = [orjson.loads(x) for x in rej.read_bytes().splitlines()]
    assert [r["position"] for r in rows] == ["line 3", "line 4"]
    assert main(["scrub", str(p), "--strict"]) == 1
    capsys.readouterr()
    assert main(["scrub", str(p), "--json"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["summary"]["claims"] == 2 and len(doc["rejects"]) == 2
    bad_result = next(r for r in doc["results"] if r["claim_id"] == "BAD1")
    assert bad_result["money_at_risk"] > 0 and not bad_result["clean"]


def test_scrub_837(env, tmp_path, capsys):
    p = tmp_path / "claims.837"
    p.write_text(write_837p([parse_claim("45385 + 45380", "X1"), parse_claim("99213", "X2")]))
    assert main(["scrub", str(p), "--jsonl"]) == 0
    got = {r["claim_id"]: r for r in map(orjson.loads, capsys.readouterr().out.splitlines())}
    assert [f["rule"] for f in got["X1"]["findings"]] == ["NCCI-PTP"] and got["X2"]["clean"]
