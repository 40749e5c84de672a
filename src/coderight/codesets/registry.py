"""The datasets the code-set layer knows, in import order.

Each entry is a module exposing:
- ``DATASET``: the dataset name (cache key), ``SOURCES``: its `Source` list;
- ``build(resolver) -> (DatasetInfo, payload)``: parse the official files (pure, no cache I/O);
- ``load(payload) -> object``: wrap a compiled payload in the dataset's query API.
A module may also set ``BUNDLED = True`` when it builds without any mirror (the FY2026 tabular
ships on PyPI), so that it compiles itself on first use.
"""

from __future__ import annotations

import importlib
from types import ModuleType

DATASETS: dict[str, str] = {
    "ncci": "coderight.codesets.ncci",
    "mue": "coderight.codesets.mue",
    "mce": "coderight.codesets.mce",
    "icd10cm_validity": "coderight.codesets.icd10cm_validity",
    "icd10cm": "coderight.codesets.icd10cm",
    "icd10cm_index": "coderight.codesets.icd10cm_index",
    "pcs": "coderight.codesets.pcs",
    "hcpcs": "coderight.codesets.hcpcs",
    "pfs": "coderight.codesets.pfs",
    "modifiers": "coderight.codesets.modifiers",
    "pos": "coderight.codesets.pos",
}


def register(name: str, module: str) -> None:
    DATASETS[name] = module


def module_for(name: str) -> ModuleType:
    try:
        return importlib.import_module(DATASETS[name])
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}") from None
