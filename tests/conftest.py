"""Shared fixtures: the CMS mirror (CODERIGHT_DATA_MIRROR, default ../shared/data) and a
session-wide Codebook compiled from it into the test cache (CODERIGHT_CACHE_DIR)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _mirror() -> str | None:
    m = os.environ.get("CODERIGHT_DATA_MIRROR")
    if m:
        return m
    default = REPO.parent / "shared" / "data"
    return str(default) if default.is_dir() else None


@pytest.fixture(scope="session")
def mirror() -> str:
    m = _mirror()
    if not m:
        pytest.fail("no CMS mirror: set CODERIGHT_DATA_MIRROR (CI uses ../shared/data)")
    return m


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    env = os.environ.get("CODERIGHT_CACHE_DIR")
    return Path(env) if env else tmp_path_factory.mktemp("coderight-cache")


@pytest.fixture(scope="session")
def codebook(mirror, cache_dir):
    """A Codebook whose cache holds every registered dataset, built once per cache."""
    from coderight.codesets.codebook import Codebook, sync
    from coderight.codesets.registry import DATASETS

    cb = Codebook(cache_dir)
    missing = [d for d in DATASETS if not cb.is_current(d)]
    if missing:
        built, failed = sync(cache_dir, mirror, only=missing)
        if failed:
            raise RuntimeError("; ".join(f"{n}: {e}" for n, e in failed))
    return cb
