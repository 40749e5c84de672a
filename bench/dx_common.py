"""Shared set-up for the diagnosis benches: the eval-dev sets and a synced Codebook.

The development sets live in ``$CODERIGHT_DATA_MIRROR/eval-dev`` (default ../shared/data): read
there, never copied into the repo.
"""

from __future__ import annotations

import csv
import gzip
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def mirror() -> Path:
    return Path(os.environ.get("CODERIGHT_DATA_MIRROR") or REPO.parent / "shared" / "data")


def codebook():
    from coderight.codesets import registry
    from coderight.codesets.codebook import Codebook, sync
    from coderight.settings import Settings

    if "icd10cm_index" not in registry.DATASETS:
        registry.register("icd10cm_index", "coderight.codesets.icd10cm_index")
    cache = Settings.from_env().cache_dir
    cb = Codebook(cache)
    missing = [d for d in ("icd10cm", "icd10cm_index") if not cb.is_current(d)]
    if missing:
        _, failed = sync(cache, str(mirror()), only=missing)
        if failed:
            raise SystemExit(f"sync failed: {failed}")
    return cb


def aci_notes() -> list[tuple[str, str]]:
    """(encounter_id, note) of the 67 labelled ACI-Bench train+valid encounters."""
    base = mirror() / "eval-dev" / "aci-bench"
    csv.field_size_limit(1 << 30)
    missing = set()
    mp = base / "icd10cm_gold_amazon" / "amazon_icd10cm_missing_ids_train_valid.tsv"
    for line in mp.read_text().splitlines():
        if line.strip():
            missing.add(line.split("\t")[0].strip())
    out = []
    for split in ("train", "valid"):
        with open(base / "challenge_data" / f"{split}.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["encounter_id"] not in missing:
                    out.append((row["encounter_id"], row["note"]))
    return out


def aci_gold_path() -> Path:
    return mirror() / "eval-dev" / "aci-bench" / "icd10cm_gold_amazon" / "amazon_icd10cm_gold_train_valid.tsv"


def codiesp_notes(split: str = "dev") -> list[tuple[str, str]]:
    d = mirror() / "eval-dev" / "codiesp" / split / "text_files_en"
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(d.glob("*.txt"))]


def codiesp_gold_path(split: str = "dev") -> Path:
    return mirror() / "eval-dev" / "codiesp" / split / f"{split}D.tsv"


def mtsamples() -> list[tuple[str, str]]:
    p = mirror() / "eval-dev" / "mtsamples" / "mtsamples_dev_noteid_mod10.csv.gz"
    csv.field_size_limit(1 << 30)
    with gzip.open(p, "rt", encoding="utf-8", newline="") as f:
        return [(r["note_id"], r["transcription"] or "") for r in csv.DictReader(f)]


CODIESP_RELEASE_DAY = "2017-06-01"
"""CodiEsp labels are CIE-10-ES 2018, the Spanish edition of ICD-10-CM FY2017 (it still has K56.60,
R51, R05, M54.5, E87.2 that later US releases split)."""


def release_crosswalk(codebook, day: str = CODIESP_RELEASE_DAY):
    """code → the code (or its nearest ancestor) valid on `day`: a FY2026 code added later (R51.9,
    R05.9, M54.50, E87.20, F32.A, K56.609 …) is scored as the parent the older release had."""
    from datetime import date
    from functools import cache

    v = codebook.icd10cm_validity
    tab = codebook.icd10cm
    d = date.fromisoformat(day)

    @cache
    def conv(code: str) -> str:
        c = code
        while c:
            try:
                if v.is_valid(c, d):
                    return c
            except Exception:  # noqa: BLE001 - a code unknown to the validity table is kept
                return code
            node = tab.find(c)
            parent = node.parent if node is not None else None
            if not parent:
                return code
            c = parent
        return code

    return conv
