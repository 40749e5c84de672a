"""Supervised priors learned from a labelled corpus (e.g. the CodiEsp train split): used for
ranking and confidence, never to put a code into `CodingResult.diagnoses` on its own.

Three pieces:

- `TermModel`: phrase → code associations mined from sentences that carry a gold code's
  evidence. For every word n-gram (1–4 normalised tokens, `lexicon.words`) it counts the
  sentences containing it and, per code, the sentences aligned to that code's evidence; a
  phrase keeps its best code when it was seen with it at least `min_support` times and its
  sentence-level precision (smoothed) is at least `min_precision`. Matching a note gives
  ``code → (score, phrase, sentence index)``.
- `CodePriors`: per-code precision of the product's own predictions on the training notes
  (how often a predicted code was in the gold), smoothed towards the precision of its chapter
  letter and of the whole corpus: the calibrated confidence used to rank.
- `MentionLexicon`: the annotated evidence strings themselves (any language: CodiEsp's are
  Spanish), accent-folded, with the document-level precision of each string → code pair
  (of the training notes whose text holds the string, the share whose gold holds the code).
  `BagLexicon` is its loose twin: the same strings as bags of stemmed content words, found in
  any order within a short window (annotators join discontinuous spans in their own order:
  "próstata hiperplasia benigna").

>>> tm = TermModel.fit([["Acute appendicitis was confirmed."], ["No appendicitis."], ["Appendicitis again."]],
...                    [[{"K35.80"}], [set()], [{"K35.80"}]], min_support=2, min_precision=0.3)
>>> round(tm.terms[("appendicitis",)][1], 2)
0.44
>>> sorted(tm.match(["The appendicitis resolved."]))
['K35.80']
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from ..nlp.lexicon import words

MAX_N = 4
_SKIP = frozenset({"patient", "was", "were", "is", "are", "with", "and", "a", "to", "for", "by", "from",
                   "his", "her", "this", "that", "which", "who", "no", "not", "as", "be", "been", "had",
                   "has", "have", ".", ",", ";", ":", "(", ")", "/", "year", "old", "case", "day", "days"})


def ngrams(text: str, max_n: int = MAX_N) -> set[tuple[str, ...]]:
    """Word n-grams of one sentence (normalised tokens; an n-gram may not start or end on a
    function word, nor contain punctuation)."""
    ws = [w for w in words(text)]
    out: set[tuple[str, ...]] = set()
    n = len(ws)
    for i in range(n):
        if ws[i] in _SKIP or not ws[i][0].isalnum():
            continue
        for k in range(1, max_n + 1):
            j = i + k
            if j > n:
                break
            g = tuple(ws[i:j])
            if not g[-1][0].isalnum():
                break
            if g[-1] in _SKIP:
                continue
            if k == 1 and (len(g[0]) < 4 or g[0].isdigit()):
                continue
            out.add(g)
    return out


class TermModel:
    def __init__(self, terms: dict[tuple[str, ...], tuple[str, float, int]]):
        self.terms = terms
        """n-gram → (code, smoothed precision, support)."""

    @classmethod
    def fit(cls, docs: Sequence[Sequence[str]], labels: Sequence[Sequence[set[str]]], min_support: int = 2,
            min_precision: float = 0.3, prior: float = 1.5) -> TermModel:
        """docs: per document, its sentences; labels: per document, per sentence, the codes whose
        evidence lies in that sentence."""
        freq: Counter = Counter()
        pos: dict[tuple[str, ...], Counter] = defaultdict(Counter)
        for sents, labs in zip(docs, labels, strict=True):
            for s, codes in zip(sents, labs, strict=True):
                gs = ngrams(s)
                freq.update(gs)
                if codes:
                    for g in gs:
                        pos[g].update(codes)
        terms: dict[tuple[str, ...], tuple[str, float, int]] = {}
        for g, cnt in pos.items():
            code, k = min(cnt.items(), key=lambda x: (-x[1], x[0]))  # ties: the smaller code (deterministic)
            if k < min_support:
                continue
            p = k / (freq[g] + prior)
            if p >= min_precision:
                terms[g] = (code, round(p, 4), k)
        return cls(terms)

    def match(self, sentences: Iterable[str]) -> dict[str, tuple[float, tuple[str, ...], int]]:
        """code → (best score, phrase, sentence index) over a note's sentences."""
        out: dict[str, tuple[float, tuple[str, ...], int]] = {}
        for si, s in enumerate(sentences):
            for g in ngrams(s):
                t = self.terms.get(g)
                if t is None:
                    continue
                code, p, _k = t
                old = out.get(code)
                if old is None or p > old[0]:
                    out[code] = (p, g, si)
        return out


class CodePriors:
    """Smoothed precision of predicted codes: code → P(in gold | predicted)."""

    def __init__(self, table: dict[str, float], letters: dict[str, float], overall: float):
        self.table, self.letters, self.overall = table, letters, overall

    @classmethod
    def fit(cls, predicted: dict[str, Iterable[str]], gold: dict[str, set[str]], strength: float = 3.0) -> CodePriors:
        hit: Counter = Counter()
        seen: Counter = Counter()
        for doc, codes in predicted.items():
            g = gold.get(doc, set())
            for c in set(codes):
                seen[c] += 1
                hit[c] += c in g
        tot_h, tot_s = sum(hit.values()), sum(seen.values())
        overall = tot_h / tot_s if tot_s else 0.5
        lh: Counter = Counter()
        ls: Counter = Counter()
        for c in seen:
            lh[c[0]] += hit[c]
            ls[c[0]] += seen[c]
        letters = {k: (lh[k] + strength * overall) / (ls[k] + strength) for k in ls}
        table = {c: (hit[c] + strength * letters[c[0]]) / (seen[c] + strength) for c in seen}
        return cls(table, letters, overall)

    def __call__(self, code: str) -> float:
        got = self.table.get(code)
        if got is not None:
            return got
        return self.letters.get(code[:1], self.overall)


_FOLD_TOKEN = re.compile(r"[a-z0-9]+")


def fold_tokens(text: str) -> list[str]:
    """Lower-case, accent-folded word tokens (Spanish and English alike).

    >>> fold_tokens("Insuficiencia  RENAL crónica, estadio 3")
    ['insuficiencia', 'renal', 'cronica', 'estadio', '3']
    """
    t = unicodedata.normalize("NFKD", text.lower())
    return _FOLD_TOKEN.findall("".join(ch for ch in t if not unicodedata.combining(ch)))


class MentionLexicon:
    """Evidence strings annotated in training notes → codes, each pair with its document-level
    counts ``(notes holding the string whose gold has the code, notes holding the string)``.

    >>> lex = MentionLexicon.fit(
    ...     {"a": "Dolor torácico y fiebre.", "b": "Refiere dolor torácico.", "c": "Sin fiebre."},
    ...     {"a": [("R07.9", "dolor torácico"), ("R50.9", "fiebre")], "b": [("R07.9", "dolor torácico")]},
    ...     {"a": {"R07.9", "R50.9"}, "b": {"R07.9"}, "c": set()})
    >>> lex.entries[("dolor", "toracico")]
    {'R07.9': (2, 2)}
    >>> lex.entries[("fiebre",)]
    {'R50.9': (1, 2)}
    >>> m = lex.match("Acude por DOLOR TORÁCICO y fiebre; dolor toracico.")
    >>> m["R07.9"][1:], round(m["R07.9"][0], 2), round(m["R50.9"][0], 2)
    ((1, 2), 0.67, 0.33)
    """

    def __init__(self, entries: dict[tuple[str, ...], dict[str, tuple[int, int]]], max_len: int):
        self.entries, self.max_len = entries, max_len

    @classmethod
    def fit(cls, texts: Mapping[str, str], mentions: Mapping[str, Iterable[tuple[str, str]]],
            gold: Mapping[str, set[str]], max_len: int = 10) -> MentionLexicon:
        codes: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for ms in mentions.values():
            for code, text in ms:
                g = tuple(fold_tokens(text))
                if 0 < len(g) <= max_len and not (len(g) == 1 and len(g[0]) < 3):
                    codes[g].add(code)
        seen: Counter = Counter()
        hit: Counter = Counter()
        for doc in sorted(texts):
            g_doc = _grams(fold_tokens(texts[doc]), max_len) & codes.keys()
            gd = gold.get(doc, set())
            for g in g_doc:
                seen[g] += 1
                for c in codes[g]:
                    hit[g, c] += c in gd
        entries = {g: {c: (hit[g, c], seen[g]) for c in sorted(cs)} for g, cs in codes.items() if seen[g]}
        return cls(entries, max_len)

    def match(self, text: str, prior: float = 1.0) -> dict[str, tuple[float, int, int]]:
        """code → (best smoothed precision ``hit / (seen + prior)``, distinct strings, occurrences)."""
        toks = fold_tokens(text)
        best: dict[str, float] = {}
        strings: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        occ: Counter = Counter()
        for n in range(1, self.max_len + 1):
            for i in range(len(toks) - n + 1):
                g = tuple(toks[i:i + n])
                e = self.entries.get(g)
                if e is None:
                    continue
                for c, (h, s) in e.items():
                    p = h / (s + prior)
                    if p > best.get(c, -1.0):
                        best[c] = p
                    strings[c].add(g)
                    occ[c] += 1
        return {c: (best[c], len(strings[c]), occ[c]) for c in best}


def _grams(toks: list[str], max_len: int) -> set[tuple[str, ...]]:
    return {tuple(toks[i:i + n]) for n in range(1, max_len + 1) for i in range(len(toks) - n + 1)}


FUNCTION_WORDS = frozenset("de del la las el los en y o a al con sin por para un una unos unas su sus que se "
                           "of the and in with an to on at by for from is was were be been are this that his her".split())
"""Spanish and English function words: never part of a bag."""


def stems(text: str, size: int = 6) -> list[str]:
    """Accent-folded content-word stems (first `size` letters), function words dropped.

    >>> stems("Hiperplasia prostática benigna de la próstata")
    ['hiperp', 'prosta', 'benign', 'prosta']
    """
    return [t[:size] for t in fold_tokens(text) if t not in FUNCTION_WORDS]


class BagLexicon:
    """Annotated strings as bags of stems, matched when every stem of the bag occurs within
    ``len(bag) + slack`` tokens; counts and precision as `MentionLexicon`.

    >>> lex = BagLexicon.fit({"a": "Hiperplasia prostática benigna.", "b": "Próstata normal."},
    ...                      {"a": [("N40.0", "hiperplasia prostática benigna")]}, {"a": {"N40.0"}, "b": set()})
    >>> sorted(lex.match("Se observa próstata con hiperplasia benigna."))
    ['N40.0']
    >>> lex.match("Hiperplasia endometrial previa, sin cambios desde hace años; la próstata es benigna.")
    {}
    """

    def __init__(self, entries: dict[frozenset[str], dict[str, tuple[int, int]]], slack: int, size: int):
        self.entries, self.slack, self.size = entries, slack, size
        self.by_stem: dict[str, list[frozenset[str]]] = defaultdict(list)
        for bag in sorted(entries, key=sorted):
            self.by_stem[min(bag)].append(bag)

    @classmethod
    def fit(cls, texts: Mapping[str, str], mentions: Mapping[str, Iterable[tuple[str, str]]],
            gold: Mapping[str, set[str]], slack: int = 3, size: int = 6, max_len: int = 6) -> BagLexicon:
        codes: dict[frozenset[str], set[str]] = defaultdict(set)
        for ms in mentions.values():
            for code, text in ms:
                bag = frozenset(stems(text, size))
                if 0 < len(bag) <= max_len and not (len(bag) == 1 and len(min(bag)) < 3):
                    codes[bag].add(code)
        lex = cls({b: {} for b in codes}, slack, size)
        seen: Counter = Counter()
        hit: Counter = Counter()
        for doc in sorted(texts):
            gd = gold.get(doc, set())
            for bag in lex._bags(texts[doc]):
                seen[bag] += 1
                for c in codes[bag]:
                    hit[bag, c] += c in gd
        lex.entries = {b: {c: (hit[b, c], seen[b]) for c in sorted(cs)} for b, cs in codes.items() if seen[b]}
        return cls(lex.entries, slack, size)

    def _bags(self, text: str) -> dict[frozenset[str], int]:
        """bag → occurrences in the text."""
        toks = stems(text, self.size)
        pos: dict[str, list[int]] = defaultdict(list)
        for i, t in enumerate(toks):
            pos[t].append(i)
        out: Counter = Counter()
        for t in pos:
            for bag in self.by_stem.get(t, ()):
                if not all(x in pos for x in bag):
                    continue
                w = len(bag) + self.slack
                for i in pos[t]:  # anchored on the bag's smallest stem: every other stem near it
                    if all(any(abs(j - i) < w for j in pos[x]) for x in bag):
                        out[bag] += 1
        return out

    def match(self, text: str, prior: float = 1.0) -> dict[str, tuple[float, int, int]]:
        """code → (best smoothed precision, distinct bags, occurrences)."""
        best: dict[str, float] = {}
        bags: Counter = Counter()
        occ: Counter = Counter()
        for bag, n in self._bags(text).items():
            for c, (h, s) in self.entries.get(bag, {}).items():
                p = h / (s + prior)
                if p > best.get(c, -1.0):
                    best[c] = p
                bags[c] += 1
                occ[c] += n
        return {c: (best[c], bags[c], occ[c]) for c in best}
