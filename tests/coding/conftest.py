"""A Coder over the session codebook, with the Alphabetic Index compiled into it."""

from __future__ import annotations

import pytest


def with_index(codebook, mirror):
    from coderight.codesets import registry
    from coderight.codesets.codebook import sync

    if "icd10cm_index" not in registry.DATASETS:
        registry.register("icd10cm_index", "coderight.codesets.icd10cm_index")
    if not codebook.is_current("icd10cm_index"):
        _, failed = sync(codebook.cache.root, mirror, only=["icd10cm_index"])
        if failed:
            raise RuntimeError(failed)
    return codebook


@pytest.fixture(scope="session")
def coder(codebook, mirror):
    from coderight.coding.encounter import Coder

    return Coder(with_index(codebook, mirror))
