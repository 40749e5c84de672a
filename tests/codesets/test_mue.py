"""NCCI MUEs: real codes from the 2024 Q3 tables, release coverage and bad input."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from coderight.codesets import mue
from coderight.codesets.codebook import Codebook, sync
from coderight.codesets.errors import ImportFailure, SourceMissing
from coderight.codesets.ncci import ReleaseNotLoaded
from coderight.codesets.sources import SourceResolver

DOS = date(2024, 9, 30)


@pytest.fixture(scope="module")
def book(mirror, cache_dir) -> Codebook:
    cb = Codebook(cache_dir)
    if not cb.is_current("mue"):
        _, failed = sync(cache_dir, mirror, only=["mue"])
        assert not failed, failed
    return cb


def test_real_limits(book):
    m = book.dataset("mue")
    assert m.limit("99213", DOS) == (2, 3, "Clinical: Data", "NCCI MUE 2024 Q3 (eff. 2024-07-01)")
    assert m.limit("43239", DOS, "outpatient_hospital")[:2] == (1, 2)
    assert m.limit("J1100", DOS, "practitioner").value == 120
    assert m.limit("E0601", DOS, "dme_supplier").value == 1
    assert m.limit("E0601", DOS, "practitioner").value == 0
    assert m.limit("ZZZZZ", DOS) is None
    assert book.info()["mue"].release == "NCCI MUE 2024 Q3 (eff. 2024-07-01)"
    assert book.info()["mue"].rows == 14677 + 14628 + 2928


def test_release_not_loaded(book):
    m = book.dataset("mue")
    assert m.release_for(date(2024, 10, 1)) is None
    assert m.release_for(date(2024, 7, 1)).label.startswith("NCCI MUE 2024 Q3")
    with pytest.raises(ReleaseNotLoaded, match="not loaded for this date"):
        m.limit("99213", date(2024, 10, 1))
    with pytest.raises(ValueError):
        m.limit("99213", DOS, "hospice")


def _mirror(tmp_path: Path, mirror: str) -> Path:
    (tmp_path / "mue").mkdir()
    for f in Path(mirror, "mue").glob("mue_*.csv"):
        shutil.copy(f, tmp_path / "mue" / f.name)
    return tmp_path


def test_garbled_row(tmp_path, mirror):
    m = _mirror(tmp_path, mirror)
    p = m / "mue" / "mue_practitioner_2024-07-01.csv"
    lines = p.read_text().splitlines()
    lines[4] = "0003M,1,3,Nature of Ana"  # truncated
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(ImportFailure) as e:
        mue.build(SourceResolver(str(m)))
    assert e.value.line == 5 and e.value.file.endswith("mue_practitioner_2024-07-01.csv")
    lines[4] = "0003M,one,3,Nature of Analyte,Practitioner"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(ImportFailure, match="line 5"):
        mue.build(SourceResolver(str(m)))


def test_missing_file(tmp_path, mirror):
    m = _mirror(tmp_path, mirror)
    (m / "mue" / "mue_dme_supplier_2024-07-01.csv").unlink()
    with pytest.raises(SourceMissing, match="dme_supplier"):
        mue.build(SourceResolver(str(m)))
