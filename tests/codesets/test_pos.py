"""Place of service codes and the facility flag used for facility vs non-facility RVUs."""

from __future__ import annotations

import pytest

from coderight.codesets import pos as pos_mod
from coderight.codesets.errors import ImportFailure, InvalidCode, SourceMissing, UnknownCode
from coderight.codesets.sources import SourceResolver


@pytest.fixture(scope="module")
def pos(codebook):
    """The session codebook (tests/conftest.py) already compiled it from the mirror."""
    return codebook.pos


def test_facility_flags(pos):
    assert pos.is_facility("21") and pos.is_facility("22") and pos.is_facility(23) and pos.is_facility("24")
    assert not pos.is_facility("11") and not pos.is_facility("12") and not pos.is_facility("10")
    assert pos.is_facility("02")  # telehealth outside the home: facility rate
    assert pos.get("11").name == "Office" and pos.get(11).code == "11"


def test_unassigned_and_counts(pos):
    assert len(pos) == 99 and len(pos.codes()) == 52
    assert pos.get("14").assigned and not pos.get("30").assigned
    with pytest.raises(InvalidCode):
        pos.is_facility("30")
    with pytest.raises(InvalidCode):
        pos.get("1A")
    with pytest.raises(UnknownCode):
        pos.get("00")


def test_flag_that_contradicts_cms_fails(tmp_path):
    d = tmp_path / "pos"
    d.mkdir()
    (d / "place_of_service_codes_2024-06.csv").write_text(
        "pos_code,facility_type,pos_name,pos_description\n11,Non-Facility,Office,x\n21,Non-Facility,Inpatient,y\n")
    with pytest.raises(ImportFailure) as e:
        pos_mod.build(SourceResolver(str(tmp_path)))
    assert e.value.line == 3


def test_missing_file(tmp_path):
    with pytest.raises(SourceMissing):
        pos_mod.build(SourceResolver(str(tmp_path)))
