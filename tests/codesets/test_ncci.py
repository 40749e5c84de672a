"""NCCI PTP and add-on code edits: real pairs from the 2024 Q3 (v30.2) files, the official layouts,
release coverage, deletion dates and bad input."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from coderight.codesets import ncci
from coderight.codesets.codebook import Codebook, sync
from coderight.codesets.errors import ImportFailure, SourceMissing
from coderight.codesets.sources import SourceResolver

Q3 = date(2024, 8, 15)
LABEL = "NCCI PTP 2024 Q3 (v30.2, eff. 2024-07-01)"


@pytest.fixture(scope="module")
def book(mirror, cache_dir) -> Codebook:
    cb = Codebook(cache_dir)
    if not cb.is_current("ncci"):
        _, failed = sync(cache_dir, mirror, only=["ncci"])
        assert not failed, failed
    return cb


@pytest.fixture(scope="module")
def ptp(book):
    return book.dataset("ncci").ptp


@pytest.mark.parametrize("c1,c2,mod,setting", [
    ("43239", "43235", 0, "practitioner"),
    ("45385", "45380", 1, "practitioner"),
    ("29881", "29877", 0, "practitioner"),
    ("43239", "43235", 0, "outpatient_hospital"),
    ("45385", "45380", 1, "outpatient_hospital"),
])
def test_spot_checks(ptp, c1, c2, mod, setting):
    edits = ptp.edits_for({c1, c2, "99999"}, Q3, setting)
    assert [(e.column1, e.column2, e.modifier_indicator) for e in edits] == [(c1, c2, mod)]
    assert edits[0].release == LABEL and edits[0].rationale
    assert ptp.pair(c1, c2, Q3, setting).modifier_indicator == mod
    assert ptp.pair(c2, c1, Q3, setting) is None


def test_deleted_edit_is_not_applied(ptp):
    # 0001A/0591T was deleted 2023-12-31: present in the file, never active in 2024 Q3
    assert ptp.edits_for(["0001A", "0591T"], Q3) == []


def test_release_coverage(ptp, book):
    rel = ptp.release_for(date(2024, 7, 1))
    assert rel is not None and rel.label == LABEL and rel.end == date(2024, 9, 30)
    assert not rel.effective_known
    assert ptp.release_for(date(2024, 10, 1)) is None
    assert ptp.release_for(date(2024, 6, 30)) is None
    with pytest.raises(ncci.ReleaseNotLoaded, match="edits not loaded for this date"):
        ptp.edits_for(["43239", "43235"], date(2025, 1, 2))
    info = book.info()["ncci"]
    assert LABEL in info.release and "NCCI AOC 2024 Q3" in info.release
    assert "effective dates lost" in info.notes
    assert info.rows > 4_000_000
    assert len(ptp) == info.rows - 7465


def test_addon_codes(book):
    aoc = book.dataset("ncci").aoc
    assert aoc.is_addon("11045") and not aoc.is_addon("11042")
    assert "11042" in aoc.primaries("11045")
    assert aoc.primaries("0054T") == ["CCCCC"] and aoc.edit_type("0054T") == 2
    assert aoc.primaries("99213") == []
    assert aoc.release.startswith("NCCI AOC 2024 Q3")
    with pytest.raises(ncci.ReleaseNotLoaded):
        aoc.is_addon("11045", date(2023, 1, 1))


# ---- small mirrors in tmp_path --------------------------------------------------------------

AOC = "primary_code,add_on_code,aoc_edit_type\n11042,11045,1\nCCCCC,0054T,2\n"
DERIVED_HEADER = "column1,column2,deletion_date,modifier_indicator,ptp_edit_rationale\n"


def _mirror(tmp_path: Path, ptp_rows: str | None, aoc: bool = True) -> Path:
    (tmp_path / "ncci-ptp").mkdir(parents=True, exist_ok=True)
    if ptp_rows is not None:
        with gzip.open(tmp_path / "ncci-ptp" / "ncci_ptp_practitioner_2024-07-01.csv.gz", "wt") as f:
            f.write(DERIVED_HEADER + ptp_rows)
    if aoc:
        (tmp_path / "ncci-aoc").mkdir(exist_ok=True)
        (tmp_path / "ncci-aoc" / "ncci_aoc_practitioner_2024-07.csv").write_text(AOC)
    return tmp_path


def test_deletion_date_is_exclusive(tmp_path):
    m = _mirror(tmp_path, "43239,43235,2024-08-01,0,Standards of medical/surgical practice\n"
                          "45385,45380,,1,\"More extensive procedure, quoted\"\n")
    _, payload = ncci.build(SourceResolver(str(m)))
    ptp = ncci.load(payload).ptp
    assert ptp.pair("43239", "43235", date(2024, 7, 31)).modifier_indicator == 0
    assert ptp.pair("43239", "43235", date(2024, 8, 1)) is None
    assert ptp.pair("45385", "45380", Q3).rationale == "More extensive procedure, quoted"
    with pytest.raises(ncci.ReleaseNotLoaded):  # no outpatient file in this mirror
        ptp.edits_for(["43239", "43235"], Q3, "outpatient_hospital")


def test_garbled_row_names_file_and_line(tmp_path):
    m = _mirror(tmp_path, "43239,43235,,0,Standards of medical/surgical practice\n45385,4538\n")
    with pytest.raises(ImportFailure) as e:
        ncci.build(SourceResolver(str(m)))
    assert e.value.line == 3 and e.value.file.endswith("ncci_ptp_practitioner_2024-07-01.csv.gz")


def test_bad_modifier_and_date(tmp_path):
    m = _mirror(tmp_path, "43239,43235,2024-13-01,0,x\n")
    with pytest.raises(ImportFailure, match="line 2"):
        ncci.build(SourceResolver(str(m)))


def test_missing_files(tmp_path):
    with pytest.raises(SourceMissing):
        ncci.build(SourceResolver(str(_mirror(tmp_path / "a", None))))
    with pytest.raises(SourceMissing, match="ncci-aoc"):
        ncci.build(SourceResolver(str(_mirror(tmp_path / "b", "43239,43235,,0,x\n", aoc=False))))


CMS_TEXT = (
    "CPT codes, descriptions and other data only are copyright 2023 American Medical Association.\n"
    "Column1/Column 2 Edits\n"
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\t"
    "Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n"
    "43239\t43235\t\t20240101\t*\t0\tCPT Separate procedure definition\n"
    "45385\t45380\t*\t19960101\t*\t1\tMore extensive procedure\n"
    "29881\t29877\t\t20240801\t*\t0\tMisuse of Column Two code with Column One code\n"
    "0001A\t0591T\t\t20201211\t20231231\t1\tCPT Manual or CMS manual coding instruction\n"
)


def test_cms_text_layout_wins_over_derived(tmp_path):
    m = _mirror(tmp_path, "43239,43235,,1,derived\n")
    (m / "ncci-ptp" / "ccipra-v302r0-f1.txt").write_text(CMS_TEXT)
    info, payload = ncci.build(SourceResolver(str(m)))
    ptp = ncci.load(payload).ptp
    assert ptp.release_for(Q3).effective_known and "official CMS tab text" in info.form
    assert ptp.pair("43239", "43235", Q3).modifier_indicator == 0  # the official file, not the CSV
    assert ptp.pair("45385", "45380", Q3).rationale == "More extensive procedure"
    assert ptp.pair("29881", "29877", date(2024, 7, 31)) is None  # effective 2024-08-01
    assert ptp.pair("29881", "29877", date(2024, 8, 1)) is not None
    assert ptp.edits_for(["0001A", "0591T"], Q3) == []
    assert "effective dates lost" not in info.notes


def test_cms_text_bad_row(tmp_path):
    p = tmp_path / "ccipra-v302r0-f1.txt"
    p.write_text(CMS_TEXT + "43239\t43235\t\t2024XX01\t*\t0\tx\n")
    with pytest.raises(ImportFailure) as e:
        ncci.parse_cms_ptp_text(p)
    assert e.value.line == 8


def test_cms_xlsx_layout(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in CMS_TEXT.splitlines():
        ws.append([int(c) if c.isdigit() and len(c) == 8 else c for c in line.split("\t")])
    p = tmp_path / "ccioph-v302r0-f1.xlsx"
    wb.save(p)
    rows = ncci.parse_cms_ptp_xlsx(p)
    assert rows.c1 == ["43239", "45385", "29881", "0001A"]
    assert rows.mod == [0, 1, 0, 1] and rows.eff[2] == ncci.day_number(date(2024, 8, 1))
    assert rows.dele[0] == ncci.NO_DELETION and rows.dele[3] == ncci.day_number(date(2023, 12, 31))


def test_code_encoding_roundtrip():
    for c in ("00100", "0001A", "G0463", "ZZZZZ", "J3490", "99213"):
        n = ncci.encode_code(c)
        assert 0 <= n < 2**26 and ncci.decode_code(n) == c
    with pytest.raises(ValueError):
        ncci.encode_code("4323")
