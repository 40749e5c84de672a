"""Skin procedures: biopsies, destruction, skin tags, incision and drainage, wound repair.

Sources: CPT Integumentary guidelines (biopsy 11102-11107: one primary code per encounter by the
hierarchy incisional > punch > tangential, each additional lesion by its own method's add-on;
destruction 17000/17003/17004 premalignant, 17110/17111 benign; repair 12001-13153: lengths of
repairs of the same classification in the same anatomic group are added; different
classifications or groups are reported separately, the most complicated first and the others
with modifier 59); CMS: G0168 for closure with tissue adhesive only (Medicare).

>>> [(s.code, s.units) for s in repair_codes([(2.0, "forearm", "simple"), (3.0, "hand", "simple"), (1.5, "cheek", "simple")])]
[('12002', 1), ('12011', 1)]
>>> [(s.code, s.units) for s in repair_codes([(4.5, "scalp", "intermediate"), (3.5, "leg", "intermediate"), (2.0, "hand", "intermediate")])]
[('12034', 1), ('12041', 1)]
>>> [(s.code, s.units) for s in repair_codes([(9.0, "back", "complex")])]
[('13101', 1), ('13102', 1)]
"""

from __future__ import annotations

import math
import re

from ..em.note import Evidence
from .model import Suggestion
from .rules import Ctx, _item_text, count_in, laterality, performed

# ------------------------------------------------------------------------- biopsies
_BX = re.compile(r"\b(?P<m>shave|tangential|punch|incisional|saucerization|wedge)\s+(?:\w+\s+){0,2}?biops(?:y|ies)\b"
                 r"|\bbiops(?:y|ies)\b[^.;]{0,40}?\b(?P<m2>shave|tangential|punch|incisional)\b", re.I)
_BX_CODES = {"incisional": ("11106", "11107"), "punch": ("11104", "11105"), "tangential": ("11102", "11103")}
_BX_RANK = ("incisional", "punch", "tangential")
_SRC_BX = "CPT 11102-11107 biopsy guidelines (one primary code: incisional > punch > tangential)"


def biopsies(ctx: Ctx) -> list[Suggestion]:
    counts: dict[str, int] = {}
    evs: list[Evidence] = []
    for h in performed(ctx, _BX):
        if re.search(r"\bexcis", h.text, re.I):
            continue
        sent = ctx.note.sentence_text(h.sent)
        for m in _BX.finditer(sent):
            meth = (m.group("m") or m.group("m2") or "").lower()
            meth = {"shave": "tangential", "saucerization": "tangential", "wedge": "incisional"}.get(meth, meth)
            n = count_in(sent[max(0, m.start() - 40):m.end() + 40], r"(?:lesions?|sites?|biops(?:y|ies)|areas?)") or 1
            counts[meth] = counts.get(meth, 0) + n
        evs.append(h.evidence(ctx.note))
    if not counts:
        return []
    primary = next(m for m in _BX_RANK if m in counts)
    out = [Suggestion(_BX_CODES[primary][0], f"Skin biopsy, {primary}, first lesion", 1, [], evs, "PX-BX-1",
                      f"{primary} biopsy is the primary method by the CPT hierarchy", _SRC_BX, indication="lesion")]
    for meth in _BX_RANK:
        n = counts.get(meth, 0) - (1 if meth == primary else 0)
        if n > 0:
            out.append(Suggestion(_BX_CODES[meth][1], f"Skin biopsy, {meth}, each additional lesion", n, [], evs,
                                  "PX-BX-2", f"{n} additional {meth} biops{'ies' if n > 1 else 'y'}", _SRC_BX,
                                  indication="lesion"))
    return out


# ------------------------------------------------------------------------- destruction
_DESTROY = re.compile(r"\b(?:cryo\w*|liquid nitrogen|ln2|destruction|destroyed|frozen|freez\w+|curettage|"
                      r"electrodesiccation|cantharidin)\b", re.I)
_AK = re.compile(r"\b(?:actinic keratos[ie]s|aks?|premalignant)\b", re.I)
_BENIGN = re.compile(r"\b(?:warts?|verruca\w*|molluscum|seborrheic keratos[ie]s|sks?|condyloma\w*)\b", re.I)


def destruction(ctx: Ctx) -> list[Suggestion]:
    out: list[Suggestion] = []
    for h in performed(ctx, _DESTROY):
        text, ev = _item_text(ctx, h)
        sent = ctx.note.sentence_text(h.sent)
        scope = sent if (_AK.search(sent) or _BENIGN.search(sent)) else text
        if _AK.search(scope) and not any(s.code in ("17000", "17004") for s in out):
            n = count_in(scope, r"(?:actinic keratos[ie]s|aks?|lesions?|premalignant lesions?)") or 1
            if n >= 15:
                out.append(Suggestion("17004", "Destruction of premalignant lesions, 15 or more", 1, [], [ev], "PX-DES-2",
                                      f"{n} premalignant lesions destroyed (15 or more: 17004 alone)",
                                      "CPT 17000-17004", indication="actinic keratosis"))
            else:
                out.append(Suggestion("17000", "Destruction of premalignant lesion, first", 1, [], [ev], "PX-DES-1",
                                      f"{n} premalignant lesion(s) destroyed", "CPT 17000-17004",
                                      indication="actinic keratosis"))
                if n > 1:
                    out.append(Suggestion("17003", "Destruction of premalignant lesions, second through 14th, each",
                                          n - 1, [], [ev], "PX-DES-1", f"{n - 1} additional lesion(s)",
                                          "CPT 17000-17004", indication="actinic keratosis"))
        elif _BENIGN.search(scope) and not any(s.code in ("17110", "17111") for s in out):
            n = count_in(scope, r"(?:warts?|verruca\w*|lesions?|molluscum|seborrheic keratos[ie]s)") or 1
            code = "17111" if n >= 15 else "17110"
            out.append(Suggestion(code, "Destruction of benign lesions" + (", 15 or more" if n >= 15 else ", up to 14"),
                                  1, [], [ev], "PX-DES-3", f"{n} benign lesion(s) (wart/molluscum) destroyed",
                                  "CPT 17110/17111", indication="wart lesion molluscum verruca"))
    return out


def skin_tags(ctx: Ctx) -> list[Suggestion]:
    for h in performed(ctx, r"\b(?:skin tags?|acrochordons?)\b"):
        sent = ctx.note.sentence_text(h.sent)
        if not re.search(r"\b(?:remov\w+|snip\w*|excis\w+|scissors|clipped|shave)\b", sent, re.I):
            continue
        n = count_in(sent, r"(?:skin tags?|acrochordons?|lesions?|tags?)") or 1
        out = [Suggestion("11200", "Removal of skin tags, up to 15", 1, [], [h.evidence(ctx.note)], "PX-TAG-1",
                          f"{n} skin tag(s) removed", "CPT 11200/11201", indication="skin tag")]
        if n > 15:
            out.append(Suggestion("11201", "Removal of skin tags, each additional 10", math.ceil((n - 15) / 10), [],
                                  [h.evidence(ctx.note)], "PX-TAG-1", "more than 15 tags", "CPT 11200/11201"))
        return out
    return []


# ------------------------------------------------------------------------- I&D
_ID = re.compile(r"\b(?:incision and drainage|i\s?&\s?d|i and d|incised and drained|lanced)\b", re.I)


def incision_drainage(ctx: Ctx) -> list[Suggestion]:
    for h in performed(ctx, _ID):
        text, ev = _item_text(ctx, h)
        if re.search(r"hematoma", text, re.I):
            return [Suggestion("10140", "Incision and drainage of hematoma", 1, [], [ev], "PX-ID-3",
                               "hematoma drained", "CPT 10140", indication="hematoma")]
        if re.search(r"pilonidal", text, re.I):
            comp = bool(re.search(r"complicated|complex|loculat", text, re.I))
            return [Suggestion("10081" if comp else "10080", "Incision and drainage of pilonidal cyst", 1, [], [ev],
                               "PX-ID-2", "pilonidal cyst drained", "CPT 10080/10081", indication="pilonidal")]
        comp = bool(re.search(r"\bcomplicated\b|\bcomplex\b|\bmultiple abscess|\bloculations? (?:were )?(?:broken|bluntly)|"
                              r"\bextensive\b|\btwo abscess|\bcounter[- ]?incision", text, re.I))
        return [Suggestion("10061" if comp else "10060",
                           "Incision and drainage of abscess, " + ("complicated or multiple" if comp else "simple or single"),
                           1, [], [ev], "PX-ID-1", "complicated/multiple abscess" if comp else "single simple abscess",
                           "CPT 10060/10061", site="", indication="abscess paronychia furuncle boil cyst")]
    return []


# ------------------------------------------------------------------------- wound repair
SITE_WORDS = [
    ("eyelid", r"eyelids?|lids?"), ("nose", r"nose|nasal|nostril"), ("ear", r"ears?|earlobe|pinna|auricle|helix"),
    ("lip", r"lips?|vermilion"), ("mucosa", r"oral mucosa|buccal mucosa|tongue|gingiva|mucous membrane"),
    ("forehead", r"forehead|brow|eyebrow"), ("cheek", r"cheek|malar|zygoma"), ("chin", r"chin"),
    ("face", r"face|facial|temple|jaw|mandible|perioral|periorbital"),
    ("scalp", r"scalp"), ("neck", r"neck"), ("axilla", r"axilla|axillary|armpit"),
    ("genitalia", r"scrotum|scrotal|penis|penile|labia|labial|vulva"),
    ("hand", r"hand|finger|thumb|palm|palmar|knuckle|digit|fingertip"), ("foot", r"foot|toe|heel|sole|plantar"),
    ("trunk", r"chest|back|abdomen|abdominal|flank|buttock|trunk|torso"),
    ("arm", r"arm|forearm|elbow|wrist|upper extremity|shoulder"),
    ("leg", r"leg|thigh|knee|shin|calf|ankle|lower extremity|hip|pretibial"),
]
_GROUP = {
    "simple": {"scalp": "A", "neck": "A", "axilla": "A", "genitalia": "A", "trunk": "A", "arm": "A", "leg": "A",
               "hand": "A", "foot": "A", "face": "B", "forehead": "B", "cheek": "B", "chin": "B", "ear": "B",
               "eyelid": "B", "nose": "B", "lip": "B", "mucosa": "B"},
    "intermediate": {"scalp": "A", "axilla": "A", "trunk": "A", "arm": "A", "leg": "A", "neck": "B", "hand": "B",
                     "foot": "B", "genitalia": "B", "face": "C", "forehead": "C", "cheek": "C", "chin": "C",
                     "ear": "C", "eyelid": "C", "nose": "C", "lip": "C", "mucosa": "C"},
    "complex": {"trunk": "A", "scalp": "B", "arm": "B", "leg": "B", "forehead": "C", "cheek": "C", "chin": "C",
                "face": "C", "mucosa": "C", "neck": "C", "axilla": "C", "genitalia": "C", "hand": "C", "foot": "C",
                "eyelid": "D", "nose": "D", "ear": "D", "lip": "D"},
}
# (upper bound cm inclusive, code) per classification and group
_LADDER = {
    ("simple", "A"): [(2.5, "12001"), (7.5, "12002"), (12.5, "12004"), (20.0, "12005"), (30.0, "12006"), (999, "12007")],
    ("simple", "B"): [(2.5, "12011"), (5.0, "12013"), (7.5, "12014"), (12.5, "12015"), (20.0, "12016"), (30.0, "12017"),
                      (999, "12018")],
    ("intermediate", "A"): [(2.5, "12031"), (7.5, "12032"), (12.5, "12034"), (20.0, "12035"), (30.0, "12036"),
                            (999, "12037")],
    ("intermediate", "B"): [(2.5, "12041"), (7.5, "12042"), (12.5, "12044"), (20.0, "12045"), (30.0, "12046"),
                            (999, "12047")],
    ("intermediate", "C"): [(2.5, "12051"), (5.0, "12052"), (7.5, "12053"), (12.5, "12054"), (20.0, "12055"),
                            (30.0, "12056"), (999, "12057")],
}
_COMPLEX = {"A": ("13100", "13101", "13102"), "B": ("13120", "13121", "13122"), "C": ("13131", "13132", "13133"),
            "D": ("13151", "13152", "13153")}
_GROUP_NAMES = {("simple", "A"): "scalp, neck, axillae, genitalia, trunk or extremities",
                ("simple", "B"): "face, ears, eyelids, nose, lips or mucous membranes",
                ("intermediate", "A"): "scalp, axillae, trunk or extremities (not hands/feet)",
                ("intermediate", "B"): "neck, hands, feet or genitalia",
                ("intermediate", "C"): "face, ears, eyelids, nose, lips or mucous membranes",
                ("complex", "A"): "trunk", ("complex", "B"): "scalp, arms or legs",
                ("complex", "C"): "forehead, cheeks, chin, mouth, neck, axillae, genitalia, hands or feet",
                ("complex", "D"): "eyelids, nose, ears or lips"}
_RANK = {"complex": 0, "intermediate": 1, "simple": 2}
_SRC_REP = "CPT Repair (Closure) guidelines: sum lengths by classification and anatomic group; 59 on the less complicated"


def repair_codes(lacs: list[tuple[float, str, str]], evidence: list[Evidence] | None = None) -> list[Suggestion]:
    """Codes for repairs [(length cm, site, classification)]: summed per classification and group."""
    sums: dict[tuple[str, str], float] = {}
    sites: dict[tuple[str, str], list[str]] = {}
    for length, site, kind in lacs:
        if kind == "complex" and length <= 1.0:
            kind = "intermediate"  # complex repair of 1.0 cm or less: report simple or intermediate (CPT)
        site = site if site in _GROUP[kind] else (site_of(site) or site)
        g = _GROUP[kind].get(site)
        if g is None:
            continue
        sums[(kind, g)] = round(sums.get((kind, g), 0.0) + length, 1)
        sites.setdefault((kind, g), []).append(site)
    out: list[Suggestion] = []
    for (kind, g), total in sorted(sums.items(), key=lambda kv: (_RANK[kv[0][0]], -kv[1])):
        why = f"{kind} repair, {total:g} cm summed in the group {_GROUP_NAMES[(kind, g)]}"
        grp = f"repair:{kind}:{g}"
        if kind == "complex":
            first, second, add = _COMPLEX[g]
            code = first if total <= 2.5 else second
            out.append(Suggestion(code, f"Complex repair, {_GROUP_NAMES[(kind, g)]}", 1, [], list(evidence or []),
                                  "PX-LAC-1", why, _SRC_REP, site=",".join(sites[(kind, g)]), group=grp,
                                  indication="laceration wound"))
            if total > 7.5:
                out.append(Suggestion(add, "Complex repair, each additional 5 cm", math.ceil((total - 7.5) / 5 - 1e-9),
                                      [], list(evidence or []), "PX-LAC-1", f"{total:g} cm: beyond 7.5 cm in 5 cm steps",
                                      _SRC_REP, site=",".join(sites[(kind, g)]), group=grp, indication="laceration"))
            continue
        code = next(c for ub, c in _LADDER[(kind, g)] if total <= ub + 1e-9)
        out.append(Suggestion(code, f"{kind.capitalize()} repair, {_GROUP_NAMES[(kind, g)]}", 1, [],
                              list(evidence or []), "PX-LAC-1", why, _SRC_REP, site=",".join(sites[(kind, g)]),
                              group=grp, indication="laceration wound"))
    return out


_CM = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?:-\s*)?(?:cm|centimeters?)\b", re.I)
_LAC = re.compile(r"\b(?:lacerations?|lacs?|wounds?|repair(?:ed)?|closed|closure|sutur\w+|staple\w*|dermabond|"
                  r"tissue adhesive|skin adhesive)\b", re.I)
_INTERMEDIATE = re.compile(r"\b(?:intermediate|layered closure|layered repair|two[- ]layer|2[- ]layer|deep (?:dermal )?sutures?|"
                           r"subcutaneous (?:tissue )?(?:closed|sutures?|layer)|deep layer|buried|subcuticular|"
                           r"(?:vicryl|monocryl)|extensive (?:cleaning|irrigation|removal of (?:debris|particulate)))\b", re.I)
_COMPLEXW = re.compile(r"\b(?:complex repair|complex closure|debridement of (?:the )?wound edges|wound edges (?:were )?debrided|"
                       r"extensive undermining|retention sutures|stent|scar revision)\b", re.I)
_ADHESIVE = re.compile(r"\b(?:dermabond|tissue adhesive|skin adhesive|skin glue|glue)\b", re.I)
_STERI = re.compile(r"\b(?:steri-?strips?|adhesive strips)\b", re.I)


def site_of(text: str) -> str | None:
    for name, words in SITE_WORDS:
        if re.search(r"\b(?:" + words + r")s?\b", text, re.I):
            return name
    return None


def lacerations(ctx: Ctx) -> list[Suggestion]:
    note = ctx.note
    lacs: list[tuple[float, str, str]] = []
    evs: list[Evidence] = []
    adhesive_only = True
    has_proc = any(s.kind == "procedure" for s in note.doc.sections)
    for h in performed(ctx, _CM, need_done=False):
        sent = note.sentence_text(h.sent)
        if not _LAC.search(sent) or re.search(r"\b(?:abscess|induration|erythema|mass|lesion|nodule|cyst|"
                                               r"polyp|margin|biopsy)\b", sent, re.I):
            continue
        if not has_proc and not re.search(r"repair|closed|sutur|staple|dermabond|adhesive", sent, re.I):
            continue
        text, ev = _item_text(ctx, h)
        proc_text = " ".join(note.text[s.body_start:s.end] for s in note.doc.sections if s.kind == "procedure")
        for m in _CM.finditer(sent):
            piece = sent[max(0, m.start() - 60):m.end() + 60]
            # the site nearest the length, in the same clause
            clause = re.split(r"[;]|\band\b(?=\s+(?:a\s+)?\d)", sent[max(0, m.start() - 80):])[0]
            site = site_of(sent[m.end():m.end() + 50]) or site_of(clause) or site_of(piece) or site_of(text)
            if site is None:
                continue
            scope = text if len(re.findall(_CM, text)) <= 1 else piece + " " + text
            if _COMPLEXW.search(piece) or (_COMPLEXW.search(scope) and len(_CM.findall(text)) <= 1):
                kind = "complex"
            elif _INTERMEDIATE.search(piece) or (_INTERMEDIATE.search(scope) and not re.search(r"simple", piece, re.I)):
                kind = "intermediate"
            elif not _INTERMEDIATE.search(piece) and _INTERMEDIATE.search(proc_text) and len(_CM.findall(proc_text)) <= 1:
                kind = "intermediate"
            else:
                kind = "simple"
            if _STERI.search(piece) and not re.search(r"sutur|staple|dermabond|adhesive|glue", piece, re.I):
                continue
            if not _ADHESIVE.search(piece + " " + text) or re.search(r"sutur|staple", piece, re.I):
                adhesive_only = False
            lacs.append((float(m.group("n")), site, kind))
        evs.append(ev)
    if not lacs:
        return []
    if ctx.medicare and adhesive_only and all(k == "simple" for _, _, k in lacs):
        return [Suggestion("G0168", "Wound closure with tissue adhesive only (Medicare)", 1, [], evs, "PX-LAC-2",
                           "Medicare: closure with tissue adhesive only is reported with G0168",
                           "CMS HCPCS G0168; Pub. 100-04 ch. 12", indication="laceration wound")]
    return repair_codes(lacs, evs)


# ------------------------------------------------------------------------- splints
_SPLINT = re.compile(r"\b(?:splint(?:ed|ing)?|spica|sugar[- ]tong|ulnar gutter|radial gutter|stirrup|posterior slab)\b", re.I)
SPLINTS = [
    (r"finger|buddy|digit|mallet|alumafoam", "29130", "Finger splint, static", None),
    (r"long arm|above[- ]elbow", "29105", "Long arm splint", "long arm"),
    (r"long leg|above[- ]knee", "29505", "Long leg splint", "long leg"),
    (r"short leg|posterior (?:leg|ankle|slab)|ankle stirrup|stirrup|below[- ]knee|lower leg|ankle|foot", "29515",
     "Short leg splint", "short leg"),
    (r"short arm|volar|wrist|forearm|sugar[- ]tong|ulnar gutter|radial gutter|thumb spica|cock[- ]up|hand", "29125",
     "Short arm splint, static", "short arm"),
]
_SRC_SPLINT = ("CPT 29105-29515 (splint application; not with fracture care of the same site); HCPCS Q4001-Q4051 "
               "cast/splint supplies (Medicare, non-facility)")


def splints(ctx: Ctx) -> list[Suggestion]:
    out: list[Suggestion] = []
    for h in performed(ctx, _SPLINT):
        sent = ctx.note.sentence_text(h.sent)
        if re.search(r"\b(?:prefabricated|prefab|off[- ]the[- ]shelf|brace|dispensed)\b", sent, re.I):
            continue
        if not re.search(r"\b(?:applied|placed|application|fitted|molded|splinted|immobilized|put in)\b", sent, re.I) \
                and h.section != "procedure":
            continue
        text, ev = _item_text(ctx, h)
        for words, code, lab, supply in SPLINTS:
            if re.search(r"\b(?:" + words + r")s?\b", sent, re.I) or re.search(r"\b(?:" + words + r")s?\b", text, re.I):
                if any(s.code == code for s in out):
                    break
                lat = laterality(sent) or laterality(text)
                out.append(Suggestion(code, lab, 1, [], [ev], "PX-SPLINT-1", f"{lab.lower()} applied", _SRC_SPLINT,
                                      laterality=lat, indication="fracture sprain injury splint"))
                if supply and ctx.office and ctx.medicare and ctx.hcpcs is not None:
                    q = splint_supply(ctx, supply, sent + " " + text)
                    if q:
                        out.append(Suggestion(q, f"Splint supplies, {supply}", 1, [], [ev], "PX-SPLINT-2",
                                              "splint supplies in the office (non-facility)", _SRC_SPLINT, "supply"))
                break
    return out


def splint_supply(ctx: Ctx, kind: str, text: str) -> str | None:
    """The Q-code for the splint supply, looked up by its HCPCS description (kind, age, material)."""
    adult = ctx.age is None or ctx.age >= 11
    material = "plaster" if re.search(r"plaster", text, re.I) else "fiberglass"
    want = f"cast supplies, {kind} splint, {'adult' if adult else 'pediatric'}"
    hc = ctx.hcpcs
    for code in hc.codes():
        if code.startswith("Q40"):
            d = (hc.description(code) or "").lower()
            if d.startswith(want) and d.endswith(material):
                return code
    return None
