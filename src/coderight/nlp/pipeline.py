"""The NLP pipeline: text → `Document` with sections, sentences, tokens, mentions, context and
attributes. Each component adds one kind of annotation (spaCy's shape); `Pipeline.pipe` runs a
batch.

>>> p = Pipeline.for_tests()
>>> d = p("ASSESSMENT AND PLAN\\n1. HTN, well controlled.\\n2. No chest pain.")
>>> [(m.text, m.code, m.section, m.status) for m in d.mentions]
[('HTN', 'I10', 'assessment', 'affirmed'), ('chest pain', 'R07.9', 'assessment', 'negated')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .abbreviations import EXPANSIONS
from .attributes import annotate_attributes
from .context import ContextRules, default_rules, detect_context
from .document import Document, Mention, Span
from .lexicon import END, STOP, Entry, Lexicon, compile_lexicon, load_lexicon, words
from .text import sectionize, split_sentences, tokenize

_BREAK = frozenset({",", ";", ":", ".", "(", ")", "[", "]", "!", "?", "\"", "•"})
WALK_WINDOW = 8
MAX_NOTE_CHARS = 2_000_000


class Pipeline:
    def __init__(self, lexicon: Lexicon, context_rules: ContextRules | None = None):
        self.lexicon = lexicon
        self.context_rules = context_rules or default_rules()

    @classmethod
    def from_codebook(cls, codebook, use_index: bool = True) -> Pipeline:
        return cls(load_lexicon(codebook, use_index=use_index))

    @classmethod
    def for_tests(cls) -> Pipeline:
        """A pipeline over the curated abbreviations and a few titles (no reference data)."""

        class _Mini:
            def titles(self):
                yield from (("R07.9", "Chest pain, unspecified", True), ("R05.9", "Cough, unspecified", True),
                            ("I50.9", "Heart failure, unspecified", True), ("R50.9", "Fever, unspecified", True))

            def inclusion_terms(self):
                return iter(())

        return cls(compile_lexicon(_Mini()))

    def __call__(self, text: str, setting: str = "outpatient", id: str = "") -> Document:
        doc = Document(text, setting=setting, id=id)
        tokenize(doc)
        sectionize(doc)
        split_sentences(doc)
        find_mentions(doc, self.lexicon)
        detect_context(doc, self.context_rules)
        annotate_attributes(doc)
        return doc

    def pipe(self, items: Iterable[tuple[str, str]] | Iterable[str], setting: str = "outpatient") -> Iterator[Document]:
        for it in items:
            if isinstance(it, str):
                yield self(it, setting)
            else:
                yield self(it[0], it[1] if len(it) > 1 else setting)


def _stream(doc: Document) -> list[int]:
    """Indices of the tokens matching runs over (stopwords dropped; -1 marks a hard break;
    section headings are not mentions)."""
    out = []
    heads = [(s.start, s.body_start) for s in doc.sections if s.kind != "preamble"]
    hi = 0
    for t in doc.tokens:
        while hi < len(heads) and heads[hi][1] <= t.start:
            hi += 1
        if hi < len(heads) and heads[hi][0] <= t.start < heads[hi][1]:
            if out and out[-1] != -1:
                out.append(-1)
            continue
        n = t.norm
        if n in STOP:
            continue
        if n in _BREAK:
            if out and out[-1] != -1:
                out.append(-1)
            continue
        out.append(t.i)
    return out


OTHER_SENSE: dict[str, frozenset[str]] = {
    "depression": frozenset({"respiratory", "ventilatory", "cns", "st", "segment", "skull", "marrow", "myocardial",
                             "immune", "pr", "fracture", "ventricular"}),
}
"""A term that means something else after one of these words: no mention ("ST depression",
"respiratory depression" are not F32.A)."""


def find_mentions(doc: Document, lx: Lexicon) -> Document:
    """Longest-match lookup of the lexicon trie over the token stream, then a walk into the index
    subterms named around each match."""
    toks = doc.tokens
    stream = _stream(doc)
    n = len(stream)
    trie = lx.trie
    mentions: list[Mention] = []
    sec_bounds = [(s.start, s.end, s.kind) for s in doc.sections]
    i = 0
    while i < n:
        ti = stream[i]
        if ti < 0:
            i += 1
            continue
        d = trie.get(toks[ti].norm)
        if d is None:
            i += 1
            continue
        best: tuple[int, Entry] | None = None
        j = i
        sent = toks[ti].sent
        while d is not None:
            e = d.get(END)
            if e is not None and (not e.upper or _all_upper(toks, stream, i, j)):
                best = (j, e)
            j += 1
            if j >= n or stream[j] < 0 or toks[stream[j]].sent != sent:
                break
            nd = d.get(toks[stream[j]].norm)
            if (nd is None and toks[stream[j]].norm in _SKIP_INSIDE and j + 1 < n and stream[j + 1] >= 0
                    and toks[stream[j + 1]].sent == sent and toks[stream[j + 1]].norm in d):
                j += 1  # "right knee acute medial meniscus sprain": a modifier inside a site-first term
                nd = d.get(toks[stream[j]].norm)
            d = nd
        if best is None:
            i += 1
            continue
        j, e = best
        if i > 0 and stream[i - 1] >= 0 and toks[stream[i - 1]].norm in OTHER_SENSE.get(e.term, ()):
            i = j + 1  # "respiratory depression" is not the mood disorder
            continue
        a, b = toks[stream[i]], toks[stream[j]]
        m = Mention(a.start, b.end, doc.text[a.start:b.end], e.code, e.term, e.source,
                    tok_start=a.i, tok_end=b.i + 1, sent=sent, node=e.node)
        for s0, s1, kind in sec_bounds:
            if s0 <= a.start < s1:
                m.section = kind
                break
        mentions.append(m)
        i = j + 1
    doc.mentions = mentions
    if lx.node_children:
        for m in mentions:
            if m.node >= 0:
                _walk_subterms(doc, m, lx)
        for m in mentions:
            if m.node >= 0 and m.code and m.code[:1] == "S" and lx.node_children.get(m.node):
                _specify_from_note(doc, m, lx)
    return doc


_NEG_WORDS = frozenset({"no", "not", "without", "denies", "negative", "intact", "normal"})
_LAT_WORDS = {"right": "right", "left": "left"}
_DIRECTION = frozenset({"lateral", "medial", "anterior", "posterior", "upper", "lower", "proximal", "distal",
                        "superior", "inferior", "dorsal", "volar", "palmar", "plantar"})


def _children(lx: Lexicon, node: int) -> list[int]:
    out = []
    for c in lx.node_children.get(node, ()):
        out.extend(lx.node_children.get(c, ()) if c in lx.node_connector else [c])
    return out


def _specify_from_note(doc: Document, m: Mention, lx: Lexicon) -> None:
    """An injury named in one place and specified in another (I.B.2 highest specificity): "ankle
    sprain" in the assessment, "the anterior talofibular ligament" in the plan or exam. Sentences
    of the note that name the injury's site (the last index level walked: "ankle"), on no other
    side, and hold every word of one of the index subterms under it, specify the mention; the
    longest such subterm wins. A structure the note qualifies that the index does not list ("the
    lateral ligament complex") is the "specified … NEC" subterm (I.A.9.a: other specified).
    Negated sentences ("no ligament tenderness") specify nothing."""
    toks = doc.tokens
    path = lx.path(m.node)
    if path[0].lower().startswith("injury"):
        return  # "ankle injury": a sprain or fracture named elsewhere is its own mention (I.A.9)
    site = {w for w in words(path[-1]) if w not in STOP} if len(path) > 1 else set()
    if not site:
        return
    kids = _children(lx, m.node)
    nec = next((g for g in kids if {"nec", "specified"} <= lx.node_words[g]), -1)
    nec_struct = (lx.node_words[nec] - {"nec", "specified"}) if nec >= 0 else frozenset()
    my_side = None
    s0 = doc.sentences[m.sent]
    for k in range(s0.tok_start, s0.tok_end):
        my_side = my_side or _LAT_WORDS.get(toks[k].norm)
    best, best_len = -1, 0
    for j, s in enumerate(doc.sentences):
        ws = [toks[k].norm for k in range(s.tok_start, s.tok_end)]
        wset = set(ws)
        if not site <= wset or wset & _NEG_WORDS:
            continue
        sides = {_LAT_WORDS[w] for w in ws if w in _LAT_WORDS}
        if my_side and sides and my_side not in sides:
            continue
        found = False
        for g in kids:
            gw = lx.node_words[g]
            if g == nec or not gw or not gw <= wset or (j != m.sent and gw <= _DIRECTION):
                continue  # "tender over the lateral aspect" locates a finding, not the structure
            found = True
            if len(gw) > best_len:
                best, best_len = g, len(gw)
        if not found and nec_struct and best < 0:
            for i, w in enumerate(ws[1:], 1):
                q = ws[i - 1]
                if (w in nec_struct and q[:1].isalpha() and q not in STOP and q not in site
                        and q not in _LAT_WORDS and q not in _GAP_OK):
                    best, best_len = nec, 0
                    break
    if best < 0:
        return
    code = lx.node_code[best] or (lx.node_code[nec] if nec >= 0 else "")
    if not code or code == m.code:
        return
    m.code = code
    m.node = best
    m.source = "index"
    m.path = lx.path(best)


_SKIP_INSIDE = frozenset({"acute", "chronic", "subacute", "mild", "moderate", "severe", "small", "large",
                          "partial", "complete", "minor", "significant"})
"""Modifiers a note may write inside a multi-word term; read as attributes, skipped by the match."""

_GAP_OK = frozenset({"right", "left", "bilateral", "both", "acute", "chronic", "primary", "secondary",
                     "severe", "mild", "moderate", "type", "stage", "due", "to", "with", "and", "or"})


def _adjacent(toks, m: Mention, pos: list[int], used: set[int]) -> bool:
    """A subterm's words must sit next to the mention: only stopwords, laterality/acuity words or
    words already walked may separate them ("fever for three days" is not "three-day fever")."""
    ok = set(pos) | used
    lo, hi = min(pos), max(pos)
    gap = range(m.tok_end, lo) if lo >= m.tok_end else range(hi + 1, m.tok_start)
    return all(k in ok or toks[k].norm in STOP or toks[k].norm in _GAP_OK or toks[k].norm == ","
               for k in gap)


def _all_upper(toks, stream, i: int, j: int) -> bool:
    return all(toks[stream[k]].text.isupper() for k in range(i, j + 1) if stream[k] >= 0)


def _walk_subterms(doc: Document, m: Mention, lx: Lexicon) -> None:
    """Descend the index from the matched term into subterms whose words all occur around the
    mention in its sentence (site, type, cause): "Osteoarthritis" + "right knee" → knee."""
    s = doc.sentences[m.sent]
    lo, hi = max(s.tok_start, m.tok_start - WALK_WINDOW), min(s.tok_end, m.tok_end + WALK_WINDOW)
    toks = doc.tokens
    # the window stops at other mentions and at list punctuation (an inverted "X, right knee"
    # right after the term is kept)
    for o in doc.mentions:
        if o is not m and o.sent == m.sent:
            if o.tok_end <= m.tok_start:
                lo = max(lo, o.tok_end)
            elif o.tok_start >= m.tok_end:
                hi = min(hi, o.tok_start)
    for k in range(m.tok_start - 1, lo - 1, -1):
        if toks[k].norm in _BREAK:
            lo = k + 1
            break
    for k in range(m.tok_end, hi):
        if toks[k].norm in _BREAK and not (k == m.tok_end and toks[k].norm == ","):
            hi = k
            break
    where: dict[str, int] = {}
    for k in range(lo, hi):
        if m.tok_start <= k < m.tok_end:
            continue
        nrm = toks[k].norm
        if nrm in STOP or nrm in ("no", "not", "without", "denies", "history"):
            continue
        where.setdefault(nrm, k)
        exp = EXPANSIONS.get(nrm)
        if exp:
            for w in words(exp):
                where.setdefault(w, k)
    if not where:
        m.path = lx.path(m.node)
        return
    node = m.node
    code = m.code
    used: list[int] = []
    for _ in range(3):
        best, best_len, best_ws = -1, 0, frozenset()
        for c in lx.node_children.get(node, ()):
            cands = [c]
            if c in lx.node_connector:
                cands = list(lx.node_children.get(c, ()))
            for g in cands:
                ws = lx.node_words[g]
                if ws and len(ws) > best_len and all(w in where for w in ws):
                    best, best_len, best_ws = g, len(ws), ws
        if best < 0:
            break
        pos = [where[w] for w in best_ws]
        if not _adjacent(toks, m, pos, set(used)):
            break
        node = best
        used.extend(pos)
        if lx.node_code[best]:
            code = lx.node_code[best]
    if node != m.node and code != m.code:
        m.code = code
        m.node = node
        m.source = "index"
        for k in sorted(set(used)):
            t = toks[k]
            m.extra.append(Span(t.start, t.end, t.text, "subterm"))
    m.path = lx.path(m.node)
