from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def pipeline(codebook, mirror):
    from coderight.codesets import registry
    from coderight.codesets.codebook import sync
    from coderight.nlp.pipeline import Pipeline

    if "icd10cm_index" not in registry.DATASETS:
        registry.register("icd10cm_index", "coderight.codesets.icd10cm_index")
    if not codebook.is_current("icd10cm_index"):
        _, failed = sync(codebook.cache.root, mirror, only=["icd10cm_index"])
        if failed:
            raise RuntimeError(failed)
    return Pipeline.from_codebook(codebook)
