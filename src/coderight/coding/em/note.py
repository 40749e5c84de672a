"""Reading a note for E/M and procedure evidence: sections, sentences and negation come from the
NLP layer (`coderight.nlp`); this module only adds pattern search with evidence spans.

A `Hit` is one regex match with its sentence, section and assertion status (negated /
hypothetical / conditional from the ConText rules of `coderight.nlp.context`, run over the match
as if it were a mention), so an element is never counted from "no CT ordered" or "return if".

>>> n = Note.read("ASSESSMENT AND PLAN\\n1. Cough. No chest x-ray needed. Start amoxicillin.")
>>> [(h.text, h.section, h.negated) for h in n.find(r"chest x-ray|amoxicillin")]
[('chest x-ray', 'assessment', True), ('amoxicillin', 'assessment', False)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...nlp.context import detect_context
from ...nlp.document import Document, Mention
from ...nlp.text import sectionize, split_sentences, tokenize


@dataclass(slots=True)
class Evidence:
    """A span of the note that supports a finding (offsets into the original text)."""

    start: int
    end: int
    text: str
    section: str = ""

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "section": self.section}


@dataclass(slots=True)
class Hit:
    start: int
    end: int
    text: str
    sent: int
    section: str
    negated: bool = False
    hypothetical: bool = False
    conditional: bool = False
    groups: dict = field(default_factory=dict)

    @property
    def asserted(self) -> bool:
        return not (self.negated or self.hypothetical or self.conditional)

    def evidence(self, note: Note, whole_sentence: bool = True) -> Evidence:
        if whole_sentence and 0 <= self.sent < len(note.doc.sentences):
            s = note.doc.sentences[self.sent]
            a, b = min(s.start, self.start), max(s.end, self.end)
        else:
            a, b = self.start, self.end
        return Evidence(a, b, note.text[a:b], self.section)


class Note:
    """A `Document` (built here with the NLP layer's tokenizer, sectionizer and sentence splitter
    when only text is given) plus cached pattern search."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.text = doc.text
        if not doc.tokens:
            tokenize(doc)
        if not doc.sections:
            sectionize(doc)
        if not doc.sentences:
            split_sentences(doc)
        self._tok_starts = [t.start for t in doc.tokens]

    @classmethod
    def read(cls, note: str | Document | Note, setting: str = "outpatient") -> Note:
        if isinstance(note, Note):
            return note
        if isinstance(note, Document):
            return cls(note)
        return cls(Document(note, setting=setting))

    def section_of(self, pos: int) -> str:
        s = self.doc.section_at(pos)
        return s.kind if s else "preamble"

    def sentence_of(self, pos: int) -> int:
        for i, s in enumerate(self.doc.sentences):
            if s.start <= pos < s.end + 1:
                return i
        return -1

    def sentence_text(self, si: int) -> str:
        s = self.doc.sentences[si]
        return self.text[s.start:s.end]

    def item_of(self, si: int) -> tuple[int, int]:
        """The sentence range of the list item (or paragraph line) holding sentence `si`: the item
        runs until the next list item, heading or blank line."""
        sents = self.doc.sentences
        a = si
        while a > 0 and not sents[a].list_item and "\n" not in self.text[sents[a - 1].end:sents[a].start]:
            a -= 1
        b = si + 1
        while b < len(sents) and not sents[b].list_item and "\n" not in self.text[sents[b - 1].end:sents[b].start]:
            b += 1
        return a, b

    def find(self, pattern: str | re.Pattern, sections: tuple[str, ...] | None = None,
             exclude: tuple[str, ...] = ("family_history", "allergies")) -> list[Hit]:
        """Matches of `pattern` (case-insensitive) with assertion status; `sections` limits the
        section kinds searched (None: all but family history and allergies)."""
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, re.I)
        hits: list[Hit] = []
        for m in rx.finditer(self.text):
            if m.end() == m.start():
                continue
            sec = self.section_of(m.start())
            if sections is not None and sec not in sections:
                continue
            if sec in exclude:
                continue
            hits.append(Hit(m.start(), m.end(), m.group(), self.sentence_of(m.start()), sec,
                            groups={k: v for k, v in m.groupdict().items() if v is not None}))
        if hits:
            self._assert(hits)
        return hits

    def _assert(self, hits: list[Hit]) -> None:
        import bisect

        doc = self.doc
        mentions = []
        for h in hits:
            ta = bisect.bisect_left(self._tok_starts, h.start)
            tb = max(ta + 1, bisect.bisect_left(self._tok_starts, h.end))
            sent = doc.tokens[ta].sent if ta < len(doc.tokens) else h.sent
            mentions.append(Mention(h.start, h.end, h.text, "", "", "em", tok_start=ta, tok_end=tb,
                                    sent=sent, section=h.section))
        shadow = Document(doc.text, doc.setting, doc.id, doc.tokens, doc.sentences, doc.sections, mentions)
        detect_context(shadow)
        for h, m in zip(hits, mentions, strict=True):
            h.negated, h.hypothetical, h.conditional = m.negated, m.hypothetical, m.conditional
