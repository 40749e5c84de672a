"""Tokens, sections and sentences, with offsets into the original text (regex based: fast).

>>> from coderight.nlp.document import Document
>>> d = Document("PMH: HTN, T2DM.\\nASSESSMENT AND PLAN\\n1. CKD 3a.\\n2. Knee pain.")
>>> _ = tokenize(d); _ = sectionize(d); _ = split_sentences(d)
>>> [t.norm for t in d.tokens[:6]]
['pmh', ':', 'htn', ',', 't2dm', '.']
>>> [(s.kind, s.heading) for s in d.sections]
[('pmh', 'PMH'), ('assessment', 'ASSESSMENT AND PLAN')]
>>> [d.text[s.start:s.end] for s in d.sentences]
['PMH:', 'HTN, T2DM.', 'ASSESSMENT AND PLAN', '1. CKD 3a.', '2. Knee pain.']
>>> [s.list_item for s in d.sentences]
[False, False, False, True, True]
"""

from __future__ import annotations

import re

from .document import Document, Section, Sentence, Token

_TOKEN_RE = re.compile(r"\d+\.\d+|[A-Za-z0-9]+(?:'[A-Za-z]+)?|[^\sA-Za-z0-9]")
_KEEP_S = ("ss", "us", "is")


def stem(tok: str) -> str:
    """Lower-case plural folding, identical for lexicon terms and note tokens.

    >>> [stem(t) for t in ("kidneys", "injuries", "abscesses", "diagnosis", "stones", "HTN")]
    ['kidney', 'injury', 'abscess', 'diagnosis', 'stone', 'htn']
    """
    t = tok.lower()
    if t.endswith("'s"):
        t = t[:-2]
    if len(t) <= 3 or not t.isalpha():
        return t
    if t.endswith("ies") and len(t) > 4:
        return t[:-3] + "y"
    if t.endswith(("sses", "shes", "ches", "xes")):
        return t[:-2]
    if t.endswith("s") and not t.endswith(_KEEP_S):
        return t[:-1]
    return t


_STEM_CACHE: dict[str, str] = {}


def norm_words(text: str) -> list[str]:
    """Normalised word tokens of a phrase (punctuation dropped).

    >>> norm_words("Chronic kidney disease, stage 3a (moderate)")
    ['chronic', 'kidney', 'disease', 'stage', '3a', 'moderate']
    """
    out = []
    for m in _TOKEN_RE.finditer(text):
        w = m.group()
        if w[0].isalnum():
            out.append(_stem(w))
    return out


def _stem(w: str) -> str:
    s = _STEM_CACHE.get(w)
    if s is None:
        s = stem(w)
        if len(_STEM_CACHE) < 200_000:
            _STEM_CACHE[w] = s
    return s


def tokenize(doc: Document) -> Document:
    toks = doc.tokens = []
    for i, m in enumerate(_TOKEN_RE.finditer(doc.text)):
        w = m.group()
        toks.append(Token(m.start(), m.end(), w, _stem(w) if w[0].isalnum() else w, i))
    return doc


# ------------------------------------------------------------------------------------ sections
# Heading words → canonical section kind. Longest key first when matching.
SECTION_KINDS: dict[str, str] = {
    "assessment and plan": "assessment", "assessment & plan": "assessment", "a/p": "assessment",
    "a&p": "assessment", "assessment/plan": "assessment", "assessment": "assessment",
    "impression and plan": "assessment", "impression/plan": "assessment", "impression": "assessment",
    "clinical impression": "assessment", "diagnostic impression": "assessment",
    "problem list": "assessment", "problems": "assessment", "active problems": "assessment",
    "discharge diagnoses": "diagnoses", "discharge diagnosis": "diagnoses", "final diagnosis": "diagnoses",
    "final diagnoses": "diagnoses", "diagnoses": "diagnoses", "diagnosis": "diagnoses",
    "admitting diagnosis": "diagnoses", "admission diagnosis": "diagnoses", "principal diagnosis": "diagnoses",
    "secondary diagnoses": "diagnoses", "postoperative diagnosis": "diagnoses", "post-operative diagnosis": "diagnoses",
    "preoperative diagnosis": "diagnoses", "pre-operative diagnosis": "diagnoses",
    "postoperative diagnoses": "diagnoses", "preoperative diagnoses": "diagnoses",
    "chief complaint": "cc", "cc": "cc", "reason for visit": "cc", "reason for consultation": "cc",
    "reason for referral": "cc", "presenting complaint": "cc",
    "history of present illness": "hpi", "hpi": "hpi", "present illness": "hpi", "subjective": "hpi",
    "history": "hpi", "interval history": "hpi", "clinical history": "hpi", "hospital course": "hpi",
    "brief hospital course": "hpi",
    "past medical history": "pmh", "pmh": "pmh", "medical history": "pmh", "past history": "pmh",
    "pmhx": "pmh", "past medical/surgical history": "pmh", "past medical and surgical history": "pmh",
    "past surgical history": "psh", "psh": "psh", "surgical history": "psh", "past surgeries": "psh",
    "family history": "family_history", "fh": "family_history", "fhx": "family_history",
    "family medical history": "family_history",
    "social history": "social", "sh": "social", "habits": "social",
    "review of systems": "ros", "ros": "ros", "systems review": "ros",
    "physical examination": "exam", "physical exam": "exam", "exam": "exam", "examination": "exam",
    "pe": "exam", "objective": "exam", "vital signs": "exam", "vitals": "exam", "heent": "exam",
    "general": "exam", "extremities": "exam", "neurological": "exam", "neck": "exam", "lungs": "exam",
    "heart": "exam", "abdomen": "exam", "skin": "exam", "musculoskeletal": "exam",
    "results": "results", "labs": "results", "laboratory": "results", "laboratory data": "results",
    "imaging": "results", "data": "results", "diagnostic studies": "results", "studies": "results",
    "findings": "results", "radiology": "results", "x-ray": "results",
    "medications": "meds", "current medications": "meds", "meds": "meds", "medication": "meds",
    "discharge medications": "meds", "allergies": "allergies", "allergy": "allergies",
    "plan": "plan", "recommendations": "plan", "recommendation": "plan", "disposition": "plan",
    "instructions": "plan", "discharge instructions": "plan", "follow-up": "plan", "followup": "plan",
    "procedure": "procedure", "procedures": "procedure", "operation": "procedure",
    "procedure performed": "procedure", "description of procedure": "procedure", "indications": "cc",
    "indication": "cc", "anesthesia": "procedure", "complications": "procedure",
    "estimated blood loss": "procedure", "specimen": "procedure",
}
_LONGEST = sorted(SECTION_KINDS, key=len, reverse=True)

# A heading: at line start (after optional bullet/#), or after a sentence end in run-on text
# (MTSamples: "…stable.,  PAST MEDICAL HISTORY:,  …"). Either ALL-CAPS words then ":" / end of
# line, or a known heading in any case followed by ":".
_CAPS_HEAD = re.compile(
    r"(?:(?<=\n)|^|(?<=[.,;]\s)|(?<=[.,;]\s\s))[ \t]*(?P<h>[A-Z][A-Z0-9/&\-' ]{1,60}?[A-Z)])[ \t]*(?::|(?=[ \t]*\r?\n))",
)
_ANY_HEAD = re.compile(r"(?:(?<=\n)|^)[ \t]*(?P<h>[A-Za-z][A-Za-z/&\-' ]{1,50}?)[ \t]*:")


def _kind_of(heading: str) -> str | None:
    h = " ".join(heading.lower().replace("_", " ").split()).strip(" -")
    if h in SECTION_KINDS:
        return SECTION_KINDS[h]
    for key in _LONGEST:
        if len(key) > 3 and (h.startswith(key + " ") or h.endswith(" " + key)):
            return SECTION_KINDS[key]
    return None


def sectionize(doc: Document) -> Document:
    """Find section headings (ALL-CAPS lines, 'Heading:' forms, 'A/P:', run-on headings)."""
    text = doc.text
    heads: list[tuple[int, int, str, str]] = []
    seen: set[int] = set()
    for m in _CAPS_HEAD.finditer(text):
        h = m.group("h").strip()
        if len(h) < 2 or sum(c.isalpha() for c in h) < 2:
            continue
        kind = _kind_of(h)
        if kind is None:
            # an unknown ALL-CAPS heading still closes the previous section, if it looks like one
            line_alone = m.end() >= len(text) or text[m.end():m.end() + 1] in "\r\n:"
            if not line_alone or len(h.split()) > 6:
                continue
            kind = "other"
        heads.append((m.start("h"), m.end(), h, kind))
        seen.add(m.start("h"))
    for m in _ANY_HEAD.finditer(text):
        if m.start("h") in seen:
            continue
        kind = _kind_of(m.group("h"))
        if kind:
            heads.append((m.start("h"), m.end(), m.group("h").strip(), kind))
    heads.sort()
    secs: list[Section] = []
    if not heads or heads[0][0] > 0:
        secs.append(Section("preamble", "", 0, 0, heads[0][0] if heads else len(text)))
    for i, (s, e, h, kind) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        secs.append(Section(kind, h, s, e, end))
    doc.sections = secs
    return doc


# ----------------------------------------------------------------------------------- sentences
_LIST_START = re.compile(r"[ \t]*(?:[-•*·▪●]|#\d{1,2}[.)]?|\d{1,2}[.)](?!\d)|\(\d{1,2}\))[ \t]+")


def split_sentences(doc: Document) -> Document:
    """Sentences: split at line breaks, at sentence punctuation before a capital or digit, and at
    section headings; list items (bullets, '1.', '#2') are marked as such."""
    text = doc.text
    toks = doc.tokens
    bounds: set[int] = set()
    for sec in doc.sections:
        if sec.kind != "preamble":
            bounds.add(sec.start)
            bounds.add(sec.body_start)
    sents: list[Sentence] = []
    n = len(toks)
    start_tok = 0
    heads = sorted(bounds)
    hi = 0
    for i in range(n):
        t = toks[i]
        brk = False
        while hi < len(heads) and heads[hi] <= t.start:
            if heads[hi] > (toks[start_tok].start if start_tok < n else 0) and i > start_tok:
                brk = True
            hi += 1
        if not brk and i > start_tok:
            prev = toks[i - 1]
            gap = text[prev.end:t.start]
            if "\n" in gap:
                brk = True
            elif prev.text in ".!?" and gap and (t.text[0].isupper() or t.text[0].isdigit()):
                # not after abbreviations like "Dr." / "vs." / decimal handled by tokenizer
                before = toks[i - 2].text.lower() if i >= 2 else ""
                brk = before not in ("dr", "mr", "mrs", "ms", "vs", "st", "no", "e.g", "i.e")
                if brk and before.isdigit() and i >= 2 and (i == 2 or "\n" in text[toks[i - 3].end:toks[i - 2].start]):
                    brk = False  # "1. CKD" at line start: a list number, not a sentence end
        if brk:
            sents.append(_sent(doc, start_tok, i))
            start_tok = i
    if start_tok < n:
        sents.append(_sent(doc, start_tok, n))
    for si, s in enumerate(sents):
        for t in toks[s.tok_start:s.tok_end]:
            t.sent = si
    doc.sentences = sents
    return doc


def _sent(doc: Document, a: int, b: int) -> Sentence:
    toks = doc.tokens
    s, e = toks[a].start, toks[b - 1].end
    line_start = doc.text.rfind("\n", 0, s) + 1
    is_item = bool(_LIST_START.match(doc.text, line_start)) and line_start <= s <= line_start + 6
    return Sentence(s, e, a, b, is_item)
