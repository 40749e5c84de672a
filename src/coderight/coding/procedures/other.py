"""Point-of-care tests and the colonoscopy / EGD families.

Sources: CPT codes for waived tests and the CMS CLIA-waived test list (modifier QW on Medicare
claims, except codes CMS exempts: 81002, 81025, 82270, 82962, 85013, 85651);
CMS Pub. 100-04 ch. 18 §60 (colorectal cancer screening: G0121 not high risk, G0105 high risk;
screening that becomes diagnostic or therapeutic is reported with the procedure code and
modifier PT); CPT modifier 33 (preventive service) for commercial payers; NCCI PTP 45385/45380
(modifier allowed for a different lesion: XS / 59).
"""

from __future__ import annotations

import re

from .model import Suggestion
from .rules import Ctx, _item_text, performed

POC = [
    (r"rapid strep(?: test| screen)?|strep (?:test|screen)|rapid antigen strep", "87880", "Rapid strep antigen test", True),
    (r"rapid flu|rapid influenza|flu (?:a/b|a and b) (?:swab|test)|influenza (?:a/b|a and b) (?:antigen|swab|test)|flu swab", "87804",
     "Rapid influenza antigen test", True),
    (r"covid(?:-19)? (?:rapid )?antigen|rapid covid", "87811", "Rapid SARS-CoV-2 antigen test", True),
    (r"monospot|mono spot|rapid mono", "86308", "Heterophile antibody (mono) test", True),
    (r"urine dip(?:stick)?|dipstick urinalysis|ua dip|poc ua|point[- ]of[- ]care (?:ua|urinalysis)|urinalysis(?:,| by) dipstick",
     "81002", "Urinalysis by dipstick, non-automated, without microscopy", False),
    (r"urine (?:pregnancy|hcg)|upt|urine beta-?hcg", "81025", "Urine pregnancy test", False),
    (r"fingerstick (?:blood )?glucose|poc glucose|point[- ]of[- ]care glucose|accu-?chek?|glucometer reading", "82962",
     "Blood glucose by monitoring device", False),
    (r"poc (?:hemoglobin|hgb)|fingerstick (?:hemoglobin|hgb)|point[- ]of[- ]care (?:hemoglobin|hgb)|hemocue", "85018",
     "Hemoglobin, point of care", True),
    (r"poc a1c|point[- ]of[- ]care a1c|in[- ]office a1c|office a1c|a1c (?:done|performed|checked) (?:in office|today in)", "83036",
     "Hemoglobin A1c, point of care", True),
    (r"poc inr|point[- ]of[- ]care inr|fingerstick inr|coaguchek|in[- ]office inr", "85610", "Prothrombin time (INR), point of care", True),
    (r"ppd (?:placed|planted)|tuberculin skin test|tb skin test|ppd", "86580", "Tuberculin skin test", False),
    (r"hemoccult|guaiac|fecal occult blood test", "82270", "Fecal occult blood test", False),
]
_POC_CUE = re.compile(r"\b(?:rapid|poc|point[- ]of[- ]care|in[- ]office|in clinic|office|today|performed|done|"
                      r"negative|positive|result|placed|read|dip|obtained|checked|swab)\b|:", re.I)


def poc_tests(ctx: Ctx) -> list[Suggestion]:
    if not ctx.office:
        return []
    out: list[Suggestion] = []
    for pat, code, lab, waived in POC:
        for h in performed(ctx, r"\b(?:" + pat + r")\b", need_done=False, allow_hpi=True):
            sent = ctx.note.sentence_text(h.sent)
            if not _POC_CUE.search(sent) or re.search(r"\b(?:sent out|send out|reference lab|will check|ordered for)\b",
                                                      sent, re.I):
                continue
            if any(s.code == code for s in out):
                break
            units = 2 if code == "87804" and re.search(r"a\s*(?:/|and|&)\s*b", sent, re.I) else 1
            s = Suggestion(code, lab, units, [], [h.evidence(ctx.note)], "PX-POC-1",
                           f"{lab.lower()} performed in the office", "CPT lab codes; CMS CLIA waived test list (QW)",
                           "test", indication="test")
            if waived and ctx.medicare:
                s.add_modifier("QW")
            out.append(s)
            break
    return out


_COLO = re.compile(r"\bcolonoscopy\b", re.I)
_EGD = re.compile(r"\b(?:egd|esophagogastroduodenoscopy|upper endoscopy)\b", re.I)
_SCREEN = re.compile(r"\bscreening\b|\baverage[- ]risk\b|\broutine (?:colon cancer )?screen", re.I)
_HIGH_RISK = re.compile(r"\bhigh[- ]risk\b|family history of (?:colon|colorectal) (?:cancer|carcinoma)|"
                        r"(?:personal )?history of (?:adenomatous )?(?:colon )?polyps|surveillance|"
                        r"history of colorectal cancer|inflammatory bowel disease|ulcerative colitis|crohn", re.I)
_SNARE = re.compile(r"\b(?:snare|snared|polypectomy)\b", re.I)
_FORCEPS = re.compile(r"\b(?:cold (?:biopsy )?forceps|biops(?:y|ies|ied)|forceps)\b", re.I)
_HOT = re.compile(r"\bhot (?:biopsy )?forceps\b", re.I)


def _scope_text(ctx: Ctx) -> str:
    secs = [s for s in ctx.note.doc.sections if s.kind in ("procedure", "results", "assessment", "other", "preamble",
                                                             "diagnoses", "plan", "cc")]
    return " ".join(ctx.note.text[s.start:s.end] for s in secs)


def endoscopy(ctx: Ctx) -> list[Suggestion]:
    out: list[Suggestion] = []
    text = _scope_text(ctx)
    colo = performed(ctx, _COLO, need_done=False)
    colo = [h for h in colo if h.section in ("procedure", "preamble", "other", "cc", "diagnoses", "results")
            and not re.search(r"\b(?:last|prior|previous|due|recommend|repeat in|in \d+ years)\b",
                              ctx.note.sentence_text(h.sent), re.I)]
    egd = [h for h in performed(ctx, _EGD, need_done=False)
           if h.section in ("procedure", "preamble", "other", "cc", "diagnoses", "results")
           and not re.search(r"\b(?:last|prior|previous|recommend)\b", ctx.note.sentence_text(h.sent), re.I)]
    if colo:
        ev = [colo[0].evidence(ctx.note)]
        ctext = _colon_part(text)
        screening = bool(_SCREEN.search(text))
        high = bool(_HIGH_RISK.search(text))
        snare = bool(_SNARE.search(ctext))
        hot = bool(_HOT.search(ctext))
        forceps = bool(_FORCEPS.search(ctext)) and not hot
        codes: list[tuple[str, str]] = []
        if snare:
            codes.append(("45385", "Colonoscopy with removal of lesion(s) by snare"))
        if hot:
            codes.append(("45384", "Colonoscopy with removal of lesion(s) by hot biopsy forceps"))
        if forceps and not (snare and not re.search(r"\bbiops(?:y|ies|ied)\b|cold forceps", _strip_snare(ctext), re.I)):
            codes.append(("45380", "Colonoscopy with biopsy or cold forceps removal"))
        if not codes:
            if screening and ctx.medicare:
                g = "G0105" if high else "G0121"
                out.append(Suggestion(g, "Screening colonoscopy, " + ("high risk" if high else "not high risk") +
                                      " (Medicare)", 1, [], ev, "PX-COLO-1",
                                      "Medicare screening colonoscopy with no biopsy or removal", _SRC_COLO, indication=_ENDO_IND))
                return out + _egd(ctx, egd)
            s = Suggestion("45378", "Colonoscopy, diagnostic", 1, [], ev, "PX-COLO-2",
                           "screening colonoscopy (commercial: preventive modifier 33)" if screening
                           else "diagnostic colonoscopy", _SRC_COLO, indication=_ENDO_IND)
            if screening:
                s.add_modifier("33")
            out.append(s)
            return out + _egd(ctx, egd)
        for i, (code, lab) in enumerate(codes):
            s = Suggestion(code, lab, 1, [], ev, "PX-COLO-3",
                           ("screening colonoscopy turned therapeutic/diagnostic: " if screening else "") + lab.lower(),
                           _SRC_COLO, group=f"colo:{i}", site=f"lesion {i + 1}", indication=_ENDO_IND)
            if screening:
                s.add_modifier("PT" if ctx.medicare else "33")
            out.append(s)
    return out + _egd(ctx, egd)


_SRC_COLO = ("CMS Pub. 100-04 ch. 18 §60 (G0121/G0105; PT when screening becomes diagnostic); CPT modifier 33; "
             "CPT 45378-45385")


_ENDO_IND = "polyp colon sigmoid rectal screening colonoscopy egd gastritis esophagitis biopsy lesion"


def _colon_part(text: str) -> str:
    m = re.search(r"colonoscop", text, re.I)
    e = re.search(r"\b(?:egd|esophagogastroduodenoscopy|upper endoscopy)\b", text, re.I)
    if e and m and e.start() > m.start():
        return text[m.start():e.start()]
    return text[m.start():] if m else text


def _strip_snare(text: str) -> str:
    return re.sub(r"[^.]*\b(?:snare|snared|polypectomy)\b[^.]*\.", " ", text, flags=re.I)


def _egd(ctx: Ctx, hits) -> list[Suggestion]:
    if not hits:
        return []
    text = " ".join(_item_text(ctx, h)[0] for h in hits)
    proc = " ".join(ctx.note.text[s.body_start:s.end] for s in ctx.note.doc.sections if s.kind == "procedure")
    m = re.search(r"\b(?:egd|esophagogastroduodenoscopy|upper endoscopy)\b", proc, re.I)
    if m:
        c = re.search(r"colonoscop", proc[m.end():], re.I)
        text += " " + proc[m.start(): m.end() + c.start() if c else len(proc)]
    ev = [hits[0].evidence(ctx.note)]
    out = []
    if re.search(r"\b(?:snare|snared|polypectomy)\b", text, re.I):
        out.append(Suggestion("43251", "EGD with removal of lesion(s) by snare", 1, [], ev, "PX-EGD-3", "snare removal",
                              "CPT 43235-43251", indication=_ENDO_IND))
    if re.search(r"balloon dilat\w*", text, re.I):
        out.append(Suggestion("43249", "EGD with balloon dilation of the esophagus", 1, [], ev, "PX-EGD-4",
                              "balloon dilation", "CPT 43249", indication=_ENDO_IND))
    if re.search(r"\bbiops(?:y|ies|ied)\b|cold forceps", text, re.I):
        out.append(Suggestion("43239", "EGD with biopsy", 1, [], ev, "PX-EGD-2", "biopsies taken", "CPT 43239", indication=_ENDO_IND))
    if not out:
        out.append(Suggestion("43235", "EGD, diagnostic", 1, [], ev, "PX-EGD-1", "diagnostic EGD", "CPT 43235", indication=_ENDO_IND))
    return out
