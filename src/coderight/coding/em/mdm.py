"""Medical decision making: the three elements, each from the note with its evidence, and the
two-of-three rule.

Source: AMA CPT E/M Services Guidelines, "Levels of Medical Decision Making" table (2021
office/outpatient; extended to hospital and ED in 2023): number and complexity of problems
addressed; amount and/or complexity of data to be reviewed and analyzed; risk of complications
and/or morbidity or mortality of patient management. "To qualify for a particular level of MDM,
two of the three elements for that level of MDM must be met or exceeded."

>>> mdm_level(HIGH, LOW, MODERATE), mdm_level(MODERATE, STRAIGHTFORWARD, STRAIGHTFORWARD)
(3, 1)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import lexicon as lx
from .codes import HIGH, LEVEL_NAMES, LOW, MODERATE, NONE, STRAIGHTFORWARD
from .note import Evidence, Hit, Note

SOURCE_TABLE = "AMA CPT E/M Guidelines (2021; 2023 revision), Levels of Medical Decision Making table"

PROBLEM_SECTIONS = ("assessment", "diagnoses", "plan")
PLAN_SECTIONS = ("assessment", "diagnoses", "plan", "preamble", "other", "procedure", "results")


@dataclass
class Item:
    """One counted (or set-aside) piece of an MDM element."""

    kind: str
    level: int
    evidence: list[Evidence] = field(default_factory=list)
    rule: str = ""
    counted: bool = True
    note: str = ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "level": LEVEL_NAMES[self.level], "counted": self.counted,
                "rule": self.rule, "note": self.note, "evidence": [e.to_dict() for e in self.evidence]}


@dataclass
class Element:
    name: str
    """problems, data or risk."""
    level: int
    reason: str
    items: list[Item] = field(default_factory=list)

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    def to_dict(self) -> dict:
        return {"element": self.name, "level": self.level_name, "reason": self.reason,
                "items": [i.to_dict() for i in self.items]}


def mdm_level(problems: int, data: int, risk: int) -> int:
    """Two of three: the highest level met or exceeded by at least two elements (the middle value)."""
    return sorted((problems, data, risk))[1]


# ------------------------------------------------------------------------------ problems
def _rx(p: str) -> re.Pattern:
    return re.compile(p, re.I)


_SEVERE, _WORSE, _CHRONIC = _rx(lx.SEVERE), _rx(lx.WORSENING), _rx(lx.CHRONIC)
_UNDX, _SYSTEMIC, _COMPLICATED = _rx(lx.UNDIAGNOSED), _rx(lx.SYSTEMIC), _rx(lx.COMPLICATED_INJURY)
_SELF, _ACUTE, _STABLE, _IMPROVING = _rx(lx.SELF_LIMITED), _rx(lx.ACUTE), _rx(lx.STABLE), _rx(lx.IMPROVING)
_HISTORICAL = re.compile(r"^\s*(?:[-•*#]|\d{1,2}[.)])?\s*(?:history of|hx of|h/o|s/p|status post|remote)\b", re.I)
_HEADLINE = re.compile(r"^\s*(?:[-•*#]|\d{1,2}[.)])?\s*([^.:;\n]{2,90})")
_NEG_SEVERE = re.compile(r"\b(?:no|not|without|ruled out|negative for|denies|low suspicion for|unlikely)\b"
                         r"[^.;]{0,40}$", re.I)


def problem_items(note: Note, exclude_spans: list[tuple[int, int]] | None = None) -> list[tuple[int, int, str]]:
    """The problems on the assessment/plan: one per list item (or per line when the assessment is
    written as lines), as (start, end, text)."""
    doc = note.doc
    out: list[tuple[int, int, str]] = []
    secs = [s for s in doc.sections if s.kind in PROBLEM_SECTIONS]
    for sec in secs:
        sents = [i for i, s in enumerate(doc.sentences) if sec.body_start <= s.start < sec.end]
        if not sents:
            continue
        has_items = any(doc.sentences[i].list_item for i in sents)
        seen: set[int] = set()
        for i in sents:
            if i in seen:
                continue
            if has_items and not doc.sentences[i].list_item:
                continue
            a, b = note.item_of(i)
            a = max(a, sents[0])
            b = min(b, sents[-1] + 1)
            seen.update(range(a, b))
            start, end = doc.sentences[a].start, doc.sentences[b - 1].end
            out.append((start, end, note.text[start:end]))
    return out


def _headline(text: str) -> str:
    m = _HEADLINE.match(text)
    return m.group(1).strip() if m else text.strip()[:90]


def classify_problem(text: str) -> tuple[str, int, str]:
    """(kind, level, rule) for one assessment/plan item.

    >>> classify_problem("1. Type 2 diabetes, uncontrolled, A1c 9.1")[:2]
    ('chronic illness with exacerbation, progression or side effects of treatment', 3)
    >>> classify_problem("2. Hypertension, stable on lisinopril")[:2]
    ('stable chronic illness', 2)
    >>> classify_problem("Chest pain, concerning for acute coronary syndrome")[:2]
    ('acute or chronic illness or injury that poses a threat to life or bodily function', 4)
    >>> classify_problem("Viral URI")[:2]
    ('self-limited or minor problem', 1)
    """
    head = _headline(text)
    low = text.lower()
    sev = _SEVERE.search(text)
    if sev and not _NEG_SEVERE.search(text[:sev.start()][-60:]):
        if _CHRONIC.search(head) and not re.search(r"threat|life", sev.group(), re.I) and "severe" in sev.group().lower():
            return ("chronic illness with severe exacerbation, progression or side effects of treatment", HIGH,
                    "problems: severe exacerbation")
        return ("acute or chronic illness or injury that poses a threat to life or bodily function", HIGH,
                "problems: threat to life or bodily function")
    chronic = _CHRONIC.search(head) or (_CHRONIC.search(text) and not _ACUTE.search(head))
    if chronic and re.search(r"\bsevere\b", low) and _WORSE.search(text):
        return ("chronic illness with severe exacerbation, progression or side effects of treatment", HIGH,
                "problems: severe exacerbation")
    if chronic and _WORSE.search(text):
        return ("chronic illness with exacerbation, progression or side effects of treatment", MODERATE,
                "problems: chronic illness, worsening/not at goal")
    if _UNDX.search(text):
        return ("undiagnosed new problem with uncertain prognosis", MODERATE, "problems: uncertain prognosis")
    if _SYSTEMIC.search(text):
        return ("acute illness with systemic symptoms", MODERATE, "problems: acute illness with systemic symptoms")
    if _COMPLICATED.search(head):
        return ("acute complicated injury", MODERATE, "problems: acute complicated injury")
    if chronic:
        return ("stable chronic illness", LOW, "problems: chronic illness, stable or at goal")
    if _SELF.search(head) and not re.search(r"\b(?:infected|complicated|multiple)\b", low):
        return ("self-limited or minor problem", STRAIGHTFORWARD, "problems: self-limited or minor")
    if _IMPROVING.search(text) and _ACUTE.search(head):
        return ("stable acute illness", LOW, "problems: stable acute illness")
    return ("acute, uncomplicated illness or injury", LOW, "problems: acute uncomplicated (default for an "
            "addressed problem with treatment considered)")


def problems_element(note: Note, procedure_terms: tuple[str, ...] = ()) -> Element:
    items = [it for start, end, text in problem_items(note) if (it := _problem_item(note, start, end, text))]
    return problems_from_items(items)


def _problem_item(note: Note, start: int, end: int, text: str) -> Item | None:
    """One assessment/plan item classified from its words (None: not a problem, e.g. an instruction)."""
    ev = [Evidence(start, end, text, note.section_of(start))]
    if lx.NON_PROBLEM.match(text):
        return None
    if _HISTORICAL.match(text) and not re.search(r"\b(?:now|currently|today|recurren)", text, re.I):
        return Item("historical condition", NONE, ev, "problems: history only, not addressed", False,
                    "a past condition listed without assessment or plan is not addressed")
    if lx.NOT_ADDRESSED.search(text) and not lx.RX_VERBS.search(text.split("by", 1)[0]):
        return Item("managed by another professional", NONE, ev, "problems: not addressed", False,
                    "noted as managed elsewhere without additional assessment or care coordination")
    if re.search(r"\b(?:vaccin|immuniz)\w*", _headline(text), re.I) and re.search(
            r"\b(?:administered|given)\b", text, re.I):
        return None  # an immunization line is a service, not a problem addressed
    kind, level, rule = classify_problem(text)
    return Item(kind, level, ev, rule)


_NOT_A_PROBLEM_CODE = ("V", "W", "X", "Y", "Z")
"""External causes (V-Y) and factors influencing health status (Z: encounters, screening, history,
long-term drug use) are never a problem addressed by themselves."""


def problems_from_diagnoses(note: Note, diagnoses) -> Element | None:
    """The problems element from the diagnosis engine's coded diagnoses (`coderight.coding.models.Diagnosis`:
    code, evidence spans, status), or None when there are none to use (the caller falls back to the
    word lists of `problems_element`).

    Each coded diagnosis is placed in the assessment/plan item that holds one of its evidence spans;
    an item with coded diagnoses is one problem addressed (a combination code and its partner are
    one problem), classified by the item's status words (stable, worsening, severe, …) and carrying
    the codes and their evidence. A diagnosis the engine reports as historical or family history
    is not addressed; Z and external-cause codes are not problems. Assessment/plan items without a
    coded diagnosis are classified from their words, as without the diagnosis engine, and a service
    or instruction line (vaccines given, follow-up) stays no problem whatever was coded from it. A
    diagnosis documented only outside the assessment/plan (when the note has one) is listed, not
    counted; a note without an assessment/plan counts each coded diagnosis's sentence, except a
    procedure note (its diagnoses are the indications).
    """
    dxs = [d for d in diagnoses or () if getattr(d, "evidence", None)]
    if not dxs:
        return None
    ap = problem_items(note)
    if not ap and any(s.kind == "procedure" for s in note.doc.sections):
        return None  # a procedure note: its diagnoses are the indications, not problems of an E/M
    by_item: dict[int, list] = {}
    outside = []
    for d in dxs:
        where = next((i for i, (a, b, _t) in enumerate(ap) for e in d.evidence if a <= e.start < b), None)
        if where is None:
            outside.append(d)
        else:
            by_item.setdefault(where, []).append(d)
    items: list[Item] = []
    for i, (start, end, text) in enumerate(ap):
        ds = by_item.get(i)
        if not ds:
            it = _problem_item(note, start, end, text)
            if it is not None:
                items.append(it)
            continue
        ev = [Evidence(start, end, text, note.section_of(start))]
        ev += [Evidence(e.start, e.end, e.text, getattr(e, "section", "") or note.section_of(e.start))
               for d in ds for e in d.evidence[:1]]
        codes = ", ".join(d.code for d in ds)
        real = [d for d in ds if d.code[:1].upper() not in _NOT_A_PROBLEM_CODE]
        if not real:
            it = _problem_item(note, start, end, text)
            if it is not None and it.counted:
                it.counted, it.note = False, f"coded only as {codes} (encounter, status or history code)"
                it.rule = "problems: not a problem addressed"
            if it is not None:
                it.evidence = ev
                items.append(it)
            continue
        if all(getattr(d, "status", "affirmed") in ("historical", "family") for d in real):
            items.append(Item("historical condition", NONE, ev, f"problems: history only ({codes})", False,
                              "the diagnosis engine reads it as history, not a current problem"))
            continue
        it = _problem_item(note, start, end, text)
        if it is None:  # a service or instruction line (e.g. vaccines given): the words decide
            continue
        it.evidence = ev  # (history only / managed elsewhere stays not counted: the words decide)
        it.rule = f"{it.rule} [coded: {codes}]"
        items.append(it)
    if not ap:  # no assessment/plan items: each coded diagnosis's sentence is the problem
        for d in outside:
            if d.code[:1].upper() in _NOT_A_PROBLEM_CODE or getattr(d, "status", "") in ("historical", "family"):
                continue
            e = d.evidence[0]
            sent = next((s for s in note.doc.sentences if s.start <= e.start < s.end), None)
            a, b = (sent.start, sent.end) if sent is not None else (e.start, e.end)
            kind, level, rule = classify_problem(note.text[a:b])
            items.append(Item(kind, level, [Evidence(a, b, note.text[a:b], note.section_of(a))],
                              f"{rule} [coded: {d.code}]"))
    else:
        for d in outside:
            e = d.evidence[0]
            items.append(Item("documented outside the assessment/plan", NONE,
                              [Evidence(e.start, e.end, e.text, note.section_of(e.start))],
                              f"problems: {d.code} not in the assessment/plan", False,
                              "coded from the note but not assessed or planned in this encounter"))
    return problems_from_items(items)


def problems_from_items(items: list[Item]) -> Element:
    """The problems element from its items (AMA table: counts of each problem type)."""
    counted = [i for i in items if i.counted]
    chronic_stable = [i for i in counted if i.kind == "stable chronic illness"]
    selflimited = [i for i in counted if i.level == STRAIGHTFORWARD]
    top = max((i.level for i in counted), default=NONE)
    level, reason = top, ""
    if top == HIGH:
        reason = "a problem posing a threat to life or bodily function, or a severe exacerbation"
    elif top == MODERATE:
        reason = "a chronic illness not at goal/worsening, an undiagnosed new problem, systemic or complicated"
    elif len(chronic_stable) >= 2:
        level, reason = MODERATE, f"{len(chronic_stable)} stable chronic illnesses (2 or more: moderate)"
    elif top == LOW:
        reason = "one stable chronic illness or acute uncomplicated/stable acute problem(s)"
    elif len(selflimited) >= 2:
        level, reason = LOW, "two or more self-limited or minor problems"
    elif top == STRAIGHTFORWARD:
        reason = "one self-limited or minor problem"
    else:
        reason = "no problem addressed in the assessment/plan"
    return Element("problems", level, reason, items)


# ------------------------------------------------------------------------------ data
@dataclass
class DataFacts:
    tests: dict[str, list[Evidence]] = field(default_factory=dict)
    external: dict[str, list[Evidence]] = field(default_factory=dict)
    historian: list[Evidence] = field(default_factory=list)
    interpretation: list[Evidence] = field(default_factory=list)
    discussion: list[Evidence] = field(default_factory=list)


_TEST_SECTIONS = ("assessment", "diagnoses", "plan", "results", "preamble", "other", "exam")
_IF = re.compile(r"\b(?:if|should|unless|consider(?:ing)?)\b", re.I)


def data_facts(note: Note, billed_tests: frozenset[str] = frozenset()) -> DataFacts:
    f = DataFacts()
    for key, rx in lx.TEST_PATTERNS.items():
        for h in note.find(rx, sections=_TEST_SECTIONS):
            if h.negated:
                continue
            sent = note.sentence_text(h.sent) if h.sent >= 0 else h.text
            if _IF.search(sent[: max(0, h.start - note.doc.sentences[h.sent].start)]):
                continue  # "if not improving, will order CT"
            if h.section not in ("results",) and not (lx.ORDER_WORDS.search(sent) or lx.REVIEW_WORDS.search(sent)):
                continue
            if key in billed_tests:
                continue
            f.tests.setdefault(key, []).append(h.evidence(note))
    for h in note.find(lx.EXTERNAL_NOTES):
        if h.negated:
            continue
        src = (h.groups.get("src") or h.groups.get("src2") or h.groups.get("src3") or "external").lower().strip()
        src = re.sub(r"^(?:the|an?|her|his)\s+", "", src)
        f.external.setdefault(src, []).append(h.evidence(note))
    for h in note.find(lx.HISTORIAN):
        if not h.negated:
            f.historian.append(h.evidence(note))
    for h in note.find(lx.INTERPRETATION):
        if h.negated:
            continue
        what = (h.groups.get("what") or "").lower()
        sent = note.sentence_text(h.sent) if h.sent >= 0 else h.text
        if ("ekg" in billed_tests and re.search(r"\b(?:ekg|ecg|tracing|rhythm strip)\b", what + " " + sent, re.I)
                and not re.search(r"x-?ray|ct|film|radiograph|image", what)):
            continue  # EKG interpretation reported separately (93000/93010): not counted again
        f.interpretation.append(h.evidence(note))
    for h in note.find(lx.DISCUSSION, sections=PLAN_SECTIONS + ("hpi",)):
        if h.negated:
            continue
        f.discussion.append(h.evidence(note))
    return f


def data_element(note: Note, billed_tests: frozenset[str] = frozenset()) -> Element:
    """Amount and complexity of data (AMA table): category 1 = unique tests ordered or reviewed,
    unique external sources of notes, independent historian; category 2 = independent
    interpretation of a test not separately reported; category 3 = discussion of management with an
    external physician or appropriate source. Ordering a test includes reviewing its result, so a
    test counts once per encounter; a test whose interpretation we report is not counted."""
    f = data_facts(note, billed_tests)
    items: list[Item] = []
    for key, ev in f.tests.items():
        items.append(Item(f"unique test ordered or reviewed: {key}", LOW, ev[:2], "data: category 1, each unique test"))
    for src, ev in f.external.items():
        items.append(Item(f"external notes reviewed: {src}", LOW, ev[:1], "data: category 1, each unique source"))
    if f.historian:
        items.append(Item("assessment requiring an independent historian", LOW, f.historian[:1],
                          "data: independent historian"))
    if f.interpretation:
        items.append(Item("independent interpretation of a test", MODERATE, f.interpretation[:2],
                          "data: category 2, independent interpretation (not separately reported)"))
    if f.discussion:
        items.append(Item("discussion of management with an external physician/QHP/appropriate source",
                          MODERATE, f.discussion[:2], "data: category 3, discussion (not separately reported)"))
    docs = len(f.tests) + len(f.external)
    cat1_full = docs + (1 if f.historian else 0)
    cat1 = cat1_full >= 3
    cats = sum((cat1, bool(f.interpretation), bool(f.discussion)))
    if cats >= 2:
        level = HIGH
        reason = "extensive: two of three categories (3 tests/documents/historian; interpretation; discussion)"
    elif cats == 1:
        level = MODERATE
        reason = ("moderate: " + ("3 or more tests/documents/historian" if cat1 else
                                  "independent interpretation" if f.interpretation else "discussion of management"))
    elif docs >= 2 or f.historian:
        level = LOW
        reason = "limited: 2 tests/documents" if docs >= 2 else "limited: independent historian"
    elif docs == 1:
        level = STRAIGHTFORWARD
        reason = "minimal: one test or document"
    else:
        level = STRAIGHTFORWARD
        reason = "minimal or none"
    return Element("data", level, reason, items)


# ------------------------------------------------------------------------------ risk
_RX_SUFFIX = re.compile(r"(?<![A-Za-z])" + lx.RX_SUFFIX + r"(?![A-Za-z])", re.I)
_RX = re.compile(lx.RX_DRUGS, re.I)
_OTC = re.compile(lx.OTC_DRUGS, re.I)
_NOT_RX_CONTEXT = re.compile(r"\b(?:allerg\w*|intolerant|history of|hx of|previously on|failed)\b", re.I)


def risk_element(note: Note, context: str = "office", procedure_risk: bool = False) -> Element:
    """Risk of patient management (AMA table examples): high: drug therapy requiring intensive
    monitoring for toxicity, decision regarding elective major surgery with risk factors or
    emergency major surgery, decision regarding hospitalization or escalation of hospital-level
    care, decision not to resuscitate or to de-escalate, parenteral controlled substances;
    moderate: prescription drug management, decision regarding minor surgery with risk factors or
    elective major surgery without, diagnosis or treatment significantly limited by social
    determinants of health; low: OTC drugs, minor surgery without risk factors, PT/OT, IV fluids
    without additives; minimal: rest, gargles, bandages."""
    items: list[Item] = []

    def add(kind, level, hits: list[Hit], rule):
        if hits:
            items.append(Item(kind, level, [h.evidence(note) for h in hits[:2]], rule))

    plan = PLAN_SECTIONS
    hosp = [h for h in note.find(lx.HOSPITALIZATION, sections=plan)]
    if context == "hospital_subsequent" or context == "hospital_discharge":
        hosp = [h for h in hosp if re.search(r"icu|micu|ccu|intensive|higher level|escalat", h.text, re.I)]
    add("decision regarding hospitalization or escalation of hospital-level care", HIGH, hosp,
        "risk: high, decision regarding hospitalization (including deciding against it)")
    add("decision not to resuscitate or to de-escalate care because of poor prognosis", HIGH,
        [h for h in note.find(lx.DEESCALATE, sections=plan) if not h.negated], "risk: high, de-escalation/DNR")
    add("decision regarding emergency major surgery", HIGH,
        [h for h in note.find(lx.EMERGENCY_SURGERY, sections=plan) if not h.negated], "risk: high, emergency surgery")
    add("drug therapy requiring intensive monitoring for toxicity", HIGH,
        [h for h in note.find(lx.INTENSIVE_MONITORING, sections=plan) if not h.negated],
        "risk: high, intensive monitoring for toxicity")
    add("parenteral controlled substances", HIGH,
        [h for h in note.find(lx.PARENTERAL_CONTROLLED, sections=plan + ("hpi",)) if not h.negated],
        "risk: high, parenteral controlled substance")
    major = [h for h in note.find(lx.MAJOR_SURGERY, sections=plan) if not h.negated]
    if major:
        if note.find(lx.SURGERY_RISK_FACTORS, sections=plan):
            add("decision regarding elective major surgery with identified risk factors", HIGH, major,
                "risk: high, elective major surgery with risk factors")
        else:
            add("decision regarding elective major surgery without identified risk factors", MODERATE, major,
                "risk: moderate, elective major surgery")
    rx_hits = []
    for h in note.find(_RX, sections=plan) + note.find(_RX_SUFFIX, sections=plan):
        if h.negated or h.conditional:
            continue
        sent = note.sentence_text(h.sent) if h.sent >= 0 else h.text
        if _OTC.fullmatch(h.text) or _NOT_RX_CONTEXT.search(sent):
            continue
        if not lx.RX_VERBS.search(sent) and not re.search(r"\d\s*(?:mg|mcg|units?)\b", sent, re.I):
            continue
        rx_hits.append(h)
    add("prescription drug management", MODERATE, rx_hits, "risk: moderate, prescription drug management")
    add("diagnosis or treatment significantly limited by social determinants of health", MODERATE,
        [h for h in note.find(lx.SDOH) if not h.negated], "risk: moderate, social determinants of health")
    minor_dec = [h for h in note.find(lx.MINOR_SURGERY_DECISION, sections=plan) if not h.negated]
    add("decision regarding minor surgery", LOW, minor_dec, "risk: low, minor surgery without risk factors")
    add("over-the-counter drugs", LOW,
        [h for h in note.find(_OTC, sections=plan) if not h.negated and not _NOT_RX_CONTEXT.search(
            note.sentence_text(h.sent) if h.sent >= 0 else "")], "risk: low, OTC drugs")
    add("low-risk management (therapy referral, IV fluids, immobilization)", LOW,
        [h for h in note.find(lx.LOW_RISK_MGMT, sections=plan) if not h.negated], "risk: low")
    add("minimal-risk management (rest, fluids, reassurance)", STRAIGHTFORWARD,
        [h for h in note.find(lx.MINIMAL_RISK, sections=plan) if not h.negated], "risk: minimal")
    level = max((i.level for i in items), default=STRAIGHTFORWARD)
    top = [i.kind for i in items if i.level == level]
    reason = top[0] if top else "minimal risk (no management option of higher risk documented)"
    return Element("risk", level, reason, items)
