"""Procedure, supply and drug rules: one function per family, each naming its source.

Every rule reads the performed-procedure text of the note (the PROCEDURE section when there is
one, else sentences that say the thing was done) and returns `Suggestion` lines with evidence.
Labels are ours; the code numbers are CPT (© AMA) or HCPCS Level II.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..em.note import Evidence, Hit, Note
from .drugs import drug_lines
from .model import Suggestion


@dataclass
class Ctx:
    note: Note
    setting: str = "office"
    payer: str = "medicare"
    age: int | None = None
    hcpcs: object | None = None

    @property
    def medicare(self) -> bool:
        return self.payer in ("medicare", "medicare_advantage")

    @property
    def office(self) -> bool:
        return self.setting == "office"


_HISTORY_SECTIONS = ("hpi", "pmh", "psh", "family_history", "social", "ros", "meds", "allergies", "cc")
_DONE = re.compile(r"\b(?:performed|done|completed|obtained|taken|administered|given|placed|applied|repaired|"
                   r"closed|injected|aspirated|drained|incised|removed|treated|destroyed|frozen|biopsied|"
                   r"was|were|underwent|procedure|today|in (?:the )?office|in clinic|prepped|using|with)\b", re.I)
_NOT_DONE = re.compile(r"\b(?:will|plan(?:ned)? to|to be|schedule[d]?|next visit|return for|declined|deferred|"
                       r"previous(?:ly)?|prior|last (?:year|month|week|visit)|outside|at another|ago|refer(?:red)?)\b",
                       re.I)


_TODAY = re.compile(r"\b(?:performed|done|in (?:the )?office|in clinic|today)\b", re.I)


def performed(ctx: Ctx, rx: str | re.Pattern, need_done: bool = True, allow_hpi: bool = False) -> list[Hit]:
    """Asserted matches that describe something done at this encounter, one per sentence. With
    `allow_hpi`, a sentence in the history that says the thing was done today in the office counts
    (notes often put an office EKG or rapid test right under the HPI)."""
    note = ctx.note
    has_proc = any(s.kind == "procedure" for s in note.doc.sections)
    hits = note.find(rx, exclude=("family_history", "allergies"))
    hits = [h for h in hits if h.section not in _HISTORY_SECTIONS or (
        allow_hpi and h.section == "hpi" and _TODAY.search(note.sentence_text(h.sent)))]
    if has_proc and any(h.section == "procedure" for h in hits):
        hits = [h for h in hits if h.section == "procedure"]
    out, seen = [], set()
    for h in hits:
        if h.negated or h.conditional or h.sent in seen:
            continue
        sent = note.sentence_text(h.sent) if h.sent >= 0 else h.text
        if h.section == "procedure" or (not has_proc and h.section in ("preamble", "other")):
            pass
        elif _NOT_DONE.search(sent) or (need_done and not _DONE.search(sent)):
            continue
        if h.hypothetical and not re.search(r"performed|done|given|administered|placed|applied", sent, re.I):
            continue
        seen.add(h.sent)
        out.append(h)
    return out


def _item_text(ctx: Ctx, h: Hit) -> tuple[str, Evidence]:
    a, b = ctx.note.item_of(h.sent)
    s, e = ctx.note.doc.sentences[a].start, ctx.note.doc.sentences[b - 1].end
    return ctx.note.text[s:e], Evidence(s, e, ctx.note.text[s:e], h.section)


def laterality(text: str) -> str:
    t = text.lower()
    if re.search(r"\bbilateral(?:ly)?\b|\bboth (?:knees|shoulders|hips|wrists|ankles|elbows)\b", t):
        return "B"
    left, right = re.search(r"\bleft\b|\blt\b", t), re.search(r"\bright\b|\brt\b", t)
    if left and right:
        return "B"
    return "L" if left else "R" if right else ""


_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
        "twenty": 20, "a single": 1, "single": 1}


def count_in(text: str, noun: str) -> int | None:
    """A count written before a noun ("three lesions", "12 AKs") or as "x3" after it."""
    m = re.search(r"\b(\d{1,2}|" + "|".join(_NUM) + r")\s+(?!mm\b|cm\b|mg\b|ml\b)(?:\w+\s+){0,3}?" + noun, text, re.I)
    if m:
        v = m.group(1).lower()
        return int(v) if v.isdigit() else _NUM[v]
    m = re.search(noun + r"(?:[^.;]{0,30}?\bx\s?|,\s*|:\s*)(\d{1,2})\b(?!\s*(?:mm|cm|mg|ml)\b)", text, re.I)
    if m:
        return int(m.group(1))
    m = re.search(r"\btotal of (\d{1,2})\b", text, re.I)
    return int(m.group(1)) if m else None


# ------------------------------------------------------------------------- joints
_JOINT_ACTION = re.compile(r"\b(?:inject(?:ed|ion)|aspirat(?:ed|ion)|arthrocentesis|corticosteroid injection|"
                           r"steroid injection)\b", re.I)
JOINTS = [
    ("tendon", r"trigger finger|trigger thumb|tendon sheath|de quervain|flexor tendon sheath|a1 pulley", "20550", None),
    ("small", r"finger|toe|mcp|pip|dip|interphalangeal|metacarpophalangeal|metatarsophalangeal|mtp|"
              r"first cmc|cmc|carpometacarpal|thumb", "20600", "20604"),
    ("intermediate", r"wrist|elbow|ankle|tmj|temporomandibular|acromioclavicular|ac joint|olecranon bursa",
     "20605", "20606"),
    ("major", r"knee|shoulder|hip|subacromial|glenohumeral|trochanteric bursa|greater trochanter", "20610", "20611"),
]
_SRC_JOINT = "CPT arthrocentesis/aspiration/injection 20600-20611 (size of joint, ultrasound guidance); CMS PFS"


def joint_injections(ctx: Ctx) -> list[Suggestion]:
    out: list[Suggestion] = []
    seen: set[tuple[str, str]] = set()
    for h in performed(ctx, _JOINT_ACTION):
        text, ev = _item_text(ctx, h)
        sent = ctx.note.sentence_text(h.sent)
        if re.search(r"\b(?:vaccine|im\b|intramuscular|deltoid|gluteal|trigger point)\b", sent, re.I):
            continue
        for size, words, code, us_code in JOINTS:
            m = re.search(r"\b(?:" + words + r")s?\b", sent, re.I) or re.search(r"\b(?:" + words + r")s?\b", text, re.I)
            if not m:
                continue
            us = bool(re.search(r"ultrasound[- ]guid|under ultrasound|us[- ]guid|sonographic guid", text, re.I))
            c = us_code if (us and us_code) else code
            lat = laterality(sent) or laterality(text)
            key = (c, m.group().lower() + lat)
            if key in seen:
                break
            seen.add(key)
            digit = finger_modifier(sent + " " + text, lat) if size in ("tendon", "small") else None
            what = "aspiration" if re.search(r"aspirat|arthrocentesis", sent, re.I) else "injection"
            out.append(Suggestion(c, f"{what.capitalize()}, {size} joint or bursa" +
                                  (", ultrasound guided" if c == us_code else ""), 1, [], [ev], "PX-JOINT-1",
                                  f"{what} of the {m.group().lower()} ({size} joint)" + (" with ultrasound guidance" if us else ""),
                                  _SRC_JOINT, site=m.group().lower(), laterality=lat, group=f"joint:{m.group().lower()}",
                                  indication=m.group().lower() + (" trigger finger thumb tendon"
                                                                  if size == "tendon" else "")))
            if digit:
                out[-1].add_modifier(digit)
                out[-1].laterality = ""
            for dcode, units, words_, rule in drug_lines(text, ctx.hcpcs):
                if dcode.startswith("J76"):
                    continue
                out.append(Suggestion(dcode, f"Drug supply: {words_}", units, [], [ev], rule,
                                      f"{words_} documented: {units} unit(s) of {dcode}", _SRC_DRUG, "drug"))
            break
    return _merge_drugs(out)


_SRC_DRUG = "HCPCS Level II J-code dose per unit (loaded release); CMS Pub. 100-04 ch. 17 §70 (units cover the dose)"


def _merge_drugs(lines: list[Suggestion]) -> list[Suggestion]:
    out: list[Suggestion] = []
    for s in lines:
        if s.kind == "drug":
            prev = next((o for o in out if o.kind == "drug" and o.code == s.code), None)
            if prev:
                prev.units += s.units
                prev.evidence += s.evidence
                continue
        out.append(s)
    return out


_DIGITS = [(r"thumb", 0), (r"index", 1), (r"middle|long", 2), (r"ring", 3), (r"little|small|pinky|fifth", 4)]


def finger_modifier(text: str, lat: str) -> str | None:
    """HCPCS finger modifiers: FA/F1-F4 left thumb to fifth digit, F5-F9 right (CMS HCPCS Level II).

    >>> finger_modifier("right ring finger", "R"), finger_modifier("left thumb", "L")
    ('F8', 'FA')
    """
    if lat not in ("L", "R") or not re.search(r"finger|thumb|digit", text, re.I):
        return None
    for words, i in _DIGITS:
        if re.search(r"\b(?:" + words + r")\b", text, re.I):
            return (("FA", "F1", "F2", "F3", "F4") if lat == "L" else ("F5", "F6", "F7", "F8", "F9"))[i]
    return None


# ------------------------------------------------------------------------- injections (IM)
_IM = re.compile(r"\b(?:im|intramuscular(?:ly)?|subcutaneous(?:ly)?|subq|sq|sc)\b", re.I)


def im_injections(ctx: Ctx) -> list[Suggestion]:
    """Therapeutic/prophylactic IM or SC injection of a drug in the office: 96372 + the drug.
    Source: CPT 96372; in the ED and hospital the facility reports it (CMS Pub. 100-04 ch. 12 §30.6.12)."""
    if not ctx.office:
        return []
    out: list[Suggestion] = []
    for h in performed(ctx, _IM):
        text, ev = _item_text(ctx, h)
        sent = ctx.note.sentence_text(h.sent)
        if re.search(r"vaccin|immuniz|toxoid|joint|bursa|lidocaine", sent, re.I):
            continue
        drugs = drug_lines(sent, ctx.hcpcs)
        if not drugs:
            continue
        out.append(Suggestion("96372", "Injection of a drug, IM or subcutaneous", 1, [], [ev], "PX-INJ-1",
                              "drug given by intramuscular/subcutaneous injection in the office",
                              "CPT 96372; NCCI Policy Manual ch. XI", "administration"))
        for dcode, units, words, rule in drugs:
            out.append(Suggestion(dcode, f"Drug supply: {words}", units, [], [ev], rule,
                                  f"{words} documented: {units} unit(s) of {dcode}", _SRC_DRUG, "drug"))
    seen: list[Suggestion] = []
    for s in _merge_drugs(out):
        if s.code == "96372" and any(o.code == "96372" for o in seen):
            next(o for o in seen if o.code == "96372").units += 1
            continue
        seen.append(s)
    return seen


# ------------------------------------------------------------------------- EKG / spirometry / nebulizer
_EKG = re.compile(r"\b(?:ekg|ecg|electrocardiogram|12-lead)\b", re.I)
_EKG_READ = re.compile(r"\b(?:shows?|showed|reveal\w*|demonstrat\w*|interpret\w*|sinus|rhythm|normal|"
                       r"unremarkable|st[- ](?:elevation|depression|changes)|rate|axis|my read|read by me|"
                       r"qtc|intervals)\b|:", re.I)


def ekg(ctx: Ctx) -> list[Suggestion]:
    """EKG: office with tracing and interpretation → 93000; tracing without interpretation → 93005;
    ED/hospital interpretation by the physician (the facility does the tracing) → 93010.
    Source: CPT 93000/93005/93010; AMA E/M guidelines (a test whose interpretation is reported is not
    counted again in MDM data)."""
    for h in performed(ctx, _EKG, need_done=False, allow_hpi=True):
        sent = ctx.note.sentence_text(h.sent)
        if re.search(r"\b(?:prior|previous|old|last|outside|compared|comparison|ordered|will)\b", sent[:h.start - ctx.note.doc.sentences[h.sent].start], re.I):
            continue
        if re.search(r"\b(?:prior|previous|last year|outside|from \d{4}|in 20\d\d)\b", sent, re.I):
            continue
        ev = h.evidence(ctx.note)
        interp = _EKG_READ.search(sent[h.end - ctx.note.doc.sentences[h.sent].start:])
        if ctx.office:
            if interp:
                return [Suggestion("93000", "Electrocardiogram, tracing with interpretation and report", 1, [], [ev],
                                   "PX-EKG-1", "EKG performed in the office and interpreted", _SRC_EKG, "test",
                                   indication="ekg")]
            return [Suggestion("93005", "Electrocardiogram, tracing only", 1, [], [ev], "PX-EKG-2",
                               "EKG tracing without a documented interpretation", _SRC_EKG, "test", indication="ekg")]
        if re.search(r"\b(?:interpreted by me|my (?:own |independent )?(?:interpretation|read)|i (?:personally )?"
                     r"(?:interpreted|read))\b", sent, re.I):
            return [Suggestion("93010", "Electrocardiogram, interpretation and report only", 1, [], [ev], "PX-EKG-3",
                               "physician interpretation of the EKG documented (facility reports the tracing)",
                               _SRC_EKG, "test", indication="ekg")]
    return []


_SRC_EKG = "CPT 93000/93005/93010; AMA CPT E/M guidelines on separately reported interpretation"


def spirometry(ctx: Ctx) -> list[Suggestion]:
    """Spirometry 94010; before and after bronchodilator 94060 (includes the bronchodilator
    treatment: 94640 is not added for it). Source: CPT 94010/94060; NCCI PTP 94060/94640."""
    for h in performed(ctx, r"\b(?:spirometry|pulmonary function testing|pfts?)\b"):
        if not ctx.office:
            return []
        text, ev = _item_text(ctx, h)
        if re.search(r"pre[- ]?(?:and|&|/)\s*post|post[- ]?bronchodilator|before and after (?:a |the )?bronchodilator", text, re.I):
            return [Suggestion("94060", "Spirometry before and after bronchodilator", 1, [], [ev], "PX-SPIRO-2",
                               "spirometry with pre- and post-bronchodilator measurements",
                               "CPT 94060", "test", indication="spirometry")]
        return [Suggestion("94010", "Spirometry", 1, [], [ev], "PX-SPIRO-1", "spirometry performed in the office",
                           "CPT 94010", "test", indication="spirometry")]
    return []


_NEB = re.compile(r"\b(?:nebuli[sz]er(?: treatments?)?|neb(?: treatments?| tx)?|nebulized|duoneb)\b", re.I)


def nebulizer(ctx: Ctx, skip: bool = False) -> list[Suggestion]:
    """Nebulizer treatment in the office: 94640 per treatment (units), with the inhalation drug
    (J7613 albuterol per mg, J7620 albuterol/ipratropium per dose). Not with 94060 (bundled).
    Source: CPT 94640; HCPCS J7613/J7620 (loaded release)."""
    if not ctx.office or skip:
        return []
    hits = performed(ctx, _NEB)
    if not hits:
        return []
    total, evs, drugs = 0, [], {}
    for h in hits:
        sent = ctx.note.sentence_text(h.sent)
        n = count_in(sent, r"(?:nebuli[sz]er|neb|treatment|duoneb)s?") or (
            3 if re.search(r"back[- ]to[- ]back|stacked", sent, re.I) and not re.search(r"\bx\s?2|two", sent, re.I) else 1)
        total += n
        evs.append(h.evidence(ctx.note))
        for code, units, words, _rule in drug_lines(sent, ctx.hcpcs):
            if code.startswith("J76"):
                d = drugs.setdefault(code, [0, words])
                d[0] += units * n
    out = [Suggestion("94640", "Inhalation treatment (nebulizer)", total, [], evs, "PX-NEB-1",
                      f"{total} nebulizer treatment(s) given in the office", "CPT 94640", "procedure",
                      indication="neb")]
    for code, (units, words) in drugs.items():
        out.append(Suggestion(code, f"Inhalation drug: {words}", units, [], evs[:1], "PX-DRUG-2",
                              f"{words} per treatment x{total}", _SRC_DRUG, "drug"))
    return out


# ------------------------------------------------------------------------- vaccines
# name pattern, product code, our label, components (for 90461), kind (flu/pneumo/hepb/other), route
VACCINES = [
    (r"high[- ]dose (?:influenza|flu)|fluzone high[- ]dose", "90662", "Influenza vaccine, high dose", 1, "flu", "inj"),
    (r"flumist|intranasal (?:influenza|flu)", "90660", "Influenza vaccine, live, intranasal", 1, "flu", "nasal"),
    (r"influenza,? high[- ]dose|flu,? high[- ]dose", "90662", "Influenza vaccine, high dose", 1, "flu", "inj"),
    (r"influenza|flu(?: shot| vaccine)?\b", "90656", "Influenza vaccine, trivalent, preservative free", 1, "flu", "inj"),
    (r"tdap|boostrix|adacel", "90715", "Tdap vaccine", 3, "other", "inj"),
    (r"\btd\b|tetanus[- ]diphtheria|tenivac", "90714", "Td vaccine", 2, "other", "inj"),
    (r"pentacel", "90698", "DTaP-IPV/Hib vaccine", 5, "other", "inj"),
    (r"pediarix", "90723", "DTaP-HepB-IPV vaccine", 5, "other", "inj"),
    (r"kinrix|quadracel", "90696", "DTaP-IPV vaccine", 4, "other", "inj"),
    (r"dtap|daptacel|infanrix", "90700", "DTaP vaccine", 3, "other", "inj"),
    (r"ipv|polio|ipol", "90713", "Poliovirus vaccine, inactivated", 1, "other", "inj"),
    (r"proquad|mmrv", "90710", "MMRV vaccine", 4, "other", "inj"),
    (r"mmr|measles", "90707", "MMR vaccine", 3, "other", "inj"),
    (r"varicella|varivax|chickenpox", "90716", "Varicella vaccine", 1, "other", "inj"),
    (r"shingrix|zoster|shingles vaccine", "90750", "Zoster vaccine, recombinant", 1, "other", "inj"),
    (r"prevnar ?20|pcv ?20", "90677", "Pneumococcal conjugate vaccine, 20-valent", 1, "pneumo", "inj"),
    (r"vaxneuvance|pcv ?15", "90671", "Pneumococcal conjugate vaccine, 15-valent", 1, "pneumo", "inj"),
    (r"prevnar ?13|pcv ?13", "90670", "Pneumococcal conjugate vaccine, 13-valent", 1, "pneumo", "inj"),
    (r"pneumovax|ppsv ?23", "90732", "Pneumococcal polysaccharide vaccine, 23-valent", 1, "pneumo", "inj"),
    (r"hepatitis b|hep b|engerix|recombivax|heplisav", "HEPB", "Hepatitis B vaccine", 1, "hepb", "inj"),
    (r"hepatitis a|hep a|havrix|vaqta", "HEPA", "Hepatitis A vaccine", 1, "other", "inj"),
    (r"gardasil|hpv", "90651", "HPV vaccine, 9-valent", 1, "other", "inj"),
    (r"menveo|menactra|menquadfi|menacwy|meningococcal conjugate|mcv4", "90734", "Meningococcal conjugate vaccine (MenACWY)", 1, "other", "inj"),
    (r"bexsero", "90620", "Meningococcal B vaccine (2-dose)", 1, "other", "inj"),
    (r"trumenba", "90621", "Meningococcal B vaccine (3-dose)", 1, "other", "inj"),
    (r"hib|acthib|pedvaxhib", "90648", "Hib vaccine", 1, "other", "inj"),
    (r"rotavirus|rotateq|rotarix", "90680", "Rotavirus vaccine, oral", 1, "other", "oral"),
]
_VACC_CUE = re.compile(r"\b(?:given|administered|received today|injected|vis (?:given|provided))\b", re.I)
_SRC_VAX = ("CPT immunization administration 90460/90461 (under 19 with physician/QHP counseling), "
            "90471-90474 otherwise; Medicare G0008/G0009/G0010 for influenza, pneumococcal, hepatitis B "
            "(CMS Pub. 100-04 ch. 18 §10)")


def vaccines(ctx: Ctx) -> list[Suggestion]:
    rx = re.compile(r"\b(?:" + "|".join(v[0] for v in VACCINES) + r")\b", re.I)
    found: list[tuple] = []
    evs: list[Evidence] = []
    for h in performed(ctx, rx, need_done=False):
        sent = ctx.note.sentence_text(h.sent)
        if not _VACC_CUE.search(sent) or re.search(r"\b(?:declined|refused|up to date|next visit|due at)\b", sent, re.I):
            continue
        spans: list[tuple[int, int]] = []
        for pat, code, lab, comp, kind, route in VACCINES:
            for m in re.finditer(r"\b(?:" + pat + r")\b", sent, re.I):
                if any(m.start() < e and s < m.end() for s, e in spans):
                    continue
                spans.append((m.start(), m.end()))
                if any(f[2] == code for f in found) and code not in ("HEPB", "HEPA"):
                    continue
                found.append((m.start() + 0, m.end(), code, lab, comp, kind, route, h.sent))
        evs.append(h.evidence(ctx.note))
    if not found:
        return []
    young = ctx.age is not None and ctx.age < 19
    counsel = bool(re.search(r"\b(?:i |physician |provider |we )?counsel(?:ed|ing)\b[^.]{0,80}"
                             r"(?:vaccin|immuniz|risks|benefits|vis|side effects)|"
                             r"(?:vaccin|immuniz)[^.]{0,60}counsel(?:ed|ing)", ctx.note.text, re.I))
    out: list[Suggestion] = []
    seen_codes: set[str] = set()
    vax = []
    for _s, _e, code, lab, comp, kind, route, _si in found:
        if code == "HEPB":
            code = "90744" if (ctx.age is not None and ctx.age < 20) else "90746"
        if code == "HEPA":
            code = "90633" if (ctx.age is not None and ctx.age < 19) else "90632"
        if code in seen_codes:
            continue
        seen_codes.add(code)
        vax.append((code, lab, comp, kind, route))
        out.append(Suggestion(code, lab, 1, [], evs[:1], "PX-VAX-1", f"{lab} administered", _SRC_VAX, "vaccine"))
    if young and counsel:
        out.append(Suggestion("90460", "Immunization administration with counseling, first component", len(vax), [],
                              evs[:1], "PX-VAX-2", f"patient under 19 and counseling documented: 90460 x{len(vax)}",
                              _SRC_VAX, "administration"))
        extra = sum(c - 1 for _, _, c, _, _ in vax)
        if extra:
            out.append(Suggestion("90461", "Immunization administration with counseling, each additional component",
                                  extra, [], evs[:1], "PX-VAX-2", f"{extra} additional component(s)", _SRC_VAX,
                                  "administration"))
        return out
    rest = []
    for _code, _lab, _comp, kind, route in vax:
        if ctx.medicare and kind in ("flu", "pneumo", "hepb"):
            g = {"flu": "G0008", "pneumo": "G0009", "hepb": "G0010"}[kind]
            out.append(Suggestion(g, f"Medicare administration of {kind} vaccine", 1, [], evs[:1], "PX-VAX-3",
                                  f"Medicare: {kind} vaccine administration is {g}", _SRC_VAX, "administration"))
        else:
            rest.append(route)
    inj = [r for r in rest if r == "inj"]
    other = [r for r in rest if r != "inj"]
    if inj:
        out.append(Suggestion("90471", "Immunization administration, first injected vaccine", 1, [], evs[:1],
                              "PX-VAX-4", "first injected vaccine", _SRC_VAX, "administration"))
        if len(inj) > 1:
            out.append(Suggestion("90472", "Immunization administration, each additional vaccine", len(inj) - 1, [],
                                  evs[:1], "PX-VAX-4", f"{len(inj) - 1} additional injected vaccine(s)", _SRC_VAX,
                                  "administration"))
    if other:
        code = "90474" if inj else "90473"
        out.append(Suggestion(code, "Immunization administration, intranasal or oral", 1, [], evs[:1], "PX-VAX-4",
                              "intranasal/oral vaccine" + (" after an injected one" if inj else ""), _SRC_VAX,
                              "administration"))
        if len(other) > 1:
            out.append(Suggestion("90474", "Immunization administration, intranasal or oral, additional",
                                  len(other) - 1, [], evs[:1], "PX-VAX-4", "additional oral/intranasal", _SRC_VAX,
                                  "administration"))
    return out
