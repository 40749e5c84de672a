"""The bench's evidence projection (Spanish CodiEsp strings → English sentences) keeps its
docstring examples as tests, like the product's modules."""

import doctest
import importlib.util
from pathlib import Path


def test_projection_doctests():
    path = Path(__file__).resolve().parents[1] / "bench" / "projection.py"
    spec = importlib.util.spec_from_file_location("bench_projection", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    res = doctest.testmod(mod)
    assert res.attempted >= 5 and res.failed == 0
