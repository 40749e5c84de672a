"""A Coder over the session codebook (tests/conftest.py compiles every dataset, index included)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def coder(codebook):
    from coderight.coding.encounter import Coder

    return Coder(codebook)
