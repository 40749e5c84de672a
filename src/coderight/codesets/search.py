"""Ranked free-text search over ICD-10-CM titles, inclusion terms and the Alphabetic Index.

Ranking is a small BM25-style score over word stems: every query word found counts by its
rarity, a title that carries all the query words ranks above one that carries some, and a
shorter (more exact) title above a longer one. Index hits (when the index is compiled) add
the coder's path into the classification.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("of the and or in with without to by a an for as at on other unspecified nos".split())


def stem(word: str) -> str:
    """A deliberately light stemmer: plurals and a few clinical suffixes.

    >>> [stem(w) for w in ["fractures", "diseases", "injuries", "kidney", "failure"]]
    ['fracture', 'disease', 'injury', 'kidney', 'failure']
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]


@dataclass(frozen=True)
class Hit:
    code: str
    title: str
    billable: bool
    score: float
    via: str  # "title", "inclusion term: …", "index: …"


class _Inverted:
    def __init__(self, entries: list[tuple[str, str, str]]):
        # entries: (code, text, via)
        self.entries = entries
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.lengths = []
        for i, (_, text, _) in enumerate(entries):
            toks = set(tokens(text))
            self.lengths.append(max(len(toks), 1))
            for t in toks:
                self.postings[t].append(i)
        n = len(entries)
        self.idf = {t: math.log(1 + n / len(p)) for t, p in self.postings.items()}

    def query(self, text: str, limit: int) -> list[tuple[float, int]]:
        q = list(dict.fromkeys(tokens(text)))
        if not q:
            return []
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, int] = defaultdict(int)
        for t in q:
            for i in self.postings.get(t, ()):
                scores[i] += self.idf[t]
                matched[i] += 1
        total = sum(self.idf.get(t, 0.0) for t in q) or 1.0
        ranked = []
        for i, s in scores.items():
            coverage = matched[i] / len(q)
            precision = matched[i] / self.lengths[i]
            ranked.append((s / total * (0.6 + 0.4 * coverage) * (0.7 + 0.3 * precision), i))
        ranked.sort(key=lambda x: (-x[0], x[1]))
        return ranked[:limit]


_CACHE: dict[int, _Inverted] = {}


def _tabular_inverted(tab) -> _Inverted:
    key = id(tab)
    inv = _CACHE.get(key)
    if inv is None:
        entries = [(c, t, "title") for c, t, _ in tab.titles()]
        entries += [(c, t, f"inclusion term: {t}") for c, t in tab.inclusion_terms()]
        inv = _CACHE[key] = _Inverted(entries)
    return inv


def search_codes(codebook, text: str, limit: int = 15) -> list[Hit]:
    """Ranked codes for free text, best first; each code once, with the best way it was found."""
    tab = codebook.icd10cm
    inv = _tabular_inverted(tab)
    best: dict[str, Hit] = {}

    def offer(code: str, score: float, via: str) -> None:
        obj = tab.find(code.rstrip("-"))
        if obj is None:
            return
        score += 0.05 if obj.billable else 0.0
        if code not in best or best[code].score < score:
            best[code] = Hit(obj.code, obj.title, obj.billable, round(score, 4), via)

    for score, i in inv.query(text, limit * 4):
        code, _, via = inv.entries[i]
        offer(code, score, via)
    try:
        idx = codebook.dataset("icd10cm_index") if codebook.has("icd10cm_index") else None
    except Exception:  # noqa: BLE001 - the index is optional for search
        idx = None
    if idx is not None and hasattr(idx, "search"):
        for rank, h in enumerate(idx.search(text, limit=limit * 2)):
            code = getattr(h, "code", None)
            if code:
                path = getattr(h, "path", None)
                via = "index: " + (", ".join(path) if isinstance(path, list | tuple) else str(path))
                offer(code, 1.0 - rank * 0.02, via)
    return sorted(best.values(), key=lambda h: (-h.score, h.code))[:limit]
