"""HCPCS Level II (July 2024 quarterly file): codes, dates, NOC list, official xlsx layout."""

from __future__ import annotations

import gzip
import shutil
from datetime import date
from pathlib import Path

import pytest

from coderight.codesets import hcpcs as hcpcs_mod
from coderight.codesets.errors import ImportFailure, InvalidCode, SourceMissing, UnknownCode
from coderight.codesets.sources import SourceResolver


@pytest.fixture(scope="module")
def hcpcs(codebook):
    """The session codebook (tests/conftest.py) already compiled it from the mirror."""
    return codebook.hcpcs


def test_j1030_valid_in_2024_until_its_termination(hcpcs):
    c = hcpcs.get("J1030")
    assert c.long_description == "Injection, methylprednisolone acetate, 40 mg"
    assert (c.add_date, c.termination_date) == ("1982-01-01", "2024-03-31")
    assert hcpcs.is_valid("J1030", date(2024, 1, 15))
    assert hcpcs.is_valid("j1030", "2024-03-31")  # the termination date is the last valid day
    assert not hcpcs.is_valid("J1030", "2024-04-01")
    assert c.is_valid("2024-02-01")


def test_terminated_code_not_valid_after_termination(hcpcs):
    c = hcpcs.get("C9152")
    assert c.termination_date == "2023-12-31"
    assert hcpcs.is_valid("C9152", "2023-12-31") and not hcpcs.is_valid("C9152", "2024-07-01")
    assert "C9152" in hcpcs.terminated("2024-07-01")


def test_active_code_and_not_before_add_date(hcpcs):
    assert hcpcs.is_valid("G0108", "2024-07-01")
    assert not hcpcs.is_valid("G0108", "1998-06-30")  # added 1998-07-01
    assert hcpcs.get("A4215").long_description == "Needle, sterile, any size, each"
    assert not hcpcs.is_valid("Z9999", "2024-07-01")


def test_noc_list(hcpcs):
    assert hcpcs.is_noc("A0999") and hcpcs.get("A0999").noc
    assert not hcpcs.is_noc("J1030")
    assert len(hcpcs.noc_codes()) == 159  # 161 rows, 2 codes listed twice


def test_counts_and_errors(hcpcs, mirror):
    assert len(hcpcs) == 8033
    with pytest.raises(InvalidCode):
        hcpcs.get("99214")
    with pytest.raises(UnknownCode):
        hcpcs.get("J9998")
    info, _ = hcpcs_mod.build(SourceResolver(mirror))
    assert info.release == "2024-07 quarterly update" and "derived CSV" in info.form


def _mirror_copy(mirror: str, tmp: Path) -> Path:
    d = tmp / "m" / "hcpcs"
    d.mkdir(parents=True)
    for f in Path(mirror, "hcpcs").iterdir():
        shutil.copy(f, d / f.name)
    return tmp / "m"


def test_garbled_date_names_file_and_line(mirror, tmp_path):
    m = _mirror_copy(mirror, tmp_path)
    f = m / "hcpcs" / "hcpcs_level2_2024-07.csv.gz"
    text = gzip.decompress(f.read_bytes()).decode()
    lines = text.splitlines(keepends=True)
    lines[3] = lines[3].replace("1982-01-01", "1982-13-45")
    f.write_bytes(gzip.compress("".join(lines).encode()))
    with pytest.raises(ImportFailure) as e:
        hcpcs_mod.build(SourceResolver(str(m)))
    assert e.value.line == 4 and "hcpcs_level2_2024-07.csv.gz" in e.value.file


def test_truncated_gzip(mirror, tmp_path):
    m = _mirror_copy(mirror, tmp_path)
    f = m / "hcpcs" / "hcpcs_level2_2024-07.csv.gz"
    f.write_bytes(f.read_bytes()[:5000])
    with pytest.raises(ImportFailure, match="hcpcs_level2_2024-07.csv.gz"):
        hcpcs_mod.build(SourceResolver(str(m)))


def test_mirror_missing_file(tmp_path):
    (tmp_path / "hcpcs").mkdir()
    with pytest.raises(SourceMissing, match="hcpcs_level2"):
        hcpcs_mod.build(SourceResolver(str(tmp_path)))


ANWEB_HEADER = ["HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION", "PRICE1", "PRICE2",
                "PRICE3", "PRICE4", "MULT_PI", "CIM1", "CIM2", "CIM3", "MCM1", "MCM2", "MCM3", "STATUTE",
                "LABCERT1", "XREF1", "COV", "ASC_GRP", "ASC_DT", "OPPS", "OPPS_PI", "OPPS_DT", "PROCNOTE",
                "BETOS", "TOS1", "ANEST_BU", "ADD DT", "ACT EFF DT", "TERM DT", "ACTION CD"]


def _anweb_row(**kw):
    row = dict.fromkeys(ANWEB_HEADER)
    row.update(kw)
    return [row[h] for h in ANWEB_HEADER]


def _write_anweb(path: Path, rows):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(ANWEB_HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_official_anweb_xlsx_layout_is_preferred(tmp_path):
    d = tmp_path / "hcpcs"
    d.mkdir()
    _write_anweb(d / "HCPC2024_JUL_ANWEB_v3.xlsx", [
        _anweb_row(HCPC="J1030", SEQNUM="00100", RECID="3",
                   **{"LONG DESCRIPTION": "Injection, methylprednisolone acetate,",
                      "SHORT DESCRIPTION": "Methylprednisolone 40 MG inj", "PRICE1": "51", "COV": "D",
                      "BETOS": "O1E", "ADD DT": "19820101", "ACT EFF DT": "20240401", "TERM DT": "20240331",
                      "ACTION CD": "D"}),
        _anweb_row(HCPC="J1030", SEQNUM="00200", RECID="4", **{"LONG DESCRIPTION": "40 mg"}),
        _anweb_row(HCPC="AA", SEQNUM="00100", RECID="7", **{"LONG DESCRIPTION": "Anesthesia services"}),
        _anweb_row(HCPC="G0108", SEQNUM="00100", RECID="3",
                   **{"LONG DESCRIPTION": "Diabetes outpatient self-management training services",
                      "ADD DT": 19980701}),
    ])
    shutil.copy(Path(__file__).parent / "test_hcpcs.py", d / "unrelated.txt")
    info, payload = hcpcs_mod.build(SourceResolver(str(tmp_path)))
    assert info.form.startswith("official xlsx") and info.release == "2024-07 quarterly update"
    h = hcpcs_mod.load(payload)
    c = h.get("J1030")
    assert c.long_description == "Injection, methylprednisolone acetate, 40 mg"
    assert c.short_description == "Methylprednisolone 40 MG inj"
    assert (c.add_date, c.termination_date, c.action_code) == ("1982-01-01", "2024-03-31", "D")
    assert h.is_valid("J1030", "2024-01-02") and not h.is_valid("J1030", "2024-05-01")
    assert h.get("G0108").add_date == "1998-07-01" and len(h) == 2


def test_anweb_xlsx_bad_record_names_row(tmp_path):
    f = tmp_path / "HCPC2024_JUL_ANWEB.xlsx"
    _write_anweb(f, [_anweb_row(HCPC="J1030", RECID="3", **{"LONG DESCRIPTION": "x", "ADD DT": "19820101"}),
                     _anweb_row(HCPC="J10", RECID="3", **{"LONG DESCRIPTION": "y"})])
    with pytest.raises(ImportFailure) as e:
        hcpcs_mod.parse_anweb_xlsx(f)
    assert e.value.line == 3
    f.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(ImportFailure, match="xlsx"):
        hcpcs_mod.parse_anweb_xlsx(f)
