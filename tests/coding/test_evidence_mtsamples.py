"""Every suggested code carries evidence whose text is the note's text at its offsets, over the
whole MTSamples development set (and no note crashes the coder)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def mtsamples(mirror):
    p = Path(mirror) / "eval-dev" / "mtsamples" / "mtsamples_dev_noteid_mod10.csv.gz"
    if not p.exists():
        pytest.skip("MTSamples dev set not in the mirror")
    csv.field_size_limit(1 << 30)
    with gzip.open(p, "rt", encoding="utf-8", newline="") as f:
        return [(r["note_id"], r["transcription"] or "") for r in csv.DictReader(f)]


def test_evidence_offsets_over_mtsamples(coder, mtsamples):
    n_codes = 0
    for nid, text in mtsamples:
        for setting in ("outpatient",):
            r = coder.code(text, setting=setting, id=nid)
            for d in r.diagnoses:
                n_codes += 1
                assert d.evidence, (nid, d.code)
                for e in d.evidence:
                    assert text[e.start:e.end] == e.text, (nid, d.code, e)
                assert coder.tab.is_billable(d.code), (nid, d.code)
            for q in r.queries:
                for e in q.evidence:
                    assert text[e.start:e.end] == e.text
    assert n_codes > 500
