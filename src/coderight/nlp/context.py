"""ConText-style assertion: negated, uncertain, historical, family, hypothetical, conditional.

After Chapman et al.'s NegEx/ConText (as medspaCy implements it; these rules are ours): a *cue*
phrase opens a *scope* forward (to the end of the sentence) or backward (to its start); a
*terminator* ("but", "however", "presents", ";") closes a scope early; *pseudo-cues* ("no
change", "not only", "gram negative") are consumed so they do not fire. Each mention inside a
scope gets the cue's flag, and the cue span is kept so a coder sees why it was set aside.

Section rules add what the text does not say: a mention in FAMILY HISTORY is the family's.

>>> from coderight.nlp.pipeline import Pipeline
>>> p = Pipeline.for_tests()
>>> [(m.text, m.status) for m in p("Denies chest pain but has cough.").mentions]
[('chest pain', 'negated'), ('cough', 'affirmed')]
"""

from __future__ import annotations

from dataclasses import dataclass

from .document import Cue, Document
from .text import _TOKEN_RE, _stem

# (phrase, kind, direction). direction: "f" forward, "b" backward, "fb" both.
RULES: list[tuple[str, str, str]] = []


def _add(kind: str, direction: str, phrases: str) -> None:
    for p in phrases.split("|"):
        p = p.strip()
        if p:
            RULES.append((p, kind, direction))


_add("negated", "f", "no|not|denies|denied|deny|denying|without|negative for|free of|absence of|absent|"
     "no evidence of|no sign of|no signs of|no symptoms of|no history of|no hx of|no complaints of|"
     "no known|never had|never been diagnosed with|doesn't have|does not have|did not have|not have|"
     "ruled out|resolution of|nor|neither|no further|no longer has|"
     "negative|unremarkable for|fails to reveal|no findings of|no suspicious|no acute|not experiencing|"
     "doesn't report|does not report|does not endorse|not endorse|denial of|no obvious|no new|r/o'd|"
     # resolved (a condition no longer present is not coded, IV.J) and never-taken therapies
     "no longer suffering from|no longer suffers from|no longer experiencing|no longer having|"
     "no longer experiences|no longer complains of|never been on|has never been on|never taken|never")
_add("negated", "b", "was ruled out|is ruled out|were ruled out|has been ruled out|ruled out|"
     "is negative|was negative|were negative|negative|not present|is absent|absent|resolved|"
     "has resolved|have resolved|not seen|not identified|not found|denied|unlikely|excluded|"
     "is not|are not|not noted")
_add("uncertain", "f", "rule out|r/o|ro|possible|possibly|probable|probably|likely|suspected|suspect|"
     "suspicious for|suspicion of|suspicion for|concern for|concerning for|worrisome for|questionable|"
     "question of|query|may have|may be|might be|might have|could have|could be|my concern is|consider|considering|differential|"
     "differential diagnosis|ddx|vs|versus|cannot exclude|can't exclude|cannot rule out|"
     "evaluate for|evaluation for|evaluation of|workup for|work up for|to evaluate|assess for|"
     "compatible with|consistent with|suggestive of|suggests|suggesting|presumed|presumptive|"
     "apparent|doubt|borderline|impending|threatened|question|?")
_add("uncertain", "b", "is suspected|was suspected|suspected|is likely|likely|possible|is possible|"
     "is probable|cannot be excluded|cannot be ruled out|not excluded|vs|versus|?|is questionable|"
     "to be ruled out|is in the differential")
_add("historical", "f", "history of|hx of|h/o|s/p|status post|previous|previously|prior|past|former|"
     "remote|childhood|in the past|years ago|"
     "resolved|healed|recovered from|treated for|successfully treated")
_add("historical", "b", "in the past|years ago|year ago|months ago|as a child|in childhood|resolved|"
     "has resolved|in remission|previously|in 19|in 20|which resolved|now resolved")
_add("family", "fb", "mother|father|mom|dad|brother|brothers|sister|sisters|sibling|siblings|"
     "aunt|uncle|grandmother|grandfather|grandparent|grandparents|cousin|parent|parents|son|"
     "daughter|children|family history|family hx|fhx|fh|maternal|paternal|family member|"
     "family members|in the family|runs in the family|twin")
_add("hypothetical", "f", "if|should|in case|return if|call if|come back if|return for|seek care if|"
     "watch for|look out for|monitor for|signs of|symptoms of|warning signs|risk of|risk for|"
     "at risk|to prevent|prevent|prevention of|prophylaxis|prophylactic|to avoid|avoid|reduce the risk|"
     "screen for|screening for|in order to|to rule|precautions|education on|educated on|"
     "counseled on|discussed|explained|information about|unless|whether|be aware of|"
     # consent discussions and immunity: a risk named or a disease vaccinated against is not present
     "vaccinated against|immunized against|vaccinated for|vaccine for|vaccination against")
# a consent discussion lists the risks to the end of the sentence, through "which" and parentheses
_add("hypothetical", "s", "possibility of|risks of|risks include|risks including|risks are|"
     "complications include|complications including|complications of")
# a differential lists its candidates to the end of the sentence
_add("uncertain", "s", "possible etiologies|possible causes|differential diagnosis includes|differential includes|"
     "differential diagnoses include|differential diagnosis include")
# a template field answered in the negative: "Alcohol Use: None." / "Tobacco Use: Non-smoker."
_add("negated", "v", ": no|: none|: never|: denies|: denied|: negative|: non-smoker|: nonsmoker|: non smoker|"
     ": never smoker|: never smoked|: not applicable|: n/a")
# a comparison is not a diagnosis ("it felt like a heart attack")
_add("comparison", "f", "felt like|feels like|feel like|feeling like|looks like|looked like|sounds like|"
     "as if|similar to")
_add("conditional", "f", "when|whenever|with exertion if|on exertion if|as needed for|prn")

TERMINATORS = frozenset(_stem(w) if w[0].isalpha() else w for w in (
    "but", "however", "although", "though", "except", "aside", "apart", "yet", "which", "who",
    "presents", "presented", "presenting", "reports", "reported", "complains", "complained", "states",
    "stated", "notes", "noted", "endorses", "endorsed", "admits", "admitted", "has", "had", "is", "was",
    "are", "were", "there", "secondary", "due", "cause", "caused", "because", "since", "now",
    "currently", "today", ";", ":", "otherwise", "other", "still", "continues", "continue",
    "recently", "developed", "diagnosed", "treated", "started", "with",
))
"""A forward scope stops at these (ConText's termination terms)."""

# Terminators that do not close a scope of these kinds ("denies fever and has had no chills").
KEEP_THROUGH = {
    "negated": frozenset({"with", "has", "had", "is", "was", "are", "were", "there", "other", "now",
                          "currently", "today", "still", "recently"}),
    "family": frozenset({"has", "had", "is", "was", "with", "diagnosed", "treated", "developed",
                         "there", "other", "died", "recently"}),
    "historical": frozenset({"with", "treated", "diagnosed", "other"}),
    "uncertain": frozenset({"with", "has", "had", "is", "was", "other", "there"}),
    "hypothetical": frozenset({"with", "has", "had", "is", "are", "was", "there", "other", "develop",
                               "develops", "developed", "now", "today"}),
    "conditional": frozenset({"with", "has", "is", "are", "there", "other"}),
}

PSEUDO = ("no change|no changes|not only|no increase|not certain whether|gram negative|without difficulty|"
          "no further|not necessarily|not cause|no interval change|no significant change|not drain|"
          "without any problems|history of present illness|past medical history|family history of present|"
          "negative pressure|no longer|not been able|if any|only if|if needed|as needed|when needed|"
          "at risk for falls|whether or not|not been|not sure|no problem|no problems|"
          "possible side effects|side effects|risks and benefits|risks, benefits|discussed with|"
          "history and physical|history of the present illness|never went away|never resolved|never healed|"
          "never improved|never fully|never got better|never really").split("|")

MAX_SCOPE = 14
"""Tokens a cue reaches at most (a sentence-long list of denied symptoms fits)."""


def _toks(phrase: str) -> tuple[str, ...]:
    return tuple(_stem(m.group()) if m.group()[0].isalnum() else m.group() for m in _TOKEN_RE.finditer(phrase))


@dataclass
class ContextRules:
    trie: dict

    @classmethod
    def default(cls) -> ContextRules:
        trie: dict = {}
        for phrase, kind, direction in RULES:
            d = trie
            for w in _toks(phrase):
                d = d.setdefault(w, {})
            d.setdefault("\0", []).append((kind, direction))
        for phrase in PSEUDO:
            d = trie
            for w in _toks(phrase):
                d = d.setdefault(w, {})
            d["\0"] = [("pseudo", "")]
        return cls(trie)


_DEFAULT: ContextRules | None = None


def default_rules() -> ContextRules:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = ContextRules.default()
    return _DEFAULT


def _cues_in(doc: Document, a: int, b: int, rules: ContextRules) -> list[tuple[int, int, str, str]]:
    """(tok_start, tok_end, kind, direction) cues in tokens [a, b), longest match first."""
    toks = doc.tokens
    out = []
    i = a
    trie = rules.trie
    while i < b:
        d = trie
        j = i
        best = None
        while j < b:
            d = d.get(toks[j].norm)
            if d is None:
                break
            j += 1
            if "\0" in d:
                best = (j, d["\0"])
        if best is None:
            i += 1
            continue
        end, kinds = best
        for kind, direction in kinds:
            if kind != "pseudo":
                out.append((i, end, kind, direction))
        i = end
    return out


def detect_context(doc: Document, rules: ContextRules | None = None) -> Document:
    """Mark each mention negated / uncertain / historical / family / hypothetical / conditional,
    with the cue span that fired, from cues in its sentence and from its section."""
    rules = rules or default_rules()
    by_sent: dict[int, list] = {}
    for m in doc.mentions:
        by_sent.setdefault(m.sent, []).append(m)
    toks = doc.tokens
    for si, mentions in by_sent.items():
        s = doc.sentences[si]
        cues = _cues_in(doc, s.tok_start, s.tok_end, rules)
        for (ca, cb, kind, direction) in cues:
            # a cue that is part of a mention ("no" inside a term) does not fire
            if any(m.tok_start <= ca < m.tok_end for m in mentions):
                continue
            keep = KEEP_THROUGH.get(kind, frozenset())
            if direction == "s":
                for m in mentions:
                    if cb <= m.tok_start:
                        _flag(doc, m, kind, ca, cb, "forward")
                continue
            if direction == "v":
                # the value must end the field: "Opioid Use: No." (not "Hypertension: no changes");
                # otherwise the word after the colon is an ordinary forward cue ("Endocrine: Denies
                # diabetes.")
                if cb >= s.tok_end or toks[cb].norm in (".", ","):
                    for m in mentions:
                        if s.tok_start <= m.tok_start and m.tok_end <= ca:
                            _flag(doc, m, kind, ca, cb, "backward")
                    continue
                direction = "f"
            if "f" in direction:
                # forward: until terminator, another cue of a different kind, or MAX_SCOPE
                end = min(s.tok_end, cb + MAX_SCOPE)
                for k in range(cb, end):
                    n = toks[k].norm
                    if (n in TERMINATORS and n not in keep) or (n == "." and k > cb) or (
                            kind == "comparison" and n in ("and", ",", "or")):
                        end = k
                        break
                for m in mentions:
                    if cb <= m.tok_start < end:
                        _flag(doc, m, kind, ca, cb, "forward")
            if "b" in direction:
                start = max(s.tok_start, ca - MAX_SCOPE)
                for k in range(ca - 1, start - 1, -1):
                    n = toks[k].norm
                    if n in TERMINATORS and n not in keep:
                        start = k + 1
                        break
                for m in mentions:
                    if start <= m.tok_start and m.tok_end <= ca:
                        _flag(doc, m, kind, ca, cb, "backward")
    # section rules
    for m in doc.mentions:
        if m.section == "family_history" and not m.negated:
            m.family = True
    return doc


def _flag(doc: Document, m, kind: str, ca: int, cb: int, direction: str) -> None:
    t = doc.tokens
    if kind == "historical" and (m.family or m.negated):
        return
    if kind == "comparison":  # "felt like a heart attack": likened to, not diagnosed
        kind = "hypothetical"
    setattr(m, kind, True)
    m.cues.append(Cue(kind, doc.span(t[ca].start, t[cb - 1].end, "cue"), direction))
