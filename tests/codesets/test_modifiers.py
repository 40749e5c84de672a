"""Modifiers: curated table (ours) over the third-party compilation in the mirror."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coderight.codesets import modifiers as mod_mod
from coderight.codesets.errors import ImportFailure, InvalidCode, UnknownCode
from coderight.codesets.sources import SourceResolver


@pytest.fixture(scope="module")
def modifiers(codebook):
    """The session codebook (tests/conftest.py) already compiled it from the mirror."""
    return codebook.modifiers


NEEDED = ["25", "26", "TC", "50", "LT", "RT", "59", "XE", "XP", "XS", "XU", "24", "57", "58", "76", "77", "78",
          "79", "91", "33", "PT", "53", "52", "22", *(f"F{i}" for i in range(1, 10)), "FA",
          *(f"T{i}" for i in range(1, 10)), "TA", "E1", "E2", "E3", "E4"]


def test_curated_modifiers_all_present_with_category(modifiers):
    for m in NEEDED:
        got = modifiers.get(m)
        assert got.curated and got.description and got.category, m
        assert got.file_description, m  # also in the compiled file


def test_ncci_associated_list(modifiers):
    ncci = set(modifiers.ncci_associated())
    assert {"59", "XE", "XP", "XS", "XU", "25", "24", "57", "58", "78", "79", "91", "27", "LT", "RT",
            "F1", "FA", "T9", "TA", "E1", "E4", "LC", "LD", "LM", "RC", "RI"} <= ncci
    assert not ncci & {"26", "TC", "50", "22", "52", "53", "76", "77", "33", "PT"}
    assert modifiers.get("59").category == "NCCI-associated"
    assert modifiers.get("25").category == "global-surgery"
    assert modifiers.get("26").category == "payment"
    assert modifiers.get("F3").description == "Left hand, fourth digit"
    assert modifiers.get("T6").description == "Right foot, second digit"


def test_file_only_modifier_and_levels(modifiers, mirror):
    gy = modifiers.get("GY")
    assert not gy.curated and gy.level == "HCPCS" and "statutorily excluded" in gy.description.lower()
    assert modifiers.get("25").level == "CPT"
    assert len(modifiers) >= 426
    info, _ = mod_mod.build(SourceResolver(mirror))
    assert "third-party" in info.form and info.release == "compiled 2024-06"
    with pytest.raises(InvalidCode):
        modifiers.get("5")
    with pytest.raises(UnknownCode):
        modifiers.get("Z9")


def test_without_file_curated_only(tmp_path):
    info, payload = mod_mod.build(SourceResolver(str(tmp_path)))
    m = mod_mod.load(payload)
    assert info.release == "curated" and m.get("XU").ncci_associated and "GY" not in m


def test_garbled_row_names_line(mirror, tmp_path):
    d = tmp_path / "modifiers"
    d.mkdir()
    src = Path(mirror, "modifiers", "modifiers_level1_level2_2024-06.csv")
    f = d / src.name
    shutil.copy(src, f)
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("\n23,CPT,", "\n2*3,CPT,", 1), encoding="utf-8")
    with pytest.raises(ImportFailure) as e:
        mod_mod.build(SourceResolver(str(tmp_path)))
    assert e.value.line is not None and e.value.line > 2 and src.name in e.value.file
