"""The `coderight code …` and `coderight data …` commands, as a coder would run them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from coderight.cli.main import main


@pytest.fixture(autouse=True)
def _env(monkeypatch, codebook, mirror):
    monkeypatch.setenv("CODERIGHT_CACHE_DIR", str(codebook.cache.root))
    monkeypatch.setenv("CODERIGHT_DATA_MIRROR", mirror)


def run(capsys, *argv) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_code_show_s72_001a(capsys):
    rc, out, _ = run(capsys, "code", "show", "S72.001A")
    assert rc == 0
    first = out.splitlines()[0]
    assert first.startswith("S72.001A")
    assert ("Fracture of unspecified part of neck of right femur, initial encounter for closed fracture"
            in first)
    assert "billable" in out.splitlines()[1] and "not billable" not in out.splitlines()[1]


def test_code_show_e11_22_use_additional(capsys):
    rc, out, _ = run(capsys, "code", "show", "E11.22")
    assert rc == 0
    assert "Use additional code: code to identify stage of chronic kidney disease (N18.1-N18.6)" in out


def test_code_show_e11_not_billable(capsys):
    rc, out, _ = run(capsys, "code", "show", "E11")
    assert rc == 0 and "not billable" in out


def test_code_show_excludes1_with_origin(capsys):
    rc, out, _ = run(capsys, "code", "show", "E11.9")
    assert "Excludes1 (from E11): type 1 diabetes mellitus (E10.-)" in out


def test_code_show_json(capsys):
    rc, out, _ = run(capsys, "code", "show", "--json", "T36.0X1A")
    data = json.loads(out)
    assert data["billable"] and data["seventh_characters"]["defined_at"] == "T36"


def test_unknown_code_gives_nearest(capsys):
    rc, out, _ = run(capsys, "code", "show", "E11.99")
    assert rc == 1 and "nearest valid codes" in out and "E11.9" in out


def test_malformed_seventh_character_is_explained(capsys):
    rc, out, _ = run(capsys, "code", "show", "S72.001Z")
    assert rc == 1 and "7th character 'Z' is not defined for S72" in out


def test_code_search_ranks_heart_failure(capsys):
    rc, out, _ = run(capsys, "code", "search", "congestive", "heart", "failure")
    codes = [ln.split()[1] for ln in out.splitlines()[:5]]
    assert "I50.9" in codes


def test_data_status_lists_forms(capsys):
    rc, out, _ = run(capsys, "data", "status")
    assert rc == 0 and "icd10cm" in out and "FY2026" in out


def test_cli_entry_point_runs_as_a_program(codebook):
    """The installed console script, not just the function (catches packaging mistakes)."""
    exe = [sys.executable, "-m", "coderight.cli.main", "code", "show", "E11"]
    env = {"CODERIGHT_CACHE_DIR": str(codebook.cache.root), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(exe, capture_output=True, text=True, env=env, check=True)
    assert "not billable" in out.stdout


def test_sync_from_a_mirror_missing_a_file_names_it(tmp_path, capsys, monkeypatch):
    """A mirror that lacks a dataset's file: the sync says which file, and other data survive."""
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    monkeypatch.setenv("CODERIGHT_CACHE_DIR", str(tmp_path / "cache"))
    from coderight.codesets.registry import DATASETS

    others = [d for d in DATASETS if d != "icd10cm"]
    if not others:
        pytest.skip("only the bundled tabular is registered")
    rc, out, err = run(capsys, "data", "sync", "--mirror", str(empty), "--only", others[0])
    assert rc == 1
    assert "not found in mirror" in err and others[0] in err


def test_code_show_validity_years(capsys):
    rc, out, _ = run(capsys, "code", "show", "G35")  # split into G35.A-G35.D for FY2026
    line = [ln for ln in out.splitlines() if "validity:" in ln][0]
    assert "FY2016–FY2025" in line and "2025-09-30" in line
    rc, out, _ = run(capsys, "code", "show", "C50.A0")  # new in FY2026
    assert "valid FY2026" in out


def test_index_lookup_walks_like_a_coder(capsys):
    rc, out, _ = run(capsys, "index", "lookup", "diabetes, type 2, with, chronic kidney disease")
    assert rc == 0 and "code: E11.22" in out and "(billable)" in out
    rc, out, _ = run(capsys, "index", "lookup", "fracture, femur, neck")
    assert "code: S72.0" in out and "not billable" in out  # leads into S72.0-: verify in the tabular
    rc, out, _ = run(capsys, "index", "lookup", "--book", "drug", "penicillin")
    assert "T36.0X1" in out and "7th character" in out
