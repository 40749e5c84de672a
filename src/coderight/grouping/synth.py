"""Deterministic synthetic workloads for agreement checks and benchmarks (no real patients).

Inpatient cases are drawn stratified over the 25 MDCs plus pre-MDC procedures, from the code
lists of the MS-DRG v43 definitions (read through the ``drgpy`` runtime tables, which only this
generator uses); members and their diagnoses are drawn from the CMS-HCC dx->CC tables.

>>> cases = inpatient_cases(30, seed=1)
>>> len(cases), len({c.case_id for c in cases})
(30, 30)
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import json
import lzma
import random
from datetime import date, timedelta
from pathlib import Path

from coderight.grouping.hcc.tables import data_dir
from coderight.grouping.models import Diagnosis, InpatientCase


@functools.cache
def _drg_defs(version: str = "v43") -> dict:
    spec = importlib.util.find_spec("drgpy")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("drgpy is needed for the synthetic case generator (test extra)")
    p = Path(next(iter(spec.submodule_search_locations))) / "runtime_data" / f"{version}.json.xz"
    d = json.loads(lzma.decompress(p.read_bytes()))
    by_mdc: dict[int, list[str]] = {}
    for code, labels in d["dxmap"].items():
        for lab in labels:
            if lab.startswith("_MDC"):
                by_mdc.setdefault(int(lab[4:6]), []).append(code)
    drg_mdc = {k: v["mdc"] for k, v in d["drgmap"].items()}
    or_by_mdc: dict[str, list[str]] = {}
    pre: list[str] = []
    for px, drgs in d["orpcsmap"].items():
        for m in {drg_mdc.get(x, "") for x in drgs}:
            or_by_mdc.setdefault(m, []).append(px)
        if any(int(x) <= 17 for x in drgs):
            pre.append(px)
    cc = sorted(k for k, v in d["ccmap"].items() if v.get("level") == "CC")
    mcc = sorted(k for k, v in d["ccmap"].items() if v.get("level") == "MCC")
    nonor = sorted(set(d["prmap"]) - set(d["orpcsmap"]))
    alldx = sorted(d["dxmap"])
    return {
        "by_mdc": {k: sorted(set(v)) for k, v in by_mdc.items()},
        "or_by_mdc": {k: sorted(set(v)) for k, v in or_by_mdc.items()},
        "pre": sorted(pre), "cc": cc, "mcc": mcc, "nonor": nonor, "alldx": alldx,
    }


def inpatient_cases(n: int, seed: int = 0, start: date = date(2025, 10, 1), days: int = 180) -> list[InpatientCase]:
    """``n`` plausible discharges spanning all MDCs (FY2026, v43.0 by default)."""
    rnd = random.Random(seed)
    d = _drg_defs()
    mdcs = sorted(d["by_mdc"])
    out = []
    for i in range(n):
        mdc = mdcs[i % len(mdcs)]
        pdx = rnd.choice(d["by_mdc"][mdc])
        sex = "M" if mdc == 12 else "F" if mdc in (13, 14) else rnd.choice("MF")
        age = 0 if mdc == 15 else rnd.randint(16, 44) if mdc == 14 else rnd.randint(18, 95)
        k = min(12, int(rnd.expovariate(1 / 4)))
        sdx: list[Diagnosis] = []
        for _ in range(k):
            r = rnd.random()
            pool = d["mcc"] if r < 0.15 else d["cc"] if r < 0.45 else d["alldx"]
            code = rnd.choice(pool)
            if code != pdx and all(s.code != code for s in sdx):
                sdx.append(Diagnosis(code, "N" if rnd.random() < 0.08 else "Y"))
        px: list[str] = []
        if rnd.random() < 0.02:
            px.append(rnd.choice(d["pre"]))
        if rnd.random() < 0.45:
            pool = d["or_by_mdc"].get(f"{mdc:02d}") or d["nonor"]
            px.extend(rnd.choice(pool) for _ in range(rnd.randint(1, 2)))
        if rnd.random() < 0.3:
            px.append(rnd.choice(d["nonor"]))
        status = rnd.choices([1, 20, 2, 3, 6, 62, 7], [70, 8, 5, 8, 5, 2, 2])[0]
        out.append(InpatientCase(
            principal_dx=pdx, secondary_dx=tuple(sdx), procedures=tuple(dict.fromkeys(px)), age=age, sex=sex,
            discharge_status=status, discharge_date=start + timedelta(days=rnd.randrange(days)),
            case_id=f"C{i:07d}",
        ))
    return out


@functools.cache
def _hcc_codes(dx_file: str) -> tuple[list[str], list[str], list[str]]:
    mapped: dict[str, set[str]] = {}
    with open(data_dir() / dx_file, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            mapped.setdefault(r["model_name"], set()).add(r["diagnosis_code"])
    cms = sorted(mapped.get("CMS-HCC Model V28", set()) | mapped.get("CMS-HCC Model V24", set()))
    other = sorted(set().union(*mapped.values()) - set(cms))
    with open(data_dir() / "ra_dx_edits.csv", encoding="utf-8") as f:
        edited = sorted({r["icd10"] for r in csv.DictReader(f)})
    return cms, other, edited


def hcc_population(n: int, seed: int = 0, dx_file: str = "ra_dx_to_cc_2026.csv", mean_dx: float = 6.0
                   ) -> tuple[list[dict], list[dict]]:
    """(members, diagnoses) as plain rows: a Medicare-like mix of segments and conditions."""
    rnd = random.Random(seed)
    cms, other, edited = _hcc_codes(dx_file)
    members, dxs = [], []
    for i in range(n):
        mid = f"M{i:08d}"
        r = rnd.random()
        if r < 0.8:
            age, orec = rnd.randint(65, 102), rnd.choices(["0", "1", "2", "3"], [85, 12, 2, 1])[0]
        elif r < 0.99:
            age, orec = rnd.randint(21, 64), rnd.choices(["1", "3", "2"], [90, 5, 5])[0]
        else:
            age, orec = rnd.randint(0, 20), "2"
        members.append({
            "member_id": mid, "age": age, "sex": rnd.choice("MF"),
            "dual": rnd.choices(["00", "01", "02", "03", "04", "05", "06", "08", "09", "10"],
                                [68, 5, 8, 4, 3, 1, 2, 5, 2, 2])[0],
            "orec": orec, "crec": rnd.choices(["", "0", "1", "2"], [80, 10, 8, 2])[0],
            "new_enrollee": rnd.random() < 0.05, "snp": rnd.random() < 0.1, "lti": rnd.random() < 0.05,
        })
        for _ in range(int(rnd.expovariate(1 / mean_dx))):
            q = rnd.random()
            code = rnd.choice(edited if q < 0.05 else other if q < 0.3 else cms)
            dxs.append({"member_id": mid, "dx": code})
    return members, dxs
