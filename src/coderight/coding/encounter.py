"""`code_encounter(...)`: one note in, the diagnoses it supports (ranked, with evidence and
rationale), documentation queries, and the data versions used.

>>> from coderight.codesets.codebook import Codebook  # doctest: +SKIP
>>> r = code_encounter("Type 2 diabetes with CKD stage 3a.", codebook=Codebook())  # doctest: +SKIP
>>> r.codes()  # doctest: +SKIP
['E11.22', 'N18.31']
"""

from __future__ import annotations

import re
import threading

from ..nlp.abbreviations import EXPANSIONS
from ..nlp.attributes import dims
from ..nlp.document import Document, Mention
from ..nlp.lexicon import words
from ..nlp.pipeline import Pipeline
from ..nlp.text import _stem, norm_words
from .cdi_queries import cdi_queries
from .conventions import (
    Candidate,
    _said,
    _vagueness,
    combine_with,
    drop_integral_symptoms,
    drop_site_symptoms,
    drop_unspecified_siblings,
    hypertension_combos,
    live,
    resolve_excludes1,
    sequence_code_first,
)
from .drug_effects import DrugTable, drug_effect_candidates
from .external_cause import ExternalCauses, external_causes
from .models import CodingResult, Diagnosis, Evidence, SetAside
from .queries import build_queries
from .specificity import Specifier

SECTION_WEIGHT = {
    "diagnoses": 3.0, "assessment": 3.0, "cc": 2.2, "plan": 1.6, "hpi": 1.5, "preamble": 1.4,
    "procedure": 1.2, "other": 1.2, "pmh": 1.1, "psh": 0.9, "results": 0.8, "exam": 0.7,
    "social": 0.8, "ros": 0.5, "meds": 0.4, "family_history": 0.3, "allergies": 0.0,
}
NOT_CODED_SECTIONS = frozenset({"allergies"})
SYMPTOM_SECTIONS_SKIPPED = frozenset({"ros", "exam", "results", "meds", "psh", "social"})
"""A sign or symptom is coded from the provider's history and assessment, not from a review of
systems or an exam finding (the diagnosis the provider reaches is coded instead)."""

# Conditions a "history of" does not make past: chronic conditions are current (I.C.21.c.4:
# personal history codes are for conditions that no longer exist).
_HISTORY_PREFIXES = ("C", "D0", "I21", "I22", "I63", "G45", "I26", "I80", "I82", "S", "T", "J18", "J1",
                     "N20", "N39", "K35", "A", "B", "O", "K25", "K26", "K27", "K28", "I46", "L89", "F10",
                     "F11", "F12", "F13", "F14", "F15", "F16", "F17", "F18", "F19", "D6", "Z3")


class Coder:
    """Holds the pipeline and the tabular helpers for one Codebook (load once, code many)."""

    def __init__(self, codebook, pipeline: Pipeline | None = None):
        self.codebook = codebook
        self.tab = codebook.icd10cm
        self.pipeline = pipeline or Pipeline.from_codebook(codebook)
        self.spec = Specifier(self.tab)
        self._history_map: list | None = None
        self._neo_memo: dict = {}
        try:
            from ..codesets.registry import DATASETS

            self.index = codebook.dataset("icd10cm_index") if "icd10cm_index" in DATASETS else None
        except Exception:  # noqa: BLE001 - the index is optional (tabular-only lexicon)
            self.index = None
        self.versions = dict(codebook.versions())
        self.ext = ExternalCauses(self.index, self.tab) if self.index is not None else None
        self.drugs = DrugTable.from_index(self.index)

    # ------------------------------------------------------------------------------------ API
    def code(self, text: str, setting: str = "outpatient", id: str = "") -> CodingResult:
        setting = (setting or "outpatient").lower()
        doc = self.pipeline(text, setting=setting, id=id)
        return self.code_document(doc)

    def code_document(self, doc: Document) -> CodingResult:
        cands, aside = self._candidates(doc)
        lx = self.pipeline.lexicon
        combine_with(cands, lx, self.tab, self._words_of)
        hypertension_combos(cands, self.tab)
        focus_on_assessment(cands)  # first: a symptom is integral only to a diagnosis that is reported
        drop_integral_symptoms(cands)
        drop_site_symptoms(cands)
        resolve_excludes1(cands, self.tab)
        drop_unspecified_siblings(cands)
        sequence_code_first(cands, self.tab)
        final = _merge(live(cands))
        final += external_causes(doc, final, self.ext, self.tab)  # I.C.20: after the injury they explain
        final += drug_effect_candidates(doc, final, self.drugs, self.tab)  # I.C.19.e
        final = _rank(final)
        diagnoses = []
        for rank, c in enumerate(final, 1):
            diagnoses.append(Diagnosis(
                code=c.code, title=c.title, rank=rank, confidence=_confidence(c),
                evidence=_evidence(doc, c), rationale=c.rationale, index_path=list(c.path),
                guideline=c.guideline, status=c.status))
        for c in cands:
            if c.drop and c.mentions:
                aside.append(SetAside(code=c.code, text=c.mentions[0].text, reason=c.drop,
                                      evidence=_evidence(doc, c)[:2]))
        queries = build_queries(doc, final, self.tab) + cdi_queries(doc.text, diagnoses)
        return CodingResult(id=doc.id, setting=doc.setting, diagnoses=diagnoses, queries=queries,
                            set_aside=aside, data_versions=self.versions)

    # ----------------------------------------------------------------------------- candidates
    def _candidates(self, doc: Document) -> tuple[list[Candidate], list[SetAside]]:
        out: list[Candidate] = []
        aside: list[SetAside] = []
        inpatient = doc.setting == "inpatient"
        for m in doc.mentions:
            if not m.code or m.section in NOT_CODED_SECTIONS:
                continue
            reason = None
            if m.negated:
                reason = "negated"
            elif m.hypothetical or m.conditional:
                reason = "hypothetical" if m.hypothetical else "conditional"
            elif m.uncertain and not m.family and not inpatient:
                reason = "uncertain diagnosis in an outpatient note (IV.H): code the symptoms"
            code, how, path, open_axes = self._resolve(doc, m)
            if code is None:
                continue
            if (reason is None and not m.family and not code.startswith(("Z", *_HISTORY_PREFIXES))
                    and (m.historical or _underwent(doc, m)) and _treated_by_procedure(doc, m)):
                # "status post cataract surgery", "history of aortic aneurysm repair": the condition
                # was removed or repaired; what remains is a status (I.C.21.c.3), not the condition
                # (a status code the index gives, Z98.4-, and the personal-history codes stay)
                reason = "past condition treated by a procedure (I.C.21.c.3/4): not current"
            if reason is None and code == "R63.4" and _intended_weight_loss(doc, m):
                reason = "intentional weight loss is not abnormal weight loss (R63.4)"
            if reason is None and _is_symptom(code) and m.section in SYMPTOM_SECTIONS_SKIPPED:
                reason = f"sign or symptom only in {m.section}"
            if reason:
                aside.append(SetAside(code=code, text=m.text, reason=reason,
                                      evidence=[Evidence(start=m.start, end=m.end, text=m.text, section=m.section)]))
                continue
            status = "affirmed"
            guideline: list[str] = []
            if m.family:
                z = self._history_code(code, family=True)
                if not z:
                    aside.append(SetAside(code=code, text=m.text, reason="family history: no family-history code"))
                    continue
                how.append(f"family history of {code} → {z}")
                guideline.append("I.C.21.c.4 family history codes")
                code, status = z, "family"
            elif m.historical and code.startswith(_HISTORY_PREFIXES) and not code.startswith("Z"):
                z = self._history_code(code, family=False)
                if z:
                    how.append(f"history of {code} (no longer present) → {z}")
                    guideline.append("I.C.21.c.4 personal history codes")
                    code, status = z, "historical"
                else:
                    aside.append(SetAside(code=code, text=m.text, reason="past condition without a history code"))
                    continue
            elif m.uncertain and inpatient:
                status = "uncertain"
                guideline.append("II.H / III.C uncertain diagnosis at discharge coded as if established (inpatient)")
            node = self.tab.find(code)
            if node is None or not node.billable:
                continue
            c = Candidate(code=code, title=node.title, mentions=[m], rationale=how, guideline=guideline,
                          path=path, status=status, open_axes=open_axes, base_code=m.code,
                          weight=SECTION_WEIGHT.get(m.section, 1.0), first=m.start)
            if status in ("historical", "family"):
                c.weight *= 0.5
            out.extend(self._bilateral(doc, m, c) or [c])
        return out, aside

    def _bilateral(self, doc: Document, m: Mention, c: Candidate) -> list[Candidate] | None:
        """I.B.13: a bilateral condition whose category has no bilateral code is reported with
        the right-side and the left-side codes ("bilateral medial epicondylitis" → M77.01 +
        M77.02, not M77.00 unspecified elbow)."""
        if m.attributes.get("laterality") != "bilateral" or c.status != "affirmed":
            return None
        if self.spec._dims(c.code) and dict(self.spec._dims(c.code)).get("laterality") == "bilateral":
            return None
        sides = []
        for side in ("right", "left"):
            attrs = dict(m.attributes, laterality=side)
            code, how, _p, axes = self._resolve(doc, m, attrs)
            node = self.tab.find(code) if code else None
            if node is None or not node.billable or dict(self.spec._dims(code)).get("laterality") != side:
                return None
            sides.append(Candidate(code=code, title=node.title, mentions=[m],
                                   rationale=how + [f"bilateral, no bilateral code: {side} side coded separately"],
                                   guideline=c.guideline + ["I.B.13 laterality: bilateral without a bilateral code"],
                                   path=c.path, status=c.status, open_axes=axes, base_code=c.base_code,
                                   weight=c.weight, first=c.first))
        return sides

    def _resolve(self, doc: Document, m: Mention, attrs: dict | None = None):
        """The billable code a mention supports, how we got there, its index path, open axes."""
        code = m.code
        how: list[str] = []
        path = m.path
        if path:
            how.append("index: " + ", ".join(path) + f" → {code}")
        else:
            how.append(f"{m.source}: '{m.term}' → {code}")
        if code.startswith("C80"):  # malignancy without a site in the term: the site is around it
            site = self._neoplasm_site(doc, m)
            if site:
                code = site[0]
                how.append(f"Table of Neoplasms: {', '.join(site[1])} → {code}")
        attrs = dict(m.attributes if attrs is None else attrs)
        context = frozenset(t.norm for t in doc.tokens[max(m.tok_start - 6, 0):m.tok_end + 6])
        node = self.tab.find(code.rstrip("-").rstrip("."))
        if node is not None and not node.billable or attrs or (node is not None and "unspecified" in node.title.lower()):
            anchor = code.rstrip("-").rstrip(".")
            if node is not None and node.parent and node.kind != "category":
                anchor = node.parent
            context = context & self.spec._vocab(anchor) if self.tab.find(anchor) else frozenset()
        r = self.spec.refine(code, attrs, context)
        if r.code != code.rstrip("-"):
            how.extend(r.how)
        code = r.code
        if self.tab.find(code) is None:
            return None, how, path, {}
        code, note = self.spec.seventh(code, attrs.get("episode"))
        if note:
            how.append(note)
        return code, how, path, r.open_axes

    def _neoplasm_site(self, doc: Document, m: Mention):
        """Table of Neoplasms lookup for a malignancy whose site is written around it ("carcinoma
        of the urinary bladder", "left breast cancer"): two-word sites first, then one word,
        nearest first; "metastatic"/"metastasis" reads the secondary column."""
        if self.index is None:
            return None
        s = doc.sentences[m.sent]
        toks = doc.tokens
        lo, hi = max(s.tok_start, m.tok_start - 6), min(s.tok_end, m.tok_end + 8)
        near = sorted(range(lo, hi), key=lambda k: (abs(k - m.tok_start) if k < m.tok_start else k - m.tok_end + 1))
        skip = {"cancer", "carcinoma", "malignancy", "neoplasm", "tumor", "history", "adenocarcinoma",
                "with", "and", "the", "of", "a", "an", "in", "right", "left", "bilateral", "primary", "cell",
                "metastatic", "metastasis", "invasive", "stage", "grade", "patient", "was", "is", "had"}
        words_near = [k for k in near if toks[k].text.isalpha() and toks[k].norm not in skip
                      and not (m.tok_start <= k < m.tok_end)]
        column = "malignant primary"
        if any(toks[k].norm in ("metastatic", "metastasis", "metastase", "secondary") for k in range(lo, hi)):
            column = "malignant secondary"
        tries = []
        for k in words_near:
            if k + 1 < hi and toks[k + 1].text.isalpha() and toks[k + 1].norm not in skip:
                tries.append(f"{toks[k].norm} {toks[k + 1].norm}")
        tries += [toks[k].norm for k in words_near]
        # an adjective names its organ ("ovarian cancer" → ovary, not the "utero-ovarian" line)
        tries = [" ".join(_SITE_ADJ.get(w, w) for w in t.split()) for t in tries]
        vocab = self._neoplasm_vocab()
        for site in tries[:14]:
            if not all(w in vocab for w in site.split()):
                continue  # not a word of the Table of Neoplasms: no lookup
            got = self._neo_memo.get((site, column), False)
            if got is False:
                got = None
                try:
                    r = self.index.neoplasm(site, column)
                except Exception:  # noqa: BLE001 - an unmatched site is just not this word
                    r = None
                if r is not None and r.code and not r.unmatched and r.code not in ("-", "--"):
                    code = r.code.rstrip("-").rstrip(".")
                    if self.tab.find(code):
                        got = (code, tuple(r.path))
                if len(self._neo_memo) > 50_000:
                    self._neo_memo.clear()
                self._neo_memo[(site, column)] = got
            if got is not None:
                return got
        return None

    def _neoplasm_vocab(self) -> frozenset:
        v = getattr(self, "_neo_vocab", None)
        if v is None:
            lo, hi = self.index.books.get("neoplasm", (0, 0))
            ws: set[str] = set()
            for i in range(lo, hi):
                for w in re.findall(r"[a-z0-9]+", self.index.title[i].lower()):
                    ws.add(w)
                    ws.add(_stem(w))
            v = self._neo_vocab = frozenset(ws)
        return v

    def _history_code(self, code: str, family: bool) -> str | None:
        """The personal (Z85–Z87) or family (Z80–Z84) history code whose tabular inclusion term
        'Conditions classifiable to …' covers the code (I.C.21.c.4)."""
        from ..codesets.icd10cm import parse_refs

        if self._history_map is None:
            hm = []
            for z, term in self.tab.inclusion_terms():
                if "classifiable" in term and z[:3] in ("Z80", "Z81", "Z82", "Z83", "Z84", "Z85", "Z86", "Z87"):
                    for r in parse_refs(term):
                        hm.append((z, r))
            hm += [(z, r) for z, r in ((
                "I25.2", parse_refs("I21-I22")[0]), ("Z86.73", parse_refs("I63")[0]), ("Z86.73", parse_refs("G45")[0]),
                ("Z86.711", parse_refs("I26")[0]), ("Z86.718", parse_refs("I82")[0]), ("Z87.442", parse_refs("N20-N23")[0]),
                ("Z87.440", parse_refs("N39.0")[0]), ("Z87.01", parse_refs("J12-J18")[0]),
                ("Z80.0", parse_refs("C15-C26")[0]), ("Z80.3", parse_refs("C50")[0]))]
            self._history_map = hm
        want = ("Z80", "Z81", "Z82", "Z83", "Z84") if family else ("Z85", "Z86", "Z87", "I25")
        best = None
        for z, r in self._history_map:
            if z.startswith(want) and r.covers(code) and _width(r) <= 12:
                span = (len(z), len(r.first), -(ord(r.last[0]) * 1000 + int(r.last[1:3]) - ord(r.first[0]) * 1000 - int(r.first[1:3]))
                                  if r.last[1:3].isdigit() and r.first[1:3].isdigit() else 0)
                if best is None or span > best[1]:
                    best = (z, span)
        if best is None:
            return None
        z = best[0]
        node = self.tab.find(z)
        if node is None:
            return None
        if not node.billable:
            kids = self.tab.descendants(z, billable_only=True)
            uns = [k for k in kids if "unspecified" in self.tab.get(k).title.lower()]
            uns = uns or [k for k in kids if k.endswith("9")]
            z = (uns or kids or [None])[0]
        return z

    def _words_of(self, c: Candidate) -> frozenset:
        ws: set[str] = set()
        for m in c.mentions:
            ws.update(words(m.text))
            ws.update(words(m.term))
            for w in list(words(m.text)):
                exp = EXPANSIONS.get(w)
                if exp:
                    ws.update(words(exp))
            for p in m.path:
                ws.update(words(p.replace(",", " ")))
        ws.update(words(c.title))
        return frozenset(ws)


_PROCEDURE_NOUNS = frozenset({"surgery", "surgeries", "repair", "repaired", "removal", "removed", "excision",
                              "excised", "resection", "resected", "extraction", "replacement", "operation",
                              "ablation", "correction", "reconstruction", "clipping", "coiling", "stenting"})


_SITE_ADJ = {"ovarian": "ovary", "renal": "kidney", "hepatic": "liver", "gastric": "stomach",
             "pancreatic": "pancreas", "prostatic": "prostate", "rectal": "rectum", "uterine": "uterus",
             "testicular": "testis", "pulmonary": "lung", "colonic": "colon", "esophageal": "esophagus",
             "laryngeal": "larynx", "tonsillar": "tonsil", "vulvar": "vulva", "vaginal": "vagina",
             "penile": "penis", "adrenal": "adrenal gland", "ureteral": "ureter", "urethral": "urethra"}
"""Adjectives of an organ that the Table of Neoplasms lists under its noun."""


_INTENDED = frozenset({"intentional", "intentionally", "intended", "deliberate", "deliberately", "purposely",
                       "purposeful", "dieting", "diet", "watchers", "bariatric"})


def _intended_weight_loss(doc: Document, m: Mention) -> bool:
    """Weight lost on purpose (a diet, a program, bariatric surgery), said in the mention's
    sentence or the three before it (the same narrative: "she has maintained the weight loss")."""
    lo = doc.sentences[max(0, m.sent - 3)].tok_start
    hi = doc.sentences[m.sent].tok_end
    return any(doc.tokens[k].text.lower() in _INTENDED for k in range(lo, hi))


def _underwent(doc: Document, m: Mention) -> bool:
    """The sentence narrates a procedure done before the mention ("underwent … aneurysm repair")."""
    s = doc.sentences[m.sent]
    return any(doc.tokens[k].norm in ("underwent", "undergone") for k in range(s.tok_start, m.tok_start))


def _treated_by_procedure(doc: Document, m: Mention) -> bool:
    """A procedure noun right after a past condition, the condition as its modifier ("cataract
    surgery", "aneurysm repair"; not "COPD and hysterectomy")."""
    if m.tok_end >= doc.sentences[m.sent].tok_end:
        return False
    n = doc.tokens[m.tok_end].text.lower()
    return n in _PROCEDURE_NOUNS or n.endswith("ectomy")


ASSESSED = frozenset({"assessment", "diagnoses", "cc", "plan"})


def focus_on_assessment(cands: list[Candidate]) -> None:
    """Outpatient guideline IV.A/IV.J: code the conditions the provider addressed at this visit.
    When the note has an assessment (or diagnosis list) that names codable conditions, a
    condition named only elsewhere (HPI, PMH, exam, review of systems) is set aside as not
    addressed; status codes (Z) and combination codes built from an assessed condition stay."""
    cl = live(cands)
    if not any(m.section in ("assessment", "diagnoses") for c in cl for m in c.mentions):
        return
    assessed = [c for c in cl if any(m.section in ASSESSED for m in c.mentions)]
    for c in cl:
        if c.origin == "combination" or c.code.startswith("Z"):
            continue
        if not any(m.section in ASSESSED for m in c.mentions):
            a = _assessed_as_less_specific(c, assessed)
            if a is not None:
                # I.A.9 / I.B.1: the condition is assessed ("Heart failure") and described more
                # specifically elsewhere in the same record ("chronic systolic heart failure" in PMH):
                # code the documented specificity; the unspecified sibling then goes
                m = c.mentions[0]
                c.rationale.append(f'specificity from the {m.section} ("{m.text}") for the assessed '
                                   f'"{a.mentions[0].text}"')
                c.guideline.append("I.A.9 / I.B.1 code to the highest specificity documented in the record")
                continue
            c.drop = "not addressed in the assessment"


CARRIED_AXES = frozenset({"acuity", "type", "stage", "severity", "persistence"})
"""Axes a condition's description elsewhere in the record may add to the assessed condition."""


def _assessed_as_less_specific(c: Candidate, assessed: list[Candidate]) -> Candidate | None:
    """The assessed candidate that names the same condition as `c` (same category, same head
    word, same certainty) less specifically, with no documented attribute that contradicts
    `c`'s code ("acute" assessed, "chronic systolic" in the history: not carried).

    >>> from coderight.nlp.document import Mention
    >>> def cand(code, title, text, section, **attrs):
    ...     m = Mention(0, len(text), text, code, text.lower(), "index", section=section, attributes=attrs)
    ...     return Candidate(code=code, title=title, mentions=[m])
    >>> hist = cand("I50.22", "Chronic systolic (congestive) heart failure", "Chronic systolic heart failure", "pmh")
    >>> ap = cand("I50.9", "Heart failure, unspecified", "Heart failure", "assessment")
    >>> _assessed_as_less_specific(hist, [ap]) is ap
    True
    >>> acute = cand("I50.9", "Heart failure, unspecified", "Acute heart failure", "assessment", acuity="acute")
    >>> _assessed_as_less_specific(hist, [acute]) is None
    True
    >>> toe = cand("M10.071", "Idiopathic gout, right ankle and foot", "gout of her right first big toe", "hpi")
    >>> _assessed_as_less_specific(toe, [cand("M10.9", "Gout, unspecified", "Gout", "assessment")]) is None
    True
    """
    if c.status not in ("affirmed", "uncertain") or not c.mentions:
        return None
    own = dims(norm_words(c.title))
    for a in assessed:
        if a is c or a.code[:3] != c.code[:3] or a.status != c.status or a.drop:
            continue
        if not _vagueness(c) < _vagueness(a):
            continue
        added = set(own) - set(dims(norm_words(a.title)))
        if not added or not added <= CARRIED_AXES:
            continue  # a site or side from another line may be another episode ("gout of the toe 2 months ago")
        heads = {ws[-1] for m in a.mentions if (ws := words(EXPANSIONS.get(m.text.lower(), m.text)))}
        if not heads & _said(c):
            continue
        if any(own.get(k) not in (None, v) for m in a.mentions for k, v in m.attributes.items() if k in own):
            continue
        return a
    return None


def _width(r) -> int:
    """Categories a 'conditions classifiable to' range spans (a chapter-wide range is too coarse
    to say which history the note means)."""
    a, b = r.first[:3], r.last[:3]
    if a[0] != b[0] or not (a[1:].isdigit() and b[1:].isdigit()):
        return 999 if a != b else 1
    return int(b[1:]) - int(a[1:]) + 1


def _is_symptom(code: str) -> bool:
    return code.startswith("R") or code.startswith(("M25.5", "M79.6", "M54", "M79.1", "G89"))


def _merge(cands: list[Candidate]) -> list[Candidate]:
    by: dict[str, Candidate] = {}
    for c in cands:
        o = by.get(c.code)
        if o is None:
            by[c.code] = c
            continue
        o.mentions.extend(x for x in c.mentions if x not in o.mentions)
        o.weight = max(o.weight, c.weight) + 0.05
        o.first = min(o.first, c.first)
        for r in c.rationale:
            if r not in o.rationale:
                o.rationale.append(r)
        for g in c.guideline:
            if g not in o.guideline:
                o.guideline.append(g)
    return list(by.values())


def _evidence(doc: Document, c: Candidate) -> list[Evidence]:
    out, seen = [], set()
    for m in c.mentions:
        for s in [m.span(), *m.extra]:
            if (s.start, s.end) in seen:
                continue
            seen.add((s.start, s.end))
            out.append(Evidence(start=s.start, end=s.end, text=doc.text[s.start:s.end], section=m.section))
    return out


def _evidence_score(c: Candidate) -> float:
    """How strongly the note supports reporting this code, from features that need no gold:
    where it is said (assessment > plan/HPI > history/exam), how often and in how many sections,
    how exactly the lexicon matched (an abbreviation or index path vs a bare title word; a
    multi-word term vs one word), certainty (uncertain, historical, family lower), and whether
    it is a sign/symptom (reported only when nothing explains it, so less often the point of the
    visit). About 0 to 4."""
    ms = c.mentions
    score = min(c.weight, 3.2)
    if ms:
        sections = {m.section for m in ms}
        sents = {m.sent for m in ms}
        score += 0.1 * min(len(sents) - 1, 3)
        score += 0.2 * min(len(sections & {"assessment", "diagnoses", "plan", "hpi", "cc"}) - 1, 2)
        if sections <= {"pmh", "psh", "family_history", "social", "meds", "ros", "exam", "results"}:
            score -= 0.3
        best = max(ms, key=lambda m: (m.source in ("abbreviation", "index"), len(m.term.split())))
        if best.source in ("abbreviation", "index") or len(best.term.split()) >= 2:
            score += 0.15
        if len(best.term.split()) >= 3 or best.extra:
            score += 0.1
    if c.status == "uncertain":
        score -= 0.4
    elif c.status in ("historical", "family"):
        score -= 0.3
    if c.is_symptom:
        score -= 0.35
    if c.origin == "combination":
        score += 0.1
    return score


def _rank(final: list[Candidate]) -> list[Candidate]:
    """The first-listed (principal) diagnosis by the sequencing rules (II, IV.G: assessment and
    discharge diagnoses first, then order of mention); the others by evidence strength; a code a
    'code first' note names stays before the code carrying the note (I.A.13); external causes
    follow their injury."""
    if not final:
        return final
    order = sorted(final, key=lambda c: (-c.weight, c.first))
    head = next((c for c in order if c.code[0] not in "VWXY"), order[0])
    rest = [c for c in order if c is not head and c.code[0] not in "VWXY"]
    if any(m.section in ("assessment", "diagnoses") for c in final for m in c.mentions):
        rest.sort(key=lambda c: (-_evidence_score(c), c.first))
    # else a narrative without an assessment (a case report): the provider's order of mention
    ranked = [head, *rest]
    for a in list(ranked):  # I.A.13: etiology before manifestation
        for r in a.rationale:
            if r.startswith("code first "):
                b = next((x for x in ranked if x.code == r.split()[2]), None)
                if b is not None and ranked.index(b) > ranked.index(a):
                    ranked.remove(b)
                    ranked.insert(ranked.index(a), b)
    for a in [c for c in ranked if c.origin == "adverse_effect"]:  # I.C.19.e.5.a: right after its effect
        b = next((x for x in ranked if x.code == a.base_code), None)
        if b is not None:
            ranked.remove(a)
            ranked.insert(ranked.index(b) + 1, a)
    ext = [c for c in order if c is not head and c.code[0] in "VWXY"]
    if ext:  # I.C.20: right after the injuries they explain
        at = max((i + 1 for i, c in enumerate(ranked) if c.code[0] in "ST"), default=len(ranked))
        ranked[at:at] = ext
    return ranked


def _confidence(c: Candidate) -> float:
    """Evidence strength mapped to 0.05–0.98 (not a calibrated probability)."""
    return round(max(0.05, min(0.35 + 0.16 * _evidence_score(c), 0.98)), 2)


_CODERS: dict[int, Coder] = {}
_LOCK = threading.Lock()


def get_coder(codebook) -> Coder:
    with _LOCK:
        c = _CODERS.get(id(codebook))
        if c is None or c.codebook is not codebook:
            c = _CODERS[id(codebook)] = Coder(codebook)
        return c


def code_encounter(text: str, setting: str = "outpatient", codebook=None, id: str = "",
                   coder: Coder | None = None, with_em: bool = False, em_setting: str | None = None,
                   payer: str = "medicare", billed: str | None = None) -> CodingResult:
    """Code one encounter note: diagnoses (ranked, with evidence spans and rationale), queries,
    and the reference-data versions used. `setting` is 'outpatient' or 'inpatient'.

    With `with_em` (or an `em_setting`: office, hospital, ed), the result's ``em`` and
    ``procedures`` are filled too (`coderight.coding.em_suggest.attach`, no claim edits): the E/M
    problems addressed are the diagnoses coded here."""
    if coder is None:
        if codebook is None:
            from ..codesets.codebook import Codebook

            codebook = Codebook()
        coder = get_coder(codebook)
    res = coder.code(text, setting=setting, id=id)
    if with_em or em_setting:
        from .em_suggest import attach_safely

        attach_safely(res, text, em_setting or setting, coder.codebook, payer=payer, billed=billed)
    return res
