from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def pipeline(codebook):
    from coderight.nlp.pipeline import Pipeline

    return Pipeline.from_codebook(codebook)
