"""Carry CodiEsp's Spanish evidence strings over to the English translation (bench only).

CodiEsp annotates evidence in the Spanish original; an English-only coder can learn a mention
lexicon only from English strings. For every Spanish evidence string we know the English
sentence(s) aligned to the Spanish sentence holding it (`dx_learned.align`); inside them we pick,
for each Spanish content word, the English word that best translates it, and take the tight span
around the picks as the English evidence string.

"Best translates" is the larger of two scores:
- an IBM Model 1 word-translation table ``t(english | spanish)`` trained by EM on the aligned
  sentence pairs of the train split (covers non-cognates: dolor → pain, riñón → kidney);
- an orthographic cognate score (clinical vocabulary is largely Greco-Latin: hipertensión →
  hypertension, prostática → prostatic), after folding accents and a few regular spelling
  correspondences (y→i, ph→f, th→t, k→c, ch→c, doubled letters).

>>> cognate("hipertension", "hypertension"), cognate("prostatica", "prostatic"), cognate("dolor", "pain")
(1.0, 0.9, 0.0)
>>> cognate("esplenomegalia", "splenomegaly"), cognate("estenosis", "stenosis")
(0.9, 1.0)
>>> t = ibm1([(["dolor", "toracico"], ["chest", "pain"]), (["dolor", "abdominal"], ["abdominal", "pain"]),
...           (["fiebre"], ["fever"])], iterations=10)
>>> max(t["dolor"], key=t["dolor"].get)
'pain'
>>> sent = "He reported chest pain and fever."
>>> s, e = project(["dolor", "toracico"], sent, t)
>>> sent[s:e]
'chest pain'
>>> project_best(["fiebre"], ["Chest pain.", "Then fever."], t)
(1, (5, 10))
"""

from __future__ import annotations

import re
from collections import defaultdict

from coderight.coding.learned import FUNCTION_WORDS, fold_tokens

_TOKEN = re.compile(r"[A-Za-z0-9\u00C0-\u024F]+")
STOP = FUNCTION_WORDS
_RULES = (("ph", "f"), ("th", "t"), ("ch", "c"), ("y", "i"), ("k", "c"), ("qu", "c"))
_DOUBLE = re.compile(r"(.)\1")
_PROTHETIC = re.compile(r"^es(?=[ptcm])")
"""Spanish adds an e before s + consonant: esplenomegalia, estenosis, espasmo."""


def _ortho(w: str) -> str:
    w = _PROTHETIC.sub("s", w)
    for a, b in _RULES:
        w = w.replace(a, b)
    return _DOUBLE.sub(r"\1", w)


def cognate(es: str, en: str) -> float:
    """1.0 for identical spelling after folding; 0.9 for a shared stem of ≥ 5 letters covering
    most of both words; 0 otherwise."""
    a, b = _ortho(es), _ortho(en)
    if a == b:
        return 1.0
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return 0.9 if n >= 5 and n >= 0.7 * max(len(a), len(b)) else 0.0


def ibm1(pairs: list[tuple[list[str], list[str]]], iterations: int = 5) -> dict[str, dict[str, float]]:
    """t[spanish][english] by EM (IBM Model 1, English generated from Spanish words plus NULL)."""
    t: dict[str, dict[str, float]] = defaultdict(dict)
    for es, en in pairs:
        for f in [*es, None]:
            for e in en:
                t[f][e] = 1.0
    for _ in range(iterations):
        count: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        total: dict[str, float] = defaultdict(float)
        for es, en in pairs:
            src = [*es, None]
            for e in en:
                z = sum(t[f][e] for f in src)
                for f in src:
                    c = t[f][e] / z
                    count[f][e] += c
                    total[f] += c
        t = defaultdict(dict, {f: {e: c / total[f] for e, c in ce.items()} for f, ce in count.items()})
    return {f: dict(v) for f, v in t.items() if f is not None}


def project_best(mention: list[str], sentences: list[str], table: dict[str, dict[str, float]],
                 common: frozenset[str] = frozenset()) -> tuple[int, tuple[int, int]] | None:
    """(index, span) in the candidate sentence where most of the mention's words are found (ties:
    the earlier one, so put the aligned sentence first; neighbours catch alignment slips)."""
    best = None
    for k, sent in enumerate(sentences):
        got = project(mention, sent, table, with_count=True, common=common)
        if got and (best is None or got[1] > best[2]):
            best = (k, got[0], got[1])
    return (best[0], best[1]) if best else None


def project(mention: list[str], sentence: str, table: dict[str, dict[str, float]],
            min_score: float = 0.15, with_count: bool = False, common: frozenset[str] = frozenset(),
            min_common: float = 0.5):
    """Character span in `sentence` (English) for the folded Spanish `mention` tokens, or None;
    with `with_count`, ``(span, words carried)``. A `common` English word (patient, history, left,
    which …) is picked only as a cognate or with ``t ≥ min_common``: IBM Model 1 lets rare source
    words "collect" frequent target words, and those would teach the lexicon "patient" → Z51.5."""
    toks = [(m.start(), m.end(), fold_tokens(m.group())) for m in _TOKEN.finditer(sentence)]
    toks = [(s, e, f[0]) for s, e, f in toks if f]
    picks = []
    for w in mention:
        if w in STOP:
            continue
        tw = table.get(w, {})
        best, at = 0.0, None
        for i, (_s, _e, en) in enumerate(toks):
            if en in STOP:
                continue
            t_en = tw.get(en, 0.0)
            if en in common and t_en < min_common:
                t_en = 0.0
            sc = max(t_en, cognate(w, en))
            if sc > best:
                best, at = sc, i
        if at is not None and best >= min_score:
            picks.append(at)
    if not picks:
        return None
    picks.sort()
    mid = picks[len(picks) // 2]
    near = [p for p in picks if abs(p - mid) <= len(picks) + 2]
    span = toks[near[0]][0], toks[near[-1]][1]
    return (span, len(near)) if with_count else span
