"""ICD-10-CM Alphabetic Index: real terms and codes from the FY2025 files in the mirror."""

from __future__ import annotations

import gzip
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from coderight.codesets import icd10cm_index as idx
from coderight.codesets.errors import ImportFailure, SourceMissing
from coderight.codesets.readers import read_bytes
from coderight.codesets.sources import SourceResolver

TABLE_FILES = ("icd-10-cm-neoplasm-2025.xml.gz", "icd-10-cm-drug-2025.xml.gz", "icd-10-cm-eindex-2025.xml.gz")
CSV_FILE = "ICD10CM_2025_Index.derived-flattened.csv.gz"

# A small main index in the official schema (our own sample, same elements as the CDC file).
MAIN_XML = """<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.index>
  <version>2025</version>
  <title>ICD-10-CM INDEX TO DISEASES and INJURIES</title>
  <letter>
    <title>D</title>
    <mainTerm>
      <title>Dementia<nemod>(degenerative (primary)) (old age) (persisting)</nemod></title>
      <code>F03.90</code>
      <term level="1">
        <title>in<nemod>(due to)</nemod></title>
        <term level="2">
          <title>Alzheimer's disease</title>
          <code>G30.9</code>
          <manif>F02.80</manif>
        </term>
      </term>
    </mainTerm>
    <mainTerm>
      <title>Disease, diseased</title>
      <seeAlso>Syndrome</seeAlso>
      <term level="1">
        <title>Alzheimer's</title>
        <code>G30.9</code>
        <manif>F02.80</manif>
      </term>
    </mainTerm>
  </letter>
  <letter>
    <title>P</title>
    <mainTerm>
      <title>Pain<nemod>(s)</nemod></title>
      <seeAlso>Painful</seeAlso>
      <code>R52</code>
      <term level="1">
        <title>abdominal</title>
        <code>R10.9</code>
      </term>
      <term level="1">
        <title>chronic<nemod>(intractable)</nemod> NEC</title>
        <code>G89.29</code>
      </term>
      <term level="1">
        <title>bone</title>
        <see>Disorder, bone, specified type NEC <subcat>M89.8X-</subcat></see>
      </term>
    </mainTerm>
  </letter>
</ICD10CM.index>
"""


@pytest.fixture(scope="module")
def index(mirror):
    info, payload = idx.build(SourceResolver(mirror))
    # what the Codebook does: the payload goes through pickle, then load() wraps it
    return idx.load(pickle.loads(pickle.dumps(payload, protocol=5)))


def _tmp_mirror(tmp_path: Path, mirror: str, files=TABLE_FILES, main_xml: str | None = None,
                csv: bool = False) -> Path:
    root = tmp_path / "mirror"
    (root / "icd10cm-index").mkdir(parents=True)
    for f in files:
        (root / "icd10cm-index" / f).symlink_to(Path(mirror) / "icd10cm-index" / f)
    if csv:
        (root / "icd10cm-index" / CSV_FILE).symlink_to(Path(mirror) / "icd10cm-index" / CSV_FILE)
    if main_xml is not None:
        (root / "icd10cm-index" / "icd10cm_index_2025.xml").write_text(main_xml)
    return root


# ------------------------------------------------------------------------------------ walks
def test_walk_diabetes_type2_with_ckd(index):
    r = index.lookup("diabetes, type 2, with, chronic kidney disease")
    assert r.code == "E11.22"
    assert r.path == ("Diabetes, diabetic", "type 2", "with", "chronic kidney disease")
    assert r.complete and not r.unmatched
    # same walk as a list, and the coder may skip the connective "with"
    assert index.walk(["Diabetes", "Type 2", "chronic kidney disease"]).code == "E11.22"
    # word order inside a term and plural are tolerated
    assert index.lookup("type 2 diabetes, chronic kidney diseases").code == "E11.22"
    # "with" under the main term: the default type
    assert index.lookup("diabetes, with, chronic kidney disease").code == "E11.22"


def test_walk_fracture_femur_neck_follows_see(index):
    r = index.lookup("fracture, femur, neck")
    # "Fracture" alone is not a main term: the walk takes "Fracture, traumatic", whose
    # "femur, neck" line says see "Fracture, femur, upper end, neck"
    assert r.path[0] == "Fracture, traumatic"
    assert r.path == ("Fracture, traumatic", "femur, femoral", "upper end", "neck")
    assert r.code == "S72.00-" and r.code.startswith("S72.0")
    assert r.requires_more_characters
    assert r.see == ("Fracture, femur, upper end, neck",)
    assert any("requires more characters" in n for n in r.notes)
    # a subterm after the see jump is looked for under the target
    assert index.lookup("fracture, femur, neck, base").code == "S72.04-"
    # hip -> see Fracture, femur, neck -> see ... upper end, neck
    assert index.lookup("fracture, hip").code == "S72.00-"


def test_main_term_choice_and_qualified_main_terms(index):
    assert index.lookup("fracture").path == ("Fracture, traumatic",)
    assert index.lookup("fracture").code == "T14.8"
    r = index.lookup("fracture, pathological, femur")
    assert r.path == ("Fracture, pathological", "femur") and r.code == "M84.45-"
    assert index.lookup("heart failure, congestive").code == "I50.9"  # word order within a term
    assert index.lookup("Failure, heart, congestive").code == "I50.9"


def test_see_and_see_also(index):
    r = index.lookup("abdominalgia")
    assert r.code == "R10.9" and r.see == ("Pain, abdominal",)
    assert r.trail == ("Abdominalgia", "see: Pain, abdominal", "abdominal")
    # a see with "by type": resolved without it, and the note tells the coder
    r = index.lookup("diabetes, poorly controlled")
    assert r.code == "E11.65" and r.see == ("Diabetes, by type, with hyperglycemia",)
    assert any("'by type'" in n for n in r.notes)
    # see also on the line reached is reported, not followed
    r = index.lookup("fracture, pathological")
    assert r.code == "M84.40"  # the CSV reader split the code glued to the see-also text
    assert r.entry.see_also == "Fracture, traumatic"


def test_unmatched_steps_are_reported(index):
    r = index.lookup("diabetes, type 2, zzzz")
    assert r.path == ("Diabetes, diabetic", "type 2") and r.unmatched == ("zzzz",)
    assert not r.complete
    r = index.lookup("qqqq")
    assert r.entry is None and r.code is None


def test_external_cause_index(index):
    r = index.lookup("abandonment", book="eindex")
    assert r.code == "X58"
    assert r.entry.path == ("Abandonment NEC",) and r.entry.nec  # official XML keeps text after <nemod>
    assert r.entry.nemod.startswith("(causing exposure to weather conditions)")
    assert index.lookup("accident, bare foot water skiier", book="eindex").code == "V94.4"


# ----------------------------------------------------------------------------------- tables
def test_neoplasm_table(index):
    r = index.neoplasm("colon", "malignant primary")
    assert r.code == "C18.9" and r.column == "Malignant Primary"
    assert index.neoplasm("colon", "secondary").code == "C78.5"
    # '-' cell: the row's see also ("Neoplasm, intestine, large") holds the benign code
    r = index.neoplasm("colon", "benign")
    assert r.code == "D12.6" and r.path[-3:] == ("intestine, intestinal", "large", "colon")
    assert index.neoplasm("accessory sinus", "benign").code == "D14.0"  # see Neoplasm, sinus
    assert index.neoplasm("skin, nose", "uncertain").code == "D48.5"
    r = index.neoplasm("lung", "in situ")
    assert r.code == "D02.2-" and r.requires_more_characters
    assert index.neoplasm("neoplasm, abdomen, wall, connective tissue", "benign").code == "D21.4"
    with pytest.raises(KeyError):
        index.neoplasm("colon", "purple")


def test_drug_table(index):
    r = index.drug("penicillin", "accidental")
    assert r.code == "T36.0X1" and r.requires_seventh_character
    assert any("7th character" in n for n in r.notes)
    assert index.drug("Penicillin", "intentional self-harm").code == "T36.0X2"
    assert index.drug("penicillin", "assault").code == "T36.0X3"
    assert index.drug("penicillin", "undetermined").code == "T36.0X4"
    assert index.drug("penicillin", "adverse effect").code == "T36.0X5"
    assert index.drug("penicillin", "underdosing").code == "T36.0X6"
    assert index.drug("acetaminophen", "adverse").code == "T39.1X5"
    assert index.drug("2,4-D", "accidental").code == "T60.3X1"
    r = index.drug("1-propanol", "adverse effect")  # '--': not applicable
    assert r.code is None and any("no Adverse effect code" in n for n in r.notes)


# ----------------------------------------------------------------------------------- search
def test_search_ranking(index):
    hits = index.search("congestive heart failure")
    assert hits[0].code == "I50.9" and hits[0].path == ("Failure, failed", "heart", "congestive")
    assert index.search("chf")[0].code == "I50.9"
    assert index.search("afib")[0].code == "I48.91"
    assert index.search("htn")[0].code == "I10"
    assert index.search("type 2 diabetes ckd")[0].code == "E11.22"
    assert "S72.00-" in [h.code for h in index.search("fractured femur neck", limit=3)]
    assert index.search("") == [] and index.search("zzzzqqq") == []
    scores = [h.score for h in index.search("pneumonia", limit=20)]
    assert scores == sorted(scores, reverse=True)
    assert index.search("pneumonia") == index.search("pneumonia")  # deterministic
    # table books only on request
    assert all(h.book in ("main", "eindex") for h in index.search("colon"))
    assert any(h.book == "neoplasm" for h in index.search("colon", books=("neoplasm",)))


# ------------------------------------------------------------------------------------ terms
def test_terms_iterator(index):
    main = list(index.terms("main"))
    assert len(main) == 81024  # rows of the flattened CSV
    e = next(t for t in main if t.code == "E11.22" and t.path[1] == "type 2")
    assert e.text == "Diabetes, diabetic, type 2, with, chronic kidney disease"
    assert any(t.nec for t in main) and any(t.see for t in main) and any(t.requires_more_characters for t in main)
    assert sum(1 for _ in index.terms(None)) == len(index)
    drug = next(index.terms("drug"))
    assert len(drug.cells) == 6


def test_payload_is_flat(mirror):
    info, payload = idx.build(SourceResolver(mirror))
    for key, value in payload.items():  # no object graph: builtins and numpy arrays
        assert isinstance(value, (list, dict, tuple, str, int, np.ndarray)), key
    assert len(payload["title"].split("\x1f")) == len(payload["parent"]) == info.rows


def test_codebook_sync_records_form(mirror, tmp_path):
    from coderight.codesets.codebook import Codebook, sync

    built, failed = sync(tmp_path / "cache", mirror, only=["icd10cm_index"])
    assert not failed and built[0].release == "FY2025"
    cb = Codebook(tmp_path / "cache")
    info = cb.info()["icd10cm_index"]
    assert "derived CSV (lossy)" in info.form and "manif" in info.notes
    assert cb.icd10cm_index.lookup("abdominalgia").code == "R10.9"


# ---------------------------------------------------------------------------- CSV vs XML
def test_official_main_xml_preferred_over_csv(mirror, tmp_path):
    root = _tmp_mirror(tmp_path, mirror, main_xml=MAIN_XML, csv=True)
    info, payload = idx.build(SourceResolver(str(root)))
    assert info.form.startswith("main index: official XML") and "official XML" in info.notes
    assert any(f.endswith("icd10cm_index_2025.xml") for f in info.source_files)
    ix = idx.load(payload)
    r = ix.lookup("dementia, in, alzheimer's disease")
    assert r.code == "G30.9" and r.manif == ("F02.80",)  # the CSV has no manifestation codes
    assert any("[F02.80]" in n for n in r.notes)
    r = ix.lookup("dementia, alzheimer's disease")  # "in" skipped
    assert r.code == "G30.9" and r.path == ("Dementia", "in", "Alzheimer's disease")
    r = ix.lookup("pain, chronic")
    assert r.code == "G89.29" and r.entry.title == "chronic NEC" and r.entry.nec
    assert ix.lookup("pain, chronic, intractable").code == "G89.29"  # nonessential modifier typed
    bone = ix.lookup("pain, bone").entry
    assert bone.see == "Disorder, bone, specified type NEC M89.8X-"
    # the tables still come from their own files
    assert ix.drug("penicillin").code == "T36.0X1"


def test_csv_form_loses_manifestations(mirror, tmp_path):
    root = _tmp_mirror(tmp_path, mirror, csv=True)
    info, payload = idx.build(SourceResolver(str(root)))
    assert info.form.startswith("main index: derived CSV (lossy)")
    r = idx.load(payload).lookup("dementia, in, alzheimer's disease")
    assert r.code == "G30.9" and r.manif == ()


def test_zip_members_are_read(tmp_path):
    z = tmp_path / "2026-code-tables-tabular-and-index.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("icd10cm_index_2026.xml", MAIN_XML)
        f.writestr("icd10cm_eindex_2026.xml", "<ICD10CM.index/>")
    data, name = read_bytes(z, idx._ZIP_MEMBERS["main"])
    assert data.decode().startswith("<?xml") and name.endswith("!icd10cm_index_2026.xml")


# ------------------------------------------------------------------------------- bad input
def test_truncated_xml_names_file_and_line(mirror, tmp_path):
    cut = MAIN_XML[: MAIN_XML.index("<term level=\"1\">\n        <title>abdominal")]
    root = _tmp_mirror(tmp_path, mirror, main_xml=cut)
    with pytest.raises(ImportFailure) as e:
        idx.build(SourceResolver(str(root)))
    assert e.value.file.endswith("icd10cm_index_2025.xml") and e.value.line is not None
    assert f"line {e.value.line}" in str(e.value)


def test_bad_nesting_names_line(mirror, tmp_path):
    bad = MAIN_XML.replace('<term level="2">', '<term level="3">')
    root = _tmp_mirror(tmp_path, mirror, main_xml=bad)
    with pytest.raises(ImportFailure) as e:
        idx.build(SourceResolver(str(root)))
    assert e.value.line == MAIN_XML.splitlines().index('        <term level="2">') + 1


def test_truncated_gzip_table(mirror, tmp_path):
    root = _tmp_mirror(tmp_path, mirror, files=TABLE_FILES[1:], csv=True)
    raw = gzip.compress((Path(mirror) / "icd10cm-index" / TABLE_FILES[0]).read_bytes())
    (root / "icd10cm-index" / "icd-10-cm-neoplasm-2025.xml.gz").write_bytes(
        gzip.compress(gzip.decompress(raw))[:5000])
    with pytest.raises(ImportFailure) as e:
        idx.build(SourceResolver(str(root)))
    assert "icd-10-cm-neoplasm-2025.xml.gz" in e.value.file


def test_malformed_csv_names_line(mirror, tmp_path):
    root = _tmp_mirror(tmp_path, mirror)
    rows = ["RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code", "1,A,0,Abasia,,,,F44.4",
            "2,A,3,deep,,,,R00.0"]
    (root / "icd10cm-index" / CSV_FILE).write_bytes(gzip.compress("\n".join(rows).encode()))
    with pytest.raises(ImportFailure) as e:
        idx.build(SourceResolver(str(root)))
    assert e.value.line == 3 and CSV_FILE in e.value.file


def test_missing_files(mirror, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceMissing):
        idx.build(SourceResolver(str(empty)))
    no_tables = _tmp_mirror(tmp_path, mirror, files=(), csv=True)
    with pytest.raises(SourceMissing) as e:
        idx.build(SourceResolver(str(no_tables)))
    assert "neoplasm" in str(e.value) or "eindex" in str(e.value)


def test_index_codes_exist_in_the_tabular(index, tmp_path):
    """Codes the walks reach are real tabular codes (FY2026 tabular, FY2025 index: stable codes)."""
    from coderight.codesets.codebook import Codebook

    tabular = Codebook(tmp_path / "cache").icd10cm  # bundled: compiles itself on first use
    reached = [index.lookup("diabetes, type 2, with, chronic kidney disease").code,
               index.search("congestive heart failure")[0].code,
               index.neoplasm("colon", "malignant primary").code,
               index.neoplasm("colon", "benign").code,
               index.drug("penicillin", "accidental").code,
               index.lookup("fracture, femur, neck").code.rstrip("-")]
    for code in reached:
        assert tabular.get(code).code.replace(".", "") == code.replace(".", "")
