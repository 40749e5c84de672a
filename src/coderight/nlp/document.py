"""The `Document`: one object carries the note text and every annotation, spaCy-style.

Every annotation is a span with character offsets into the *original* text, so the workbench can
highlight evidence exactly and ``doc.text[s.start:s.end] == s.text`` always holds.

>>> d = Document("Denies chest pain.")
>>> d.span(7, 17).text
'chest pain'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    norm: str
    """Lower-cased, plural-folded form used for matching."""
    i: int = 0
    sent: int = 0


@dataclass(slots=True)
class Span:
    start: int
    end: int
    text: str
    label: str = ""

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(slots=True)
class Section:
    kind: str
    """Canonical kind: assessment, diagnoses, hpi, cc, pmh, psh, family_history, social, ros, exam,
    results, meds, allergies, plan, procedure, other, preamble."""
    heading: str
    start: int
    """Start of the heading (or of the text for the preamble)."""
    body_start: int
    end: int


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    tok_start: int = 0
    tok_end: int = 0
    list_item: bool = False
    """The sentence is an item of a bulleted or numbered list (a problem list entry)."""


@dataclass(slots=True)
class Cue:
    kind: str
    """negated, uncertain, historical, family, hypothetical, conditional."""
    span: Span
    direction: str
    """forward, backward or both."""


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    text: str
    code: str
    """The code the lexicon term indexes to (may end with '-': more characters required)."""
    term: str
    """The lexicon term matched (normalised), e.g. 'heart failure'."""
    source: str
    """index, title, inclusion, abbreviation."""
    tok_start: int = 0
    tok_end: int = 0
    sent: int = 0
    section: str = "preamble"
    node: int = -1
    """Alphabetic Index node id the term came from (-1 if none)."""
    path: tuple[str, ...] = ()
    """Index path (main term, subterms) that yielded `code`."""
    negated: bool = False
    uncertain: bool = False
    historical: bool = False
    family: bool = False
    hypothetical: bool = False
    conditional: bool = False
    cues: list[Cue] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    extra: list[Span] = field(default_factory=list)
    """More evidence spans (site words, attribute words, the abbreviation's stage, ...)."""
    links: list[tuple[str, int]] = field(default_factory=list)
    """(relation, index of the other mention): 'due to', 'with', ..."""

    @property
    def asserted(self) -> bool:
        """Present in the patient now: not negated, hypothetical, conditional or family."""
        return not (self.negated or self.hypothetical or self.conditional or self.family)

    @property
    def status(self) -> str:
        for k in ("negated", "family", "hypothetical", "conditional", "uncertain", "historical"):
            if getattr(self, k):
                return k
        return "affirmed"

    def span(self) -> Span:
        return Span(self.start, self.end, self.text, "mention")


@dataclass
class Document:
    text: str
    setting: str = "outpatient"
    id: str = ""
    tokens: list[Token] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def span(self, start: int, end: int, label: str = "") -> Span:
        return Span(start, end, self.text[start:end], label)

    def section_at(self, pos: int) -> Section | None:
        for s in self.sections:
            if s.start <= pos < s.end:
                return s
        return None

    def sentence_tokens(self, si: int) -> list[Token]:
        s = self.sentences[si]
        return self.tokens[s.tok_start:s.tok_end]
