"""The grouping CLI end to end on small files (bad rows go to rejects)."""

from __future__ import annotations

import argparse
import json

import polars as pl

from coderight.grouping.cli import main, register


def test_register_adds_commands():
    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command"))
    a = p.parse_args(["hcc", "score", "m.csv", "d.csv", "--year", "2025"])
    assert a.year == 2025 and callable(a.func)
    assert callable(p.parse_args(["drg", "group", "c.jsonl"]).func)


def test_drg_group_cli(tmp_path):
    claims = tmp_path / "claims.jsonl"
    claims.write_text(
        json.dumps({"case_id": "1", "principal_dx": "A41.9", "secondary_dx": ["R65.21", "J96.01"],
                    "age": 80, "sex": "M", "discharge_status": 1, "discharge_date": "2025-10-20"}) + "\n"
        + "not json\n"
        + json.dumps({"case_id": "3", "principal_dx": "M16.11", "procedures": ["0SR9019"], "age": 66,
                      "sex": "F", "discharge_date": "2026-01-05"}) + "\n"
    )
    out = tmp_path / "out.jsonl"
    assert main(["drg", "group", str(claims), "-o", str(out)]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(r["case_id"], r["drg"]) for r in rows] == [("1", 871), ("3", 470)]
    # FY2026 discharges: official Table 5 weight, mean LOS and the unadjusted payment
    assert [(r["weight"], r["gmlos"], r["amlos"]) for r in rows] == [(1.9425, 4.8, 6.4), (1.9289, 1.9, 2.2)]
    assert [r["payment"] for r in rows] == [round(1.9425 * (6752.61 + 524.15), 2), round(1.9289 * 7276.76, 2)]
    assert main(["drg", "group", str(claims), "-o", str(out), "--base-rate", "1000"]) == 0
    assert [json.loads(x)["payment"] for x in out.read_text().splitlines()] == [1942.5, 1928.9]
    rej = [json.loads(x) for x in (tmp_path / "out.jsonl.rejects.jsonl").read_text().splitlines()]
    assert rej[0]["line"] == 2 and "invalid JSON" in rej[0]["reason"]


def test_hcc_score_cli(tmp_path):
    (tmp_path / "members.csv").write_text("member_id,age,sex,dual,orec\nm1,72,F,00,0\nm2,abc,M,00,0\n")
    (tmp_path / "diagnoses.csv").write_text(
        "member_id,dx,bill_type,cpt\nm1,E11.22,,99214\nm1,I50.22,0111,\nm1,N18.4,0811,\nm9,E119,,99213\n"
    )
    out = tmp_path / "scores.csv"
    assert main(["hcc", "score", str(tmp_path / "members.csv"), str(tmp_path / "diagnoses.csv"),
                 "--year", "2026", "-o", str(out)]) == 0
    s = pl.read_csv(out)
    assert s["member_id"].to_list() == ["m1"]
    assert s["hccs_v28"][0] == "37;226"  # N18.4 came from a hospice bill (81x): filtered out
    rej = pl.read_csv(tmp_path / "scores.rejects.csv")
    assert set(rej["reason"]) == {"age is not a number", "member_id not in members (or member rejected)"}
