"""Procedures, supplies and drugs documented in a note, with evidence and the rule behind each.

`suggest_procedures(note, setting="office", payer="medicare", age=None, codebook=None)` →
list of `Suggestion` (laterality and distinct-service modifiers applied; the E/M modifier 25 is
decided with the E/M in `coderight.coding.em_suggest`).

>>> s = suggest_procedures('''PROCEDURE: Left knee injection. The left knee was prepped and injected
... with 40 mg triamcinolone acetonide and 3 mL lidocaine.''', codebook=None)
>>> [(x.code, x.modifiers, x.units) for x in s]
[('20610', ['LT'], 1)]
"""

from __future__ import annotations

import re

from ...nlp.document import Document
from ..em.note import Note
from ..modifiers import distinct_modifiers, laterality_modifiers
from .model import Suggestion
from .other import endoscopy, poc_tests
from .rules import Ctx, ekg, im_injections, joint_injections, nebulizer, spirometry, vaccines
from .skin import biopsies, destruction, incision_drainage, lacerations, skin_tags, splints

RULES = (joint_injections, im_injections, ekg, spirometry, vaccines, biopsies, destruction, skin_tags,
         incision_drainage, lacerations, splints, poc_tests, endoscopy)

_AGE = re.compile(r"\b(\d{1,3})[- ]?(?:year[- ]old|yo\b|y/o|yr[- ]old|-year-old)|\bage[:\s]+(\d{1,3})\b", re.I)
_MONTHS = re.compile(r"\b(\d{1,2})[- ]?(?:month|mo)[- ]old\b", re.I)


def age_of(text: str) -> int | None:
    m = _MONTHS.search(text)
    if m:
        return 0
    m = _AGE.search(text)
    return int(m.group(1) or m.group(2)) if m else None


def suggest_procedures(note: str | Document | Note, setting: str = "office", payer: str = "medicare",
                       age: int | None = None, codebook=None, date_of_service=None) -> list[Suggestion]:
    n = Note.read(note)
    hcpcs = None
    if codebook is not None:
        try:
            hcpcs = codebook.hcpcs
        except Exception:  # noqa: BLE001 - HCPCS not synced: drug and supply lines are skipped
            hcpcs = None
    ctx = Ctx(n, setting, payer, age if age is not None else age_of(n.text), hcpcs)
    out: list[Suggestion] = []
    for rule in RULES:
        out += rule(ctx)
    out += nebulizer(ctx, skip=any(s.code == "94060" for s in out))
    bil = {}
    ptp = None
    if codebook is not None:
        try:
            pfs = codebook.pfs
            for s in out:
                if s.code in pfs:
                    bil[s.code] = pfs.rvu(s.code).bilateral_surgery
        except Exception:  # noqa: BLE001
            pass
        ptp = _ptp(codebook, date_of_service)
    out = laterality_modifiers(out, bil)
    return distinct_modifiers(out, payer, ptp)


def _ptp(codebook, dos):
    try:
        ncci = codebook.ncci
    except Exception:  # noqa: BLE001
        return None
    if dos is None or ncci.ptp.release_for(dos) is None:
        return None

    def f(a, b):
        e = ncci.ptp.pair(a, b, dos)
        return e.modifier_indicator if e else None

    return f


__all__ = ["RULES", "Suggestion", "age_of", "suggest_procedures"]
