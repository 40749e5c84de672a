"""ICD-10-CM tabular: hierarchy, billable flag, effective notes, 7th characters, bad input."""

from __future__ import annotations

import gzip

import pytest

from coderight.codesets import icd10cm
from coderight.codesets.errors import ImportFailure, InvalidCode, UnknownCode
from coderight.codesets.icd10cm import _bundled_files, billable_in_code_list, read_code_list
from coderight.codesets.sources import SourceResolver


@pytest.fixture(scope="module")
def tab(codebook):
    return codebook.icd10cm


def test_billable_count_equals_official_code_list(tab):
    """Leaves of the code list that ships beside the XML = our billable codes, one for one."""
    _, code_list = _bundled_files()
    official = billable_in_code_list(read_code_list(code_list))
    ours = {c.replace(".", "") for c in tab.billable_codes()}
    assert len(official) == 74719  # FY2026, same as the CMS FY2026 order file's valid count
    assert ours == official


def test_s72_001a_title_and_billable(tab):
    c = tab.get("S72.001A")
    assert c.title == ("Fracture of unspecified part of neck of right femur, "
                       "initial encounter for closed fracture")
    assert c.billable and c.parent == "S72.001"
    assert tab.get("s72001a") is tab.get("S72.001A")


def test_headers_are_not_billable(tab):
    assert not tab.get("E11").billable
    assert not tab.get("E11.2").billable
    assert tab.get("E11.9").billable
    assert not tab.get("S72.001").billable  # needs its 7th character
    assert tab.requires_seventh("S72.001")


def test_use_additional_note_on_e11_22(tab):
    notes = tab.effective_notes("E11.22", ("useAdditionalCode",))
    own = [n for n in notes if n.origin == "E11.22"]
    assert len(own) == 1 and "N18.1-N18.6" in own[0].text
    ref = own[0].refs[0]
    assert ref.covers("N18.31") and ref.covers("N18.6") and not ref.covers("N18.9")
    # the category-level note (insulin, oral drugs) is inherited and says where it comes from
    assert any(n.origin == "E11" and "Z79.4" in n.text for n in notes)


def test_excludes1_defined_on_category_applies_to_codes(tab):
    notes = tab.excludes1("E11.22")
    e10 = [n for n in notes if "E10" in n.text]
    assert e10 and e10[0].origin == "E11"
    assert tab.excludes1_conflict("E11.22", "E10.9") is not None
    assert tab.excludes1_conflict("E10.9", "E11.22") is not None  # either direction
    assert tab.excludes1_conflict("E11.22", "N18.31") is None


def test_inclusion_terms_are_not_inherited(tab):
    assert any(n.kind == "inclusionTerm" for n in tab.own_notes("E11.21"))
    assert not any(n.kind == "inclusionTerm" for n in tab.effective_notes("E11.21")
                   if n.origin != "E11.21")


def test_seventh_character_and_placeholder(tab):
    assert tab.with_seventh("S72.001", "A") == "S72.001A"
    assert tab.with_seventh("T36.0X1", "a") == "T36.0X1A"
    assert tab.complete("T36.0", "poisoning accidental", "initial") == "T36.0X1A"
    assert tab.complete("T36.0", "adverse effect", "subsequent") == "T36.0X5D"
    # a 5-character code with a 7th character gets placeholder X: S06.0X1A
    assert tab.get("S06.0X1A").billable
    definer, chars = tab.seventh_characters("S72.001")
    assert definer == "S72" and ("A", "initial encounter for closed fracture") in chars


def test_tabular_own_exceptions_to_seventh_characters(tab):
    # "7th characters D and S do not apply to codes in category S06 with 6th character 7 or 8"
    assert tab.get("S06.347A").billable
    assert "S06.347D" not in tab and "S06.348S" not in tab
    assert "S06.346D" in tab


@pytest.mark.parametrize("code,char", [("S72.001", "Z"), ("E11.22", "A"), ("S72.00", "A")])
def test_impossible_seventh_characters_rejected(tab, code, char):
    with pytest.raises(InvalidCode):
        tab.with_seventh(code, char)


def test_validate_names_the_problem(tab):
    with pytest.raises(InvalidCode, match="7th character 'Z' is not defined for S72"):
        tab.validate("S72.001Z")
    with pytest.raises(InvalidCode, match="requires a 7th character"):
        tab.validate("S72.001")
    with pytest.raises(InvalidCode, match="header"):
        tab.validate("E11")
    assert tab.validate("e11.22").code == "E11.22"


def test_unknown_code_offers_nearest(tab):
    with pytest.raises(UnknownCode) as e:
        tab.get("E11.99")
    assert "E11.9" in e.value.nearest
    assert isinstance(e.value, KeyError)


def test_hierarchy(tab):
    assert tab.ancestors("E11.22") == ["E11.2", "E11", "E08-E13", "CH4"]
    assert "E11.22" in tab.children("E11.2")
    assert tab.get("B10").parent == "B10-B10"  # one-category block keeps its own node


def _tiny_mirror(tmp_path, body: bytes, name="icd10cm_tabular_2026.xml.gz"):
    d = tmp_path / "mirror" / "icd10cm"
    d.mkdir(parents=True)
    with gzip.open(d / name, "wb") as f:
        f.write(body)
    return str(tmp_path / "mirror")


def test_truncated_xml_fails_loudly_with_file_and_line(tmp_path):
    xml, _ = _bundled_files()
    head = xml.read_bytes()[:200_000]  # cut mid-file
    mirror = _tiny_mirror(tmp_path, head)
    with pytest.raises(ImportFailure) as e:
        icd10cm.build(SourceResolver(mirror))
    assert "icd10cm_tabular_2026.xml.gz" in str(e.value)
    assert e.value.line is not None


def test_wrong_root_element(tmp_path):
    mirror = _tiny_mirror(tmp_path, b"<?xml version='1.0'?>\n<ICD10CM.index><version>2026</version></ICD10CM.index>")
    with pytest.raises(ImportFailure, match="expected <ICD10CM.tabular>"):
        icd10cm.build(SourceResolver(mirror))


def test_failed_import_leaves_previous_cache(tmp_path):
    from coderight.codesets.codebook import Codebook, sync

    cache = tmp_path / "cache"
    built, failed = sync(cache, None, only=["icd10cm"])  # bundled: no mirror needed
    assert not failed and built[0].rows == 74719
    before = (cache / "manifest.json").read_bytes()
    bad = _tiny_mirror(tmp_path, b"<ICD10CM.tabular><chapter>")
    built, failed = sync(cache, bad, only=["icd10cm"])
    assert failed and isinstance(failed[0][1], ImportFailure)
    assert (cache / "manifest.json").read_bytes() == before
    assert Codebook(cache).icd10cm.get("E11.22").billable
    assert not list(cache.glob("*.tmp"))
