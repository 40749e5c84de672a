"""Clinical-validation and linkage queries: the two CDI query kinds that are about what the note
says *around* a coded diagnosis rather than about the diagnosis's own words.

**Clinical validation.** Code assignment rests on the provider's statement (ICD-10-CM Official
Guidelines I.A.19), so a documented diagnosis is coded; but a diagnosis that auditors and payers
routinely deny when the record shows no clinical indicators for it (sepsis, acute respiratory
failure, encephalopathy, malnutrition, acute kidney injury, acute blood loss anemia, …) gets a
clinical-validation query (AHIMA/ACDIS *Guidelines for Achieving a Compliant Query Practice*,
2022 update). Indicators are looked for in the whole note, values parsed and compared with the
usual thresholds (lactate > 2, WBC > 12 or < 4, SpO2 < 91 %, creatinine rise ≥ 0.3, …); a
negated indicator ("no fever") does not count. The code stays; the query asks.

**Linkage.** "with" and "in" presume a causal link (I.A.15), "due to" does not, and a
complication of care needs the provider to state the cause (I.B.16). Where a coded condition and
a possible cause are both in the note, the classification has a code for the linked condition,
and the note does not link them, the query asks: a UTI with an indwelling catheter (T83.511A), a
pneumonia coded without organism while a culture names one (J15.x, J13, J14), a UTI with an
organism named (B95–B96, "use additional code"), anemia or neutropenia during antineoplastic
chemotherapy (D64.81, D70.1).

Wording is non-leading: the multiple choice always offers the unlinked / ruled-out answer,
"Other (please specify)" and "Clinically undetermined", and never mentions payment.

>>> from coderight.coding.models import Diagnosis, Evidence
>>> note = "Assessment: Sepsis. Vitals stable, afebrile, WBC 7.9."
>>> dx = [Diagnosis(code="A41.9", title="Sepsis, unspecified organism",
...                 evidence=[Evidence(start=12, end=18, text="Sepsis")])]
>>> [q.kind for q in clinical_validation_queries(note, dx)]
['clinical_validation']
>>> note2 = "Assessment: Sepsis. T 39.2, HR 118, lactate 3.4."
>>> dx2 = [Diagnosis(code="A41.9", title="Sepsis", evidence=[Evidence(start=12, end=18, text="Sepsis")])]
>>> clinical_validation_queries(note2, dx2)
[]
>>> note3 = "UTI. Foley catheter in place since admission."
>>> dx3 = [Diagnosis(code="N39.0", title="Urinary tract infection", evidence=[Evidence(start=0, end=3, text="UTI")])]
>>> q = linkage_queries(note3, dx3)[0]
>>> q.kind, q.codes_at_stake, q.options[-2:]
('linkage', ['T83.511A'], ['Other (please specify)', 'Clinically undetermined'])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .models import Diagnosis, Evidence, Query

GUIDELINE_CV = ("ICD-10-CM Official Guidelines I.A.19: code assignment is based on the provider's "
                "documentation; clinical validation is a separate process")
PRACTICE_BRIEF = "AHIMA/ACDIS Guidelines for Achieving a Compliant Query Practice (2022 update)"
UNDETERMINED = ["Other (please specify)", "Clinically undetermined"]
FORBIDDEN = ("payment", "reimburse", "drg", "revenue", "money")

_NEG = re.compile(r"\b(no|denies|denied|without|negative for|not|absent|resolved|afebrile)\b[^.;\n]*$", re.I)
_SENT_END = re.compile(r"[.;\n]")
_NUM = r"[^0-9\n]{0,14}?(\d{1,5}(?:\.\d+)?)"


_NEG_AFTER = re.compile(r"^[^.;\n]{0,20}?\b(was|were|is|has|had been)?\s*(not|never)\b(?! only)|"
                        r"^[^.;\n]{0,12}?\b(declined|refused|deferred|held|ruled out|negative)\b", re.I)


def _negated(text: str, start: int, end: int | None = None) -> bool:
    """A cue (no, denies, without, …) earlier in the same clause, within 40 characters, or when
    `end` is given a following one ("chemotherapy was not given", "culture negative").

    >>> _negated("Afebrile, no tachycardia.", 13), _negated("Chemo was not given.", 0, 5)
    (True, True)
    >>> _negated("On chemotherapy, cycle 3.", 3, 15)
    False
    """
    lo = max(0, start - 40)
    for m in _SENT_END.finditer(text, lo, start):
        lo = m.end()
    if _NEG.search(text[lo:start]):
        return True
    return end is not None and bool(_NEG_AFTER.search(text[end:end + 40]))


@dataclass(frozen=True)
class Indicator:
    """One clinical indicator: a name, a pattern, and for a value pattern the test on its number."""

    name: str
    pattern: re.Pattern
    test: Callable[[float], bool] | None = None

    def find(self, text: str, exclude: Sequence[tuple[int, int]] = ()) -> Evidence | None:
        """The first non-negated match (with a qualifying value) outside the `exclude` spans
        (the diagnosis's own words: "respiratory failure with hypoxia" is not an indicator)."""
        for m in self.pattern.finditer(text):
            if _negated(text, m.start(), m.end()) or any(a < m.end() and m.start() < b for a, b in exclude):
                continue
            if self.test is not None:
                try:
                    if not self.test(float(m.group(1))):
                        continue
                except (IndexError, TypeError, ValueError):
                    continue
            return Evidence(start=m.start(), end=m.end(), text=text[m.start():m.end()])
        return None


def _words(name: str, pattern: str) -> Indicator:
    return Indicator(name, re.compile(pattern, re.I))


def _value(name: str, label: str, test: Callable[[float], bool]) -> Indicator:
    return Indicator(name, re.compile(rf"\b(?:{label})\b{_NUM}", re.I), test)


def _temp_abnormal(v: float) -> bool:
    return (v > 38.0 or v < 36.0) if v < 50 else (v > 100.4 or v < 96.8)


def _wbc_abnormal(v: float) -> bool:
    return (v > 12 or v < 4) if v < 1000 else (v > 12000 or v < 4000)


class _CreatinineRise(Indicator):
    """Creatinine values rising by ≥ 0.3 mg/dL (KDIGO) or to ≥ 1.5 × another, or one value ≥ 1.5."""

    def find(self, text: str, exclude: Sequence[tuple[int, int]] = ()) -> Evidence | None:
        vals = [(float(m.group(1)), m) for m in self.pattern.finditer(text) if not _negated(text, m.start())]
        vals = [(v, m) for v, m in vals if 0.1 <= v <= 20]
        if not vals:
            return None
        lo, hi = min(vals, key=lambda x: x[0]), max(vals, key=lambda x: x[0])
        if hi[0] >= 1.5 or hi[0] - lo[0] >= 0.3 or hi[0] >= 1.5 * lo[0]:
            m = hi[1]
            return Evidence(start=m.start(), end=m.end(), text=text[m.start():m.end()])
        return None


TEMP = _value("temperature", r"temp(?:erature)?|tmax|T", _temp_abnormal)
FEVER = _words("fever", r"\b(febrile|fevers?|pyrexia|hypothermi\w*)\b")
HR = _value("heart rate > 90", r"HR|heart rate|pulse|P", lambda v: 90 < v < 300)
TACHY = _words("tachycardia", r"\btachycardi\w*")
RR = _value("respiratory rate > 20", r"RR|respiratory rate|resp(?:irations)?|R", lambda v: 20 < v < 80)
TACHYPNEA = _words("tachypnea", r"\btachypn\w*")
WBC = _value("WBC > 12 or < 4", r"WBC|white (?:blood )?(?:cell )?count|leukocytes", _wbc_abnormal)
LEUKO = _words("leukocytosis / leukopenia / bands", r"\b(leukocytosis|leukopenia|bandemia|left shift)\b")
LACTATE = _value("lactate > 2", r"lactate|lactic acid", lambda v: 2.0 < v < 30)
HYPOTENSION = _words("hypotension / vasopressors",
                     r"\b(hypotensi\w+|MAP (?:of |< ?)?[0-5]\d\b|vasopressors?|pressors?|norepinephrine|levophed|"
                     r"vasopressin|septic shock)")
ORGAN = _words("acute organ dysfunction",
               r"\b(q?SOFA|organ dysfunction|end[- ]organ|multi-?organ|respiratory failure|intubat\w+|"
               r"mechanical(?:ly)? ventilat\w+|acute kidney injury|acute renal failure|encephalopathy|"
               r"altered mental status|thrombocytopeni\w+|DIC|disseminated intravascular|shock)")
SPO2 = _value("SpO2 < 91 %", r"SpO2|O2 sat(?:uration)?s?|oxygen saturation|sat(?:uration)?s?|pulse ox\w*",
              lambda v: 40 < v < 91)
PO2 = _value("pO2 < 60", r"p(?:a)?O2", lambda v: 20 < v < 60)
PCO2 = _value("pCO2 > 50", r"p(?:a)?CO2", lambda v: 50 < v < 150)
RR28 = _value("respiratory rate > 28", r"RR|respiratory rate|resp(?:irations)?", lambda v: 28 < v < 80)
WORK = _words("work of breathing", r"\b(accessory muscle\w*|retractions|labou?red breathing|increased work of breathing|"
                                   r"respiratory distress|unable to speak in full sentences)")
SUPPORT = _words("ventilatory support", r"\b(intubat\w+|mechanical(?:ly)? ventilat\w+|BiPAP|BIPAP|NIPPV|CPAP|"
                                        r"non-?invasive (?:positive pressure )?ventilation|high[- ]flow)")
HYPOXIA = _words("hypoxemia / hypercapnia", r"\b(hypox\w+|hypercapn\w+|hypercarbi\w+)")
MENTAL = _words("altered mental status",
                r"\b(altered mental status|AMS|mental status change\w*|confus\w+|disorient\w+|not oriented|"
                r"letharg\w+|obtunded|somnolen\w+|stupor\w*|delirium|asterixis|GCS\s*(?:of\s*)?\d+)")
AMMONIA = _value("ammonia elevated", r"ammonia|NH3", lambda v: 50 < v < 1000)
BMI_LOW = _value("BMI < 18.5", r"BMI|body mass index", lambda v: 8 < v < 18.5)
WEIGHT_LOSS = _words("weight loss", r"\b(weight loss|lost \d+\s*(?:lbs?|pounds|kg)|cachexi\w+|unintentional(?:ly)? "
                                    r"(?:weight )?loss)")
WASTING = _words("muscle / fat loss", r"\b(muscle wasting|temporal wasting|muscle (?:mass )?loss|sarcopeni\w+|"
                                     r"(?:subcutaneous )?fat loss)")
INTAKE = _words("poor intake", r"\b(poor (?:oral |po )?intake|decreased (?:oral )?intake|intake (?:of )?less than|"
                               r"NPO for)")
NUTRITION = _words("nutrition assessment", r"\b(dietitian|nutrition (?:consult|assessment)|ASPEN|GLIM)\b")
CREAT = _CreatinineRise("creatinine rise ≥ 0.3", re.compile(rf"\b(?:creatinine|Cr|Creat){_NUM}", re.I))
URINE = _words("oliguria", r"\b(oliguri\w*|anuri\w*|low urine output|urine output (?:of |< ?)?\d+)")
BASELINE = _words("baseline creatinine", r"\bbaseline (?:creatinine|Cr)\b")
HGB_LOW = _value("hemoglobin < 12 / hematocrit < 36", r"hemoglobin|hgb|hb|h/h", lambda v: 2 < v < 12)
BLEED = _words("bleeding / transfusion", r"\b(transfus\w+|PRBCs?|blood loss|EBL|hemorrhag\w+|bleed\w*|melena|"
                                        r"hematemesis|hematochezia)")
SODIUM_LOW = _value("sodium < 135", r"sodium|Na\+?", lambda v: 90 < v < 135)
BMI_HIGH = _value("BMI ≥ 35", r"BMI|body mass index", lambda v: 35 <= v < 150)
SBP_LOW = _value("systolic BP < 90", r"SBP|systolic(?: blood pressure)?", lambda v: 30 < v < 90)


@dataclass(frozen=True)
class ValidationRule:
    """A diagnosis under clinical-validation scrutiny: its codes (prefixes), the indicators that
    support it, and how many distinct ones the note must show."""

    label: str
    prefixes: tuple[str, ...]
    indicators: tuple[Indicator, ...]
    min_found: int = 1
    sufficient: tuple[Indicator, ...] = ()
    """Indicators that support the diagnosis on their own (sepsis: one acute organ dysfunction, Sepsis-3)."""
    when: re.Pattern | None = None
    """Only when the diagnosis's own words match (an *acute* encephalopathy, not a congenital one)."""


VALIDATION_RULES: tuple[ValidationRule, ...] = (
    ValidationRule("sepsis", ("A40", "A41", "R65.2"),
                   (TEMP, FEVER, HR, TACHY, RR, TACHYPNEA, WBC, LEUKO, LACTATE, HYPOTENSION), 2, (ORGAN,)),
    ValidationRule("acute respiratory failure", ("J96.0", "J96.2", "J80"),
                   (SPO2, PO2, PCO2, RR28, TACHYPNEA, WORK, SUPPORT, HYPOXIA), 2),
    ValidationRule("encephalopathy", ("G93.4", "G92", "I67.4", "K76.82"), (MENTAL, AMMONIA), 1,
                   when=re.compile(r"\b(acute|metabolic|toxic|septic|hepatic|hypertensive|uremic)\b|^(?!.*encephalopathy)", re.I)),
    ValidationRule("malnutrition", ("E40", "E41", "E42", "E43", "E44", "E45", "E46"),
                   (BMI_LOW, WEIGHT_LOSS, WASTING, INTAKE, NUTRITION), 1),
    ValidationRule("acute kidney injury", ("N17",), (CREAT, URINE, BASELINE), 1),
    ValidationRule("acute blood loss anemia", ("D62",), (HGB_LOW, BLEED), 2),
    ValidationRule("hyponatremia", ("E87.1",), (SODIUM_LOW,), 1),
    ValidationRule("morbid obesity", ("E66.01", "E66.2"), (BMI_HIGH,), 1),
    ValidationRule("shock", ("R57", "R65.21"), (HYPOTENSION, SBP_LOW, LACTATE), 1),
)


def _rule_for(code: str) -> ValidationRule | None:
    for r in VALIDATION_RULES:
        if code.startswith(r.prefixes):
            return r
    return None


def clinical_validation_queries(text: str, diagnoses: Sequence[Diagnosis]) -> list[Query]:
    """One query per scrutinised diagnosis whose indicators the note does not show.

    >>> from coderight.coding.models import Diagnosis, Evidence
    >>> note = "Acute respiratory failure with hypoxia. SpO2 84% on room air, on BiPAP."
    >>> dx = [Diagnosis(code="J96.01", title="", evidence=[Evidence(start=0, end=25, text="Acute respiratory failure")])]
    >>> clinical_validation_queries(note, dx)
    []
    >>> clinical_validation_queries("Acute respiratory failure. SpO2 97% on room air.", dx)[0].codes_at_stake
    ['J96.01']
    >>> dx[0].evidence[0].end = 38  # "… with hypoxia" is the diagnosis itself, not an indicator of it
    >>> len(clinical_validation_queries("Acute respiratory failure with hypoxia. RR 16.", dx))
    1
    """
    out: list[Query] = []
    seen: set[str] = set()
    own = [(e.start, e.end) for d in diagnoses for e in d.evidence]
    for d in diagnoses:
        rule = _rule_for(d.code)
        if rule is None or rule.label in seen or d.status not in ("affirmed", "uncertain"):
            continue
        if rule.when is not None and not any(rule.when.search(e.text) for e in d.evidence[:3]):
            continue
        seen.add(rule.label)
        if any(ind.find(text, own) for ind in rule.sufficient):
            continue
        found = {}
        for ind in rule.indicators:
            if ind.name not in found and (ev := ind.find(text, own)) is not None:
                found[ind.name] = ev
        if len(found) >= rule.min_found:
            continue
        term = d.evidence[0].text if d.evidence else rule.label
        looked = sorted({i.name for i in rule.indicators})
        need = f"{rule.min_found} needed" + (f", or one of: {'; '.join(i.name for i in rule.sufficient)}"
                                             if rule.sufficient else "")
        q = Query(
            kind="clinical_validation",
            question=(f'The record documents "{term}". The clinical indicators supporting this diagnosis are not '
                      f"clearly documented in the record reviewed. Based on your clinical judgment, please clarify "
                      f"the diagnosis."),
            options=[f"{rule.label.capitalize()} is confirmed; please document the clinical indicators",
                     f"{rule.label.capitalize()} was ruled out", *UNDETERMINED],
            codes_at_stake=[d.code], current_code=d.code,
            evidence=list(d.evidence[:1]) + list(found.values()),
            basis=[GUIDELINE_CV, PRACTICE_BRIEF,
                   f"indicators looked for ({need}): " + "; ".join(looked),
                   "found: " + ("; ".join(f"{k} ({v.text})" for k, v in found.items()) or "none")])
        _check(q)
        out.append(q)
    return out


@dataclass(frozen=True)
class LinkageRule:
    """A coded condition (`prefixes`), a possible cause named in the note (`partner`), and the
    codes that would express the link when the provider states it."""

    label: str
    prefixes: tuple[str, ...]
    partner: re.Pattern
    codes: Callable[[str], list[str]]
    question: str
    linked: str
    unlinked: str
    basis: str
    skip_if: tuple[str, ...] = ()


_LINK_WORDS = re.compile(r"\b(due to|secondary to|caused by|related to|associated with|induced|from (?:the|her|his)|"
                         r"because of|attributed to|CAUTI|catheter[- ]associated)\b", re.I)

_ORGANISMS: tuple[tuple[re.Pattern, str, str, str], ...] = (
    # pattern, name, pneumonia code, UTI (B95–B96) code
    (re.compile(r"\b(MRSA|methicillin[- ]resistant staph\w*(?: aureus)?)\b", re.I), "MRSA", "J15.212", "B95.62"),
    (re.compile(r"\b(MSSA|staph\w* aureus|S\. aureus)\b", re.I), "Staphylococcus aureus", "J15.211", "B95.61"),
    (re.compile(r"\b(pseudomonas(?: aeruginosa)?)\b", re.I), "Pseudomonas", "J15.1", "B96.5"),
    (re.compile(r"\b(klebsiella(?: pneumoniae)?)\b", re.I), "Klebsiella pneumoniae", "J15.0", "B96.1"),
    (re.compile(r"\b(E\. ?coli|escherichia coli)\b", re.I), "Escherichia coli", "J15.61", "B96.20"),
    (re.compile(r"\b(strep(?:tococcus)? pneumoniae|pneumococc\w+|S\. pneumoniae)\b", re.I), "Streptococcus pneumoniae",
     "J13", "B95.3"),
    (re.compile(r"\b(h(?:a)?emophilus influenzae|H\. influenzae)\b", re.I), "Haemophilus influenzae", "J14", "B96.3"),
    (re.compile(r"\b(proteus(?: mirabilis)?)\b", re.I), "Proteus", "J15.69", "B96.4"),
    (re.compile(r"\b(enterococc\w+)\b", re.I), "Enterococcus", "J15.8", "B95.2"),
)
_ORG_ANY = re.compile("|".join(p.pattern for p, *_r in _ORGANISMS), re.I)


def _organism_codes(which: int) -> Callable[[str], list[str]]:
    def codes(found: str) -> list[str]:
        return [r[which] for r in _ORGANISMS if r[0].search(found)][:1]
    return codes


_CHEMO = re.compile(r"\b(chemotherap\w*|chemo|antineoplastic)\b", re.I)


def _after_chemo(condition: str, prefixes: tuple[str, ...], code: str, index_line: str,
                 skip_if: tuple[str, ...]) -> LinkageRule:
    """A blood condition during antineoplastic chemotherapy: the index's "due to" line is not presumed."""
    return LinkageRule(
        f"{condition} and antineoplastic chemotherapy", prefixes, _CHEMO, lambda _f: [code, "T45.1X5A"],
        'The record documents "{dx}" and "{partner}". Based on your clinical judgment, can the cause of the '
        f"{condition} be clarified?",
        f"{condition.capitalize()} due to antineoplastic chemotherapy", f"{condition.capitalize()} not related to chemotherapy",
        f'ICD-10-CM Alphabetic Index: {index_line} ("due to" is not presumed, I.A.15)', skip_if=skip_if)


LINKAGE_RULES: tuple[LinkageRule, ...] = (
    LinkageRule("urinary tract infection and indwelling catheter", ("N39.0", "N30.0", "N30.9", "N10"),
                re.compile(r"\b(foley(?: catheter)?|indwelling (?:urinary |urethral )?catheter|urinary catheter|"
                           r"suprapubic catheter)\b", re.I),
                lambda _f: ["T83.511A"],
                'The record documents "{dx}" and "{partner}". Based on your clinical judgment, can the relationship, '
                "if any, between them be clarified?",
                "Urinary tract infection due to the indwelling catheter", "Urinary tract infection not related to the catheter",
                "ICD-10-CM Official Guidelines I.B.16: a complication of care needs a documented cause-and-effect "
                "relationship", skip_if=("T83.5",)),
    LinkageRule("pneumonia and organism", ("J18",), _ORG_ANY, _organism_codes(2),
                'The record documents "{dx}" and "{partner}". Based on your clinical judgment, can the causative '
                "organism of the pneumonia be specified?",
                "Pneumonia due to {partner}", "Organism not identified / not related",
                "ICD-10-CM Official Guidelines I.A.19 and Coding Clinic: organisms are coded from the provider's "
                "documentation, not from culture results alone"),
    LinkageRule("urinary tract infection and organism", ("N39.0", "N30", "N10"), _ORG_ANY, _organism_codes(3),
                'The record documents "{dx}" and "{partner}". Based on your clinical judgment, can the infectious '
                "agent of the urinary tract infection be specified?",
                "Urinary tract infection due to {partner}", "Organism not identified / not related",
                "ICD-10-CM Tabular N39.0: use additional code (B95-B97) to identify the infectious agent; the agent "
                "comes from the provider's documentation", skip_if=("B95", "B96")),
    _after_chemo("anemia", ("D64.9", "D64.89"), "D64.81", "Anemia, due to, antineoplastic chemotherapy D64.81",
                 ("D64.81", "D63.0")),
    _after_chemo("neutropenia", ("D70.9", "D72.819"), "D70.1", "Neutropenia, due to, chemotherapy D70.1", ("D70.1",)),
)


def _same_sentence_link(text: str, a: Evidence, b_start: int, b_end: int) -> bool:
    """Both in one sentence with a link word between or just around them ("UTI due to the Foley
    catheter", "catheter-associated UTI"); two sentences are never a stated link.

    >>> t = "UTI. Foley catheter in place due to retention."
    >>> _same_sentence_link(t, Evidence(start=0, end=3, text="UTI"), 5, 19)
    False
    >>> t = "UTI due to the Foley catheter."
    >>> _same_sentence_link(t, Evidence(start=0, end=3, text="UTI"), 15, 29)
    True
    """
    lo, hi = min(a.start, b_start), max(a.end, b_end)
    if _SENT_END.search(text, lo, hi) is not None:
        return False
    left, right = max(0, lo - 30), min(len(text), hi + 30)
    for m in _SENT_END.finditer(text, left, lo):
        left = m.end()
    end = _SENT_END.search(text, hi, right)
    return bool(_LINK_WORDS.search(text, left, end.start() if end else right))


def linkage_queries(text: str, diagnoses: Sequence[Diagnosis]) -> list[Query]:
    """One query per coded condition whose possible cause is named in the note but not linked.

    >>> from coderight.coding.models import Diagnosis, Evidence
    >>> dx = [Diagnosis(code="J18.9", title="", evidence=[Evidence(start=0, end=9, text="Pneumonia")])]
    >>> q = linkage_queries("Pneumonia. Sputum culture grew Pseudomonas aeruginosa.", dx)[0]
    >>> q.codes_at_stake, q.options[:2]
    (['J15.1'], ['Pneumonia due to Pseudomonas aeruginosa', 'Organism not identified / not related'])
    >>> linkage_queries("Pneumonia due to Pseudomonas aeruginosa.", dx)
    []
    """
    coded = {d.code for d in diagnoses}
    out: list[Query] = []
    done: set[str] = set()
    for d in diagnoses:
        if d.status not in ("affirmed", "uncertain") or not d.evidence:
            continue
        for rule in LINKAGE_RULES:
            if rule.label in done or not d.code.startswith(rule.prefixes):
                continue
            if any(c.startswith(rule.skip_if) for c in coded if rule.skip_if):
                continue
            m = next((m for m in rule.partner.finditer(text) if not _negated(text, m.start(), m.end())), None)
            if m is None:
                continue
            if any(_same_sentence_link(text, e, m.start(), m.end()) for e in d.evidence):
                continue  # the provider linked them: coded from the statement, not queried
            stake = [c for c in rule.codes(m.group(0)) if c not in coded]
            if not stake:
                continue
            done.add(rule.label)
            partner = m.group(0)
            q = Query(kind="linkage",
                      question=rule.question.format(dx=d.evidence[0].text, partner=partner),
                      options=[rule.linked.format(partner=partner), rule.unlinked, *UNDETERMINED],
                      codes_at_stake=stake, current_code=d.code,
                      evidence=[d.evidence[0], Evidence(start=m.start(), end=m.end(), text=partner)],
                      basis=[rule.basis, PRACTICE_BRIEF])
            _check(q)
            out.append(q)
    return out


def cdi_queries(text: str, diagnoses: Sequence[Diagnosis]) -> list[Query]:
    return clinical_validation_queries(text, diagnoses) + linkage_queries(text, diagnoses)


def _check(q: Query) -> None:
    words = (q.question + " " + " ".join(q.options)).lower()
    if any(w in words for w in FORBIDDEN):
        raise AssertionError(f"query wording mentions payment: {q.question}")
