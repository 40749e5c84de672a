"""Medicare PFS RVU file (CY2025 October release), GPCIs, localities and prices."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from coderight.codesets import pfs as pfs_mod
from coderight.codesets.errors import ImportFailure, InvalidCode, SourceMissing, UnknownCode
from coderight.codesets.sources import SourceResolver


@pytest.fixture(scope="module")
def pfs(codebook):
    """The session codebook (tests/conftest.py) already compiled it from the mirror."""
    return codebook.pfs


def test_99214_non_facility_and_facility(pfs):
    r = pfs.rvu("99214")
    assert (r.work_rvu, r.non_facility_pe_rvu, r.facility_pe_rvu, r.mp_rvu) == (1.92, 1.80, 0.83, 0.15)
    assert r.non_facility_total == 3.87 and r.facility_total == 2.90
    assert r.status == "A" and r.global_days == "XXX" and not r.is_addon
    assert pfs.conversion_factor == 32.3465
    assert pfs.price("99214") == round(3.87 * 32.3465, 2) == 125.18
    assert pfs.price("99214", facility=True) == round(2.90 * 32.3465, 2)


def test_27447_surgical_indicators(pfs):
    r = pfs.rvu("27447")
    assert r.global_days == "090"
    assert r.bilateral_surgery == "1"  # 150 % payment adjustment for bilateral procedures
    assert (r.multiple_procedure, r.assistant_surgery, r.co_surgeons, r.team_surgery) == ("2", "2", "1", "0")
    assert r.non_facility_na is True  # not priced outside a facility
    assert (r.pre_op, r.intra_op, r.post_op) == (0.10, 0.69, 0.21)


def test_pctc_93000_vs_93010_and_modifier_rows(pfs):
    assert pfs.rvu("93000").pctc_indicator == "4"  # global test only
    assert pfs.rvu("93010").pctc_indicator == "2"  # professional component only
    assert pfs.rvu("93005").pctc_indicator == "3"  # technical component only
    # a PC/TC indicator 1 code has 26 and TC rows that add up to the global row
    g, pc, tc = pfs.rvu("71046"), pfs.rvu("71046", "26"), pfs.rvu("71046", "TC")
    assert g.pctc_indicator == "1" and pfs.modifiers_of("71046") == ["", "26", "TC"]
    assert abs(pc.non_facility_total + tc.non_facility_total - g.non_facility_total) < 0.02
    assert pc.modifier == "26" and pc.work_rvu == g.work_rvu and tc.work_rvu == 0
    with pytest.raises(InvalidCode):
        pfs.rvu("99214", "26")
    assert pfs.rvu("27447", "RT").modifier == ""  # other modifiers do not change RVUs


def test_addon_hint_from_zzz(pfs):
    assert pfs.is_addon("22614") and pfs.rvu("22614").is_addon
    assert not pfs.is_addon("27447")


def test_locality_price(pfs):
    loc = pfs.locality("01112-54")
    assert loc.name == "BAKERSFIELD" and (loc.work_gpci, loc.pe_gpci, loc.mp_gpci) == (1.017, 1.093, 0.662)
    assert loc.counties == "KERN"
    assert pfs.locality(("1112", "54")) == loc
    expect = round((1.92 * 1.017 + 1.80 * 1.093 + 0.15 * 0.662) * 32.3465, 2)
    assert pfs.price("99214", facility=False, locality="01112-54") == expect
    assert pfs.locality("02102-01").work_gpci == 1.5  # Alaska floor
    assert len(pfs.localities()) >= 100
    with pytest.raises(UnknownCode):
        pfs.locality("99999-99")


def test_short_descriptor_only_in_cache(pfs):
    assert pfs.rvu("99214").short_descriptor  # from the user's file, display only
    with pytest.raises(UnknownCode):
        pfs.rvu("0000A")


def test_release(pfs, mirror):
    info, _ = pfs_mod.build(SourceResolver(mirror))
    assert info.release == "CY2025 PFS (October release)" and info.rows == 19090
    assert info.form.startswith("official CSV")


def _copy_mirror(mirror: str, tmp: Path) -> Path:
    d = tmp / "m" / "pfs-rvu"
    d.mkdir(parents=True)
    for f in Path(mirror, "pfs-rvu").iterdir():
        shutil.copy(f, d / f.name)
    return tmp / "m"


def test_truncated_rvu_file_names_file_and_line(mirror, tmp_path):
    m = _copy_mirror(mirror, tmp_path)
    f = m / "pfs-rvu" / "PPRRVU2025_Oct.csv.gz"
    lines = gzip.decompress(f.read_bytes()).decode("utf-8").splitlines(keepends=True)
    lines[14] = lines[14][:25] + "\n"  # a row cut short
    f.write_bytes(gzip.compress("".join(lines[:20]).encode()))
    with pytest.raises(ImportFailure) as e:
        pfs_mod.build(SourceResolver(str(m)))
    assert e.value.line == 15 and "PPRRVU2025_Oct.csv.gz" in str(e.value)


def test_garbled_gpci_value(mirror, tmp_path):
    m = _copy_mirror(mirror, tmp_path)
    f = m / "pfs-rvu" / "GPCI2025.csv"
    f.write_text(f.read_text().replace("10112,AL,00,ALABAMA,1,0.869", "10112,AL,00,ALABAMA,1,0.8x9"))
    with pytest.raises(ImportFailure) as e:
        pfs_mod.build(SourceResolver(str(m)))
    assert e.value.line == 4 and "GPCI2025.csv" in e.value.file


def test_header_only_file(tmp_path):
    f = tmp_path / "PPRRVU2025_Oct.csv"
    f.write_text("title\n")
    with pytest.raises(ImportFailure, match="no header row"):
        pfs_mod.parse_pprrvu(f)


def test_mirror_missing_gpci(mirror, tmp_path):
    m = _copy_mirror(mirror, tmp_path)
    (m / "pfs-rvu" / "GPCI2025.csv").unlink()
    with pytest.raises(SourceMissing, match="GPCI"):
        pfs_mod.build(SourceResolver(str(m)))
