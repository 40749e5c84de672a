"""E/M leveling for one note: family (office new/established, hospital initial/subsequent/
discharge, ED), MDM from the three elements, time when documented, prolonged services, and the
higher supported level with the basis used.

>>> r = level_em('''ASSESSMENT AND PLAN
... 1. Hypertension, stable. Continue lisinopril 10 mg daily.
... 2. Hyperlipidemia, at goal on atorvastatin; continue.
... Total time spent on the date of the encounter: 25 minutes.''', setting="office")
>>> r.code, r.basis, r.mdm_code, r.time_code
('99214', 'mdm', '99214', '99213')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...nlp.document import Document
from .codes import (
    FAMILIES,
    LEVEL_NAMES,
    PLACE_OF_SERVICE,
    Family,
    family_of,
    label,
    prolonged_for,
    time_level,
)
from .mdm import (
    SOURCE_TABLE,
    Element,
    data_element,
    mdm_level,
    problems_element,
    problems_from_diagnoses,
    risk_element,
)
from .note import Evidence, Note

SETTINGS = ("office", "hospital", "ed")

_NEW = re.compile(r"\bnew patient\b|\bnew to (?:this |our )?(?:clinic|practice|me)\b|\binitial (?:office )?visit\b|"
                  r"\bestablish(?:ing)? care\b|\bfirst visit\b|\bhas not been seen (?:here|in this practice)\b", re.I)
_ESTABLISHED = re.compile(r"\bestablished patient\b|\bfollow[- ]?up visit\b|\breturns? for follow|\bseen (?:here )?last\b", re.I)
_DISCHARGE = re.compile(r"\bdischarge summary\b|\bdischarge day\b|\bdischarged (?:home )?today\b|"
                        r"\bday of discharge\b|\bdischarge note\b|\bdischarging (?:home )?today\b", re.I)
_INITIAL = re.compile(r"\badmission (?:h&p|history and physical|note)\b|\bhistory and physical\b|\bh&p\b|"
                      r"\binitial hospital\b|\badmit(?:ted)? to (?:the )?(?:medicine|hospitalist|observation|"
                      r"telemetry|floor|icu|inpatient)|\badmitting note\b|\binitial (?:inpatient|observation)\b", re.I)
_SUBSEQUENT = re.compile(r"\bprogress note\b|\bhospital day\b|\bhd\s*#?\s*\d|\bsubsequent\b|\binterval history\b|"
                         r"\bpost-?op(?:erative)? day\b|\bpod\s*#?\s*\d|\bdaily note\b", re.I)
_NURSE = re.compile(r"\bnurse visit\b|\bnurse-only\b|\bRN visit\b|\bblood pressure check by (?:the )?nurse\b", re.I)
_TIME = re.compile(
    r"(?:total (?:time|of)|time spent|i (?:personally )?spent|spent (?:a total of )?|time (?:on|for) (?:the|this) "
    r"(?:date|encounter|visit)|total (?:physician|provider|practitioner) time)"
    r"[^.\n]{0,90}?(?P<min>\d{1,3})\s*(?:minutes|mins?\b|min\b)"
    r"|(?P<min2>\d{1,3})\s*(?:minutes|mins?)\s+(?:of\s+)?(?:total time|were spent|was spent|spent)"
    r"[^.\n]{0,60}?(?:date|encounter|visit|care|patient)",
    re.I)
_TIME_EXCLUDE = re.compile(r"\bcritical care\b|\bprocedure time\b|\bnebuli[sz]er\b|\bobserv(?:ed|ation) for\b|"
                           r"\bwait(?:ed|ing)?\b|\bseparately\b(?! reported)|\bexcluding\b|\bnot including\b"
                           r"|\bcounseling time\b|\bfor \d+ days\b|\bsymptoms?\b|\bago\b", re.I)


@dataclass
class EmResult:
    code: str | None
    label: str
    family: str
    setting: str
    basis: str
    """mdm, time, or none (no level supported)."""
    mdm_level: str
    mdm_code: str | None
    time_minutes: int | None
    time_code: str | None
    elements: list[Element]
    prolonged: list[dict] = field(default_factory=list)
    time_evidence: list[Evidence] = field(default_factory=list)
    family_evidence: list[Evidence] = field(default_factory=list)
    rationale: list[str] = field(default_factory=list)
    modifiers: list[str] = field(default_factory=list)
    separately_billable: bool = True
    billed: dict | None = None
    source: str = ""

    def element(self, name: str) -> Element:
        return next(e for e in self.elements if e.name == name)

    def to_dict(self) -> dict:
        d = {"code": self.code, "label": self.label, "family": self.family, "setting": self.setting,
             "basis": self.basis, "mdm": self.mdm_level, "mdm_code": self.mdm_code,
             "time_minutes": self.time_minutes, "time_code": self.time_code, "prolonged": self.prolonged,
             "modifiers": self.modifiers, "separately_billable": self.separately_billable,
             "elements": {e.name: e.to_dict() for e in self.elements},
             "time_evidence": [e.to_dict() for e in self.time_evidence],
             "family_evidence": [e.to_dict() for e in self.family_evidence],
             "rationale": self.rationale, "source": self.source}
        if self.billed is not None:
            d["billed"] = self.billed
        return d


def documented_time(note: Note) -> tuple[int | None, list[Evidence]]:
    """Total practitioner time on the date of the encounter, when the note states it.

    >>> documented_time(Note.read("I spent a total of 42 minutes on the date of the encounter."))[0]
    42
    >>> documented_time(Note.read("Critical care time 35 minutes."))[0] is None
    True
    """
    best, ev = None, []
    for h in note.find(_TIME, exclude=("family_history", "allergies", "ros")):
        sent = note.sentence_text(h.sent) if h.sent >= 0 else h.text
        if _TIME_EXCLUDE.search(sent) or h.negated:
            continue
        m = _TIME.search(h.text)
        n = int(m.group("min") or m.group("min2"))
        if 1 <= n <= 600 and (best is None or n > best):
            best, ev = n, [h.evidence(note)]
    return best, ev


def detect_family(note: Note, setting: str, billed: str | None = None) -> tuple[Family, list[Evidence], str]:
    """The code family from the setting, the note's words and (when the note is silent) the billed code."""
    bf = family_of(billed) if billed else None

    def ev(rx):
        hs = note.find(rx, exclude=("family_history",))
        return [h.evidence(note, whole_sentence=False) for h in hs[:1]]

    if setting == "ed":
        return FAMILIES["ed"], [], "setting: emergency department"
    if setting == "hospital":
        for rx, name in ((_DISCHARGE, "hospital_discharge"), (_SUBSEQUENT, "hospital_subsequent"),
                         (_INITIAL, "hospital_initial")):
            e = ev(rx)
            if e:
                return FAMILIES[name], e, f"note words: {e[0].text!r}"
        if bf and bf.setting == "hospital":
            return bf, [], f"billed code {billed} family (the note does not say)"
        return FAMILIES["hospital_subsequent"], [], "default: subsequent hospital care"
    e = ev(_NEW)
    if e and not ev(_ESTABLISHED):
        return FAMILIES["office_new"], e, f"note words: {e[0].text!r}"
    e2 = ev(_ESTABLISHED)
    if e2:
        return FAMILIES["office_established"], e2, f"note words: {e2[0].text!r}"
    if bf and bf.setting == "office":
        return bf, [], f"billed code {billed} family (the note does not say new or established)"
    return FAMILIES["office_established"], [], "default: established patient (the note does not say new)"


def level_em(note: str | Document | Note, setting: str = "office", billed: str | None = None,
             payer: str = "medicare", billed_tests: frozenset[str] | set[str] = frozenset(),
             codebook=None, locality: str | None = None, coding=None) -> EmResult:
    """Level the E/M service documented in `note`.

    setting: office, hospital (inpatient or observation) or ed. payer: medicare (G2212/G0316) or
    commercial (99417/99418). billed_tests: keys of tests whose interpretation is reported
    separately on this claim (e.g. ``{"ekg"}`` with 93000): not counted as data. With `billed`
    and a `codebook`, the result carries the comparison with what was billed (see `compare`).
    coding: the diagnosis engine's `CodingResult` for the same note (or its list of diagnoses):
    the problems addressed are then its coded diagnoses, placed in the assessment/plan by their
    evidence spans (`problems_from_diagnoses`); without it (or with no diagnosis coded) the
    problems come from the assessment/plan words alone.
    """
    if setting not in SETTINGS:
        setting = {"outpatient": "office", "inpatient": "hospital", "observation": "hospital",
                   "emergency": "ed"}.get(setting, "office")
    n = Note.read(note, setting)
    fam, fam_ev, fam_why = detect_family(n, setting, billed)
    ctx = fam.name
    dxs = getattr(coding, "diagnoses", coding) if coding is not None else None
    problems = problems_from_diagnoses(n, dxs) if dxs else None
    problems_basis = "coded diagnoses in the assessment/plan" if problems is not None else "assessment/plan words"
    if problems is None:
        problems = problems_element(n)
    data = data_element(n, frozenset(billed_tests))
    risk = risk_element(n, ctx)
    elements = [problems, data, risk]
    level = mdm_level(problems.level, data.level, risk.level) if problems.items else 0
    rationale = [f"family: {fam.name} ({fam_why})",
                 f"MDM {LEVEL_NAMES[level]}: problems {problems.level_name}, data {data.level_name}, "
                 f"risk {risk.level_name} (two of three must be met or exceeded; {SOURCE_TABLE})",
                 f"problems addressed from the {problems_basis}"]
    mdm_code = fam.code_for(level) if level else None
    if fam.name == "office_established" and not mdm_code and n.find(_NURSE):
        mdm_code = "99211"
        rationale.append("nurse visit without practitioner MDM: 99211")
    minutes, t_ev = documented_time(n)
    t_code = time_level(fam, minutes)
    if minutes is not None and not fam.time_basis:
        rationale.append(f"time documented ({minutes} min) but {fam.name} has no time-based leveling (CPT 2023)")
    code, basis = mdm_code, "mdm" if mdm_code else "none"
    if fam.name == "hospital_discharge":
        code, basis = (t_code or "99238"), "time"
        if minutes is None:
            rationale.append("discharge day: no total time documented, 99238 (99239 needs more than 30 minutes "
                             "documented)")
    elif t_code and (code is None or fam.rank(t_code) > fam.rank(code)):
        code, basis = t_code, "time"
    if t_code:
        rationale.append(f"time: {minutes} min supports {t_code} (thresholds met or exceeded: "
                         + ", ".join(f"{c} {m}+" for c, m in fam.time_min.items() if m) + ")")
    rationale.append(f"supported: {code or 'none'} by {basis}" + (
        " (time gives the higher level)" if basis == "time" and mdm_code else ""))
    prolonged = []
    if basis == "time" and code:
        p = prolonged_for(code, minutes, payer)
        if p:
            pro, units = p
            prolonged.append({"code": pro.code, "units": units, "label": label(pro.code), "source": pro.source})
            rationale.append(f"prolonged services: {pro.code} x{units} ({payer}: first unit at {pro.first_unit_at} "
                             f"min with {code})")
    res = EmResult(code, label(code) if code else "", fam.name, setting, basis, LEVEL_NAMES[level], mdm_code,
                   minutes, t_code, elements, prolonged, t_ev, fam_ev, rationale, source=fam.source)
    if billed and codebook is not None:
        from .billed import compare

        res.billed = compare(res, billed, codebook, locality=locality)
    return res


def place_of_service(setting: str) -> str:
    return PLACE_OF_SERVICE.get(setting, "11")
