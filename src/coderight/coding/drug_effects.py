"""Adverse effects and poisonings (I.C.19.e) from the Table of Drugs and Chemicals.

- **Adverse effect** (the right drug, properly taken): a coded condition stated as caused by a drug
  in the same sentence ("angioedema due to lisinopril", "lisinopril-induced angioedema", "side
  effect of metformin") keeps its code first and is followed by the drug's *Adverse effect* code
  (T36–T50, 5th/6th character 5), I.C.19.e.5.a.
- **Poisoning** (overdose, wrong substance or route): "acetaminophen overdose", "poisoning with
  …", "ingested 30 tablets of …" gives the drug's *Poisoning* code first, then the manifestations
  (I.C.19.e.5.b). Intent comes from the sentence: intentional / suicide attempt / self-harm →
  intentional self-harm, assault → assault, "intent undetermined" → undetermined; otherwise
  accidental, as the guideline says when intent is unknown.

The 7th character is A (active treatment). Not handled: underdosing (6th character 6 with the
Z91.12-/Z91.13- noncompliance codes), toxicity (adverse effect or poisoning depends on how the
drug was taken: a query, not a guess), drug-specific combination codes (E09 drug-induced
diabetes, L27.0 drug eruption), alcohol intoxication (F10.-, not a poisoning).

>>> t = DrugTable({("lisinopril",): ("Lisinopril", ("T46.4X1", "T46.4X2", "T46.4X3", "T46.4X4", "T46.4X5", "T46.4X6"))})
>>> [(d.name, d.start, d.end) for d in t.find("Angioedema due to Lisinopril 20 mg.")]
[('Lisinopril', 18, 28)]
>>> intent("Intentional overdose of acetaminophen."), intent("Accidental ingestion."), intent("Took too many pills.")
('intentional self-harm', 'accidental', 'accidental')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..nlp.document import Document, Mention
from ..nlp.lexicon import words
from .conventions import Candidate

COLUMNS = ("accidental", "intentional self-harm", "assault", "undetermined", "adverse effect", "underdosing")
_NOT_SUBSTANCE = frozenset(words(w)[0] for w in (
    "water", "acid", "salt", "sugar", "oxygen", "air", "food", "gas", "oil", "dust", "smoke", "tablet", "medicine",
    "drug", "agent", "alcohol", "ethanol", "ether", "blood", "plasma", "protein", "fluid", "paint", "soap", "fiber",
    "iron", "calcium", "potassium", "sodium", "magnesium", "glucose", "milk", "tea", "coffee", "vitamin", "hormone",
    "lead", "cold", "heat", "contrast", "dye", "latex", "rubber", "plant", "venom"))
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")

_POISON = re.compile(r"\b(overdos\w*|poisoning|poisoned|ingest(?:ed|ion)|took (?:an? )?(?:excessive|large|too (?:many|much))|"
                     r"toxic ingestion)\b", re.I)
_ADVERSE = re.compile(r"\b(due to|secondary to|caused by|induced by|related to|attributed to|side effects? (?:of|from)|"
                      r"adverse (?:drug )?(?:reaction|effect)s? (?:to|of|from)|reaction to)\b|\b[- ]?induced\b", re.I)
_NEG = re.compile(r"\b(no|not|denies|denied|without|negative for|ruled out|unlikely)\b", re.I)
_INTENT = (
    (re.compile(r"\b(intentional(?:ly)?|suicid\w*|self[- ]harm|deliberate(?:ly)?|on purpose)\b", re.I),
     "intentional self-harm"),
    (re.compile(r"\b(assault\w*|poisoned by (?:her|his|a|an) \w+)\b", re.I), "assault"),
    (re.compile(r"\b(undetermined intent|intent (?:is |was )?(?:undetermined|unknown|unclear))\b", re.I), "undetermined"),
)


def intent(sentence: str) -> str:
    """The poisoning column the sentence documents (accidental when not stated, I.C.19.e.5.b)."""
    for rx, name in _INTENT:
        if rx.search(sentence):
            return name
    return "accidental"


@dataclass(frozen=True)
class DrugHit:
    name: str
    start: int
    end: int
    cells: tuple[str, ...]


class DrugTable:
    """Substances of the Table of Drugs (main lines with their six cells), found by words."""

    def __init__(self, entries: dict[tuple[str, ...], tuple[str, tuple[str, ...]]]):
        self.entries = entries
        lens: dict[str, set[int]] = {}
        for k in entries:
            lens.setdefault(k[0], set()).add(len(k))
        self.lengths = {w: sorted(n, reverse=True) for w, n in lens.items()}
        """first word → the lengths of the substance names starting with it, longest first."""
        self._memo: dict[str, str] = {}

    @classmethod
    def from_index(cls, index) -> DrugTable:
        out: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
        if index is None:
            return cls(out)
        for e in index.terms("drug"):
            if len(e.path) != 1 or len(e.cells) != 6 or not any(c and c != "--" for c in e.cells):
                continue
            key = tuple(w for w in words(e.path[0]) if w not in ("nec", "nos"))  # "Opioid NEC" is "opioid"
            if not key or (len(key) == 1 and (len(key[0]) < 4 or key[0] in _NOT_SUBSTANCE)):
                continue
            out.setdefault(key, (e.path[0], tuple(e.cells)))
        return cls(out)

    def find(self, text: str, offset: int = 0) -> list[DrugHit]:
        memo = self._memo
        toks = []
        for m in _TOKEN.finditer(text):
            g = m.group()
            w = memo.get(g)
            if w is None:
                ws = words(g)
                w = memo[g] = ws[0] if ws else ""
                if len(memo) > 200_000:
                    memo.clear()
            if w:
                toks.append((m.start(), m.end(), w))
        out, i = [], 0
        while i < len(toks):
            for n in self.lengths.get(toks[i][2], ()):
                got = self.entries.get(tuple(t[2] for t in toks[i:i + n])) if i + n <= len(toks) else None
                if got is not None:
                    out.append(DrugHit(got[0], offset + toks[i][0], offset + toks[i + n - 1][1], got[1]))
                    i += n
                    break
            else:
                i += 1
        return out


def drug_effect_candidates(doc: Document, final: list[Candidate], table: DrugTable, tab) -> list[Candidate]:
    """T36–T50 candidates for the adverse effects and poisonings the sentences state."""
    if not table.entries:
        return []
    out: list[Candidate] = []
    seen: set[str] = set()
    for si, sent in enumerate(doc.sentences):
        s = doc.text[sent.start:sent.end]
        got = _stated(s, table, sent.start)
        if got is None:
            continue
        kind, _cue, d = got
        effects = [c for c in final if not c.drop and c.code[0] not in "TVWXYZ"
                   and any(sent.start <= m.start < sent.end for m in c.mentions)]
        if kind == "adverse effect" and not effects:
            continue  # the nature of the effect is what is coded first; no effect, no T code
        column = intent(s) if kind == "poisoning" else "adverse effect"
        cell = d.cells[COLUMNS.index(column)]
        if not cell or cell == "--":
            continue
        code = _seventh(tab, cell)
        if code is None or code in seen:
            continue
        seen.add(code)
        m = Mention(d.start, d.end, doc.text[d.start:d.end], code, d.name.lower(), "drug-table", sent=si,
                    section=(sec.kind if (sec := doc.section_at(d.start)) else "preamble"))
        m.path = (d.name, column)
        top = max((c.weight for c in effects), default=max((c.weight for c in final), default=1.0))
        first = min((c.first for c in effects), default=sent.start)
        if kind == "poisoning":
            c = Candidate(code=code, title=tab.get(code).title, mentions=[m], origin="poisoning",
                          rationale=[f"Table of Drugs: {d.name}, {column} → {cell}; 7th character A (active treatment)"],
                          guideline=["I.C.19.e.5.b poisoning: the poisoning code first, then the manifestations; "
                                     "intent not documented → accidental"],
                          path=m.path, weight=top + 0.01, first=first - 1)
        else:
            eff = max(effects, key=lambda c: c.weight)
            c = Candidate(code=code, title=tab.get(code).title, mentions=[m], origin="adverse_effect",
                          base_code=eff.code,
                          rationale=[f"Table of Drugs: {d.name}, Adverse effect → {cell}; 7th character A "
                                     f"(active treatment); the effect {eff.code} first"],
                          guideline=["I.C.19.e.5.a adverse effect: the nature of the effect first, then T36-T50 "
                                     "with 5th or 6th character 5"],
                          path=m.path, weight=eff.weight - 0.001, first=eff.first + 1)
        out.append(c)
    return out


# the words allowed between the cue and the drug ("due to his home lisinopril", "ingested 30 tablets of …")
_GAP_AFTER_CAUSE = re.compile(r"^[\s-]*(?:(?:the|his|her|their|a|an|recent|new|high|low|dose|high-dose|home|oral|"
                              r"iv|intravenous|starting|initiation|use|treatment|therapy|of|with)[\s-]+){0,4}$", re.I)
_GAP_AFTER_POISON = re.compile(r"^[\s-]*(?:(?:of|with|by|on|an?|the|his|her|approximately|about|over|\d+|tablets?|"
                               r"pills?|capsules?|mg|g|grams?|bottles?|doses?|her|his)[\s-]+){0,6}$", re.I)
_GAP_BEFORE_CUE = re.compile(r"^[\s-]*(?:(?:intentional|accidental|unintentional|deliberate|massive|large|an?)[\s-]+)"
                             r"{0,2}$", re.I)
_CUE_WORDS = ("overdos", "poison", "ingest", "took ", "due to", "secondary to", "caused by", "induced", "related to",
              "attributed to", "side effect", "adverse", "reaction to")
_UNCERTAIN = re.compile(r"\b(likely|possibl\w*|probabl\w*|suspect\w*|question of|rule out|r/o|concern for)\b", re.I)
_ABUSE = re.compile(r"^\W{0,3}(?:\w+\W+)?(abuse|use|dependence|withdrawal|addiction|misuse)\b", re.I)


def _stated(s: str, table: DrugTable, base: int) -> tuple[str, re.Match, DrugHit] | None:
    """(kind, cue, drug) when the sentence states a drug as a cause ("due to lisinopril",
    "steroid-induced") or a poisoning ("acetaminophen overdose") with the drug next to the cue;
    not when negated, uncertain, or about drug abuse (F1x codes, not T codes).

    >>> t = DrugTable({("lisinopril",): ("Lisinopril", ("T46.4X1",) * 6), ("cocaine",): ("Cocaine", ("T40.5X1",) * 6)})
    >>> _stated("Angioedema due to lisinopril.", t, 0)[0]
    'adverse effect'
    >>> _stated("Cough due to bronchitis, on lisinopril.", t, 0) is None
    True
    >>> _stated("Chest pain most likely related to cocaine abuse.", t, 0) is None
    True
    """
    low = s.lower()
    if not any(k in low for k in _CUE_WORDS) or not (_POISON.search(s) or _ADVERSE.search(s)):
        return None  # most sentences: no cue, no table walk
    drugs = table.find(s)
    if not drugs:
        return None
    for kind, rx in (("poisoning", _POISON), ("adverse effect", _ADVERSE)):
        for cue in rx.finditer(s):
            if _NEG.search(s[:cue.start()]) or _UNCERTAIN.search(s[:cue.start()]):
                continue
            induced = cue.group(0).lower().lstrip("- ").startswith("induced") and "induced by" not in cue.group(0).lower()
            for d in drugs:
                if kind == "poisoning":
                    near = (bool(_GAP_BEFORE_CUE.match(s[d.end:cue.start()])) if d.end <= cue.start()
                            else d.start >= cue.end() and bool(_GAP_AFTER_POISON.match(s[cue.end():d.start])))
                elif induced:
                    near = 0 <= cue.start() - d.end <= 2
                else:
                    near = d.start >= cue.end() and bool(_GAP_AFTER_CAUSE.match(s[cue.end():d.start]))
                if near and not _ABUSE.search(s[d.end:d.end + 30]):
                    return kind, cue, DrugHit(d.name, base + d.start, base + d.end, d.cells)
    return None


def _seventh(tab, cell: str) -> str | None:
    code = cell if "." in cell else cell[:3] + "." + cell[3:]
    try:
        full = tab.with_seventh(code, "A") if tab.requires_seventh(code) else code
    except Exception:  # noqa: BLE001 - a cell without the 7th-character extension
        return None
    return full if tab.find(full) is not None else None
