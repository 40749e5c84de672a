"""ICD-10-CM conventions and guidelines, one small unit each (ICD-10-CM Official Guidelines for
Coding and Reporting FY2026). A unit reads the candidate codes of one encounter and changes them;
each names its guideline section in `Candidate.guideline` so a coder sees why.

Units (in the order `apply_all` runs them):
- `combine_with`            I.A.15 "With": index "with" subterms join two documented conditions
                            (diabetes with CKD → E11.22, keeps N18.x by the use-additional note)
- `hypertension_combos`     I.C.9.a.1–3 hypertension with heart disease / CKD → I11 / I12 / I13
- `drop_integral_symptoms`  I.B.4–5, IV.D signs and symptoms integral to a confirmed diagnosis
- `resolve_excludes1`       I.A.12.a Excludes1: the two codes are never reported together
- `sequence_code_first`     I.A.13 etiology / manifestation: "code first" / "use additional code"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..nlp.abbreviations import EXPANSIONS
from ..nlp.document import Mention
from ..nlp.lexicon import words

SYMPTOM_PREFIXES = ("R",)
# Which confirmed diagnoses make a symptom integral (I.B.5: "routinely associated with the disease
# process"): symptom code prefix → code prefixes of the diseases that routinely present it. The
# association is disease-specific, not body-system-wide: tachycardia is not part of hypertension,
# hematuria not of chronic kidney disease or BPH, fever not of emphysema or respiratory failure.
# Neurologic deficits of an acute stroke (aphasia, facial weakness, coma, dizziness) are coded
# with it (I.C.9.d; the deficits are not integral), and coma scale codes go with a head injury
# (I.C.18.e). Fatigue goes with heart failure; dysphagia and local edema with pharyngitis,
# tonsillitis and peritonsillar abscess.
INTEGRAL: dict[str, tuple[str, ...]] = {
    "R00": ("I47", "I48", "I49", "I20", "I21", "I50"), "R01": ("I34", "I35", "I36", "I37", "I05", "I06", "I07", "I08"),
    "R03": ("I10", "I11", "I12", "I13", "I15", "I16"), "R04": ("J", "I26"),
    "R05": ("J", "U07"), "R06": ("J", "I50", "I20", "I21", "I22", "I26", "I27", "I48", "U07"),
    "R07": ("I20", "I21", "I22", "I24", "I30", "J18", "J93", "J90", "K21", "I26"),
    "R09": ("J",),
    "R10": ("K", "N20", "N21", "N23", "N10", "N30", "N39.0", "O", "A08", "A09"),
    "R11": ("K", "A08", "A09", "G43", "O21", "H81"), "R12": ("K21", "K20"), "R13": ("K20", "K21", "K22", "J02", "J03", "J36"),
    "R14": ("K",), "R15": ("K",), "R17": ("K7", "B15", "B16", "B17", "B19", "K80", "K83"),
    "R18": ("K70", "K74", "K76.6"), "R19": ("K", "A0"),
    "R20": ("G5", "G6", "E08.4", "E10.4", "E11.4", "E13.4", "G35"), "R21": ("L", "B0"),
    "R22": ("L", "D17", "D18"), "R23": ("L",),
    "R25": ("G20", "G21", "G25"), "R26": ("G20", "G21", "G35", "M16", "M17", "S72", "S82"),
    "R27": ("G11",), "R29": ("G",),
    "R30": ("N30", "N34", "N39.0", "N41", "A54", "A56"), "R31": ("N20", "N21", "N30", "N39.0", "N00", "N01",
                                                                  "N02", "N03", "N05"),
    "R32": ("N39.3", "N39.4"), "R33": ("N40",), "R35": ("N40", "E10", "E11", "E23.2"),
    "R39": ("N40", "N30", "N39.0", "N41"),
    "R40": ("G93.4", "E10.64", "E11.64"), "R41": ("F0", "G30", "G31", "G93.4"), "R42": ("H81", "H83"),
    "R44": ("F20", "F29", "F31", "F32.3", "F33.3", "F10.95", "F10.15", "F10.25"), "R45": ("F",),
    "R50": ("A", "B", "J0", "J10", "J11", "J12", "J13", "J14", "J15", "J16", "J17", "J18", "J20", "J21",
            "J22", "J85", "J86", "N39.0", "N10", "N30", "L0", "U07", "K35", "K57.2", "K65", "K81", "K83.0",
            "I33", "M86", "M00", "G00", "G03", "G04", "G06", "A41", "T81.4"),
    "R51": ("G43", "G44", "S06.0"), "R52": ("M", "S"),
    "R53": ("D5", "D60", "D61", "D62", "D63", "D64", "E03", "F32", "F33", "I50", "I11.0", "I13.0", "I13.2"),
    "R55": ("I45", "I47", "I49"), "R56": ("G40",), "R59": ("C81", "C82", "C83", "C84", "C85", "C88", "C91"),
    "R60": ("I50", "N04", "I87", "I89", "I81", "J02", "J03", "J36"), "R63": ("F50", "E40", "E41", "E42", "E43", "E44", "E46"),
    "R73": ("E08", "E09", "E10", "E11", "E13"), "R79": ("D68", "E83"),
    "M25.5": ("M0", "M1", "M2", "M6", "M7", "M8", "S"), "M79.6": ("M", "S", "I7", "I8"), "M54": ("M4", "M5", "S3"),
    "M79.1": ("M",), "G89": ("M", "S", "C"),
}


@dataclass
class Candidate:
    code: str
    title: str = ""
    mentions: list[Mention] = field(default_factory=list)
    rationale: list[str] = field(default_factory=list)
    guideline: list[str] = field(default_factory=list)
    path: tuple[str, ...] = ()
    status: str = "affirmed"
    open_axes: dict[str, list[str]] = field(default_factory=dict)
    base_code: str = ""
    drop: str = ""
    """Why this candidate is not reported (empty: reported)."""
    origin: str = "mention"
    """mention, combination, history, family."""
    weight: float = 0.0
    first: int = 10**9

    @property
    def is_symptom(self) -> bool:
        return self.code.startswith(SYMPTOM_PREFIXES) or any(
            self.code.startswith(p) for p in ("M25.5", "M79.6", "M54", "M79.1", "G89"))


def live(cands: list[Candidate]) -> list[Candidate]:
    return [c for c in cands if not c.drop]


# --------------------------------------------------------------------------------------- units
def combine_with(cands: list[Candidate], lx, tab, words_of) -> None:
    """I.A.15 "With": the classification presumes a causal relationship between two conditions
    linked by "with" in the Alphabetic Index, even without provider linkage, unless the note
    says they are unrelated. Walk each condition's index entry → "with" → the other condition;
    a code of the same category replaces the first; the second stays only when the combination's
    "use additional code" / "code first" / "code also" notes ask for it.

    Fails:  "type 2 diabetes … CKD stage 3a" coded E11.9 + N18.31
    Passes: E11.22 + N18.31 (E11.22: use additional code to identify stage of CKD, N18.1-N18.6)
    """
    from ..codesets.icd10cm import parse_refs

    cl = live(cands)
    wcache: dict[int, frozenset] = {}
    for a in cl:
        if a.drop or a.status != "affirmed" or not a.mentions or a.origin != "mention":
            continue
        node = next((m.node for m in a.mentions if m.node >= 0), -1)
        if node < 0 or not any(lx.node_title[c].strip().lower() in ("with", "due to", "in")
                               for c in lx.node_children.get(node, ())):
            continue
        for b in cl:
            if b is a or b.drop or b.status not in ("affirmed", "historical") or b.code[:3] == a.code[:3]:
                continue
            target = wcache.get(id(b))
            if target is None:
                target = wcache[id(b)] = words_of(b)
            found = _walk_with(lx, node, target)
            if found and found[:3] != a.code[:3].rstrip("-"):
                found = None
            if not found and _linked(a, b):
                # "X due to / secondary to Y": the provider's link selects the index's "due to"
                # or "in" subterm, whose code may sit in another category (Anemia, in, chronic
                # kidney disease D63.1)
                found = _walk_with(lx, node, target, "due to") or _walk_with(lx, node, target, "in")
            if not found or found == a.code:
                continue
            full = found.rstrip("-")
            if tab.find(full) is None:
                continue
            old = a.code
            a.base_code = a.base_code or old
            a.code = full
            a.title = tab.get(full).title
            a.origin = "combination"
            a.mentions = a.mentions + [m for m in b.mentions if m not in a.mentions][:2]
            a.guideline.append("I.A.15 'with' presumes a causal relationship")
            a.rationale.append(f"index: {' , '.join(lx.path(node))}, with, {b.title or b.code} → {full} (was {old})")
            notes = tab.effective_notes(full, ("useAdditionalCode", "codeFirst", "codeAlso")) if tab.find(full) else []
            keep = any(r.covers(b.code) for n in notes for r in parse_refs(n.text))
            if not keep:
                b.drop = f"included in combination code {full}"
            else:
                b.rationale.append(f"reported with {full}: its tabular note asks for it")
            break


_CAUSAL = frozenset({"due to", "secondary to", "caused by", "resulting from", "attributed to", "because of"})


def _linked(a: Candidate, b: Candidate) -> bool:
    """The note links a's mention to b's by a causal phrase in one sentence ("cardiomyopathy due
    to alcohol", "anemia secondary to CKD"): the index's "due to" subterms apply (I.A.15 does
    not presume these; the provider's link does)."""
    ids = {id(m) for m in b.mentions}
    for m in a.mentions:
        doc_links = getattr(m, "links", ())
        for rel, _k in doc_links:
            if rel in _CAUSAL:
                return bool(ids) and any(bm.sent == m.sent and bm.start > m.start for bm in b.mentions)
    return False


def _walk_with(lx, node: int, target: frozenset, conn: str = "with") -> str | None:
    for c in lx.node_children.get(node, ()):
        t = lx.node_title[c].strip().lower()
        if t != conn:
            continue
        best, best_n = None, 0
        for g in lx.node_children.get(c, ()):
            ws = lx.node_words[g]
            if ws and ws <= target and len(ws) > best_n and lx.node_code[g]:
                best, best_n = lx.node_code[g], len(ws)
        if best:
            return best
    return None


def hypertension_combos(cands: list[Candidate], tab) -> None:
    """I.C.9.a Hypertension with heart disease (I11), with chronic kidney disease (I12), or with
    both (I13): the classification presumes the causal link. Heart failure and CKD stage are
    reported in addition (I50.-, N18.-).

    Fails:  hypertension, heart failure and CKD 3a coded I10 + I50.9 + N18.31
    Passes: I13.0 + I50.9 + N18.31
    """
    cl = live(cands)
    htn = [c for c in cl if c.code == "I10" and c.status == "affirmed"]
    if not htn:
        return
    hf = [c for c in cl if c.code.startswith("I50") and c.status == "affirmed"]
    heart = [c for c in cl if c.code.startswith(("I51.4", "I51.5", "I51.7", "I51.89", "I51.9")) and c.status == "affirmed"]
    ckd = [c for c in cl if (c.code.startswith("N18") or c.code == "N19") and c.status == "affirmed"]
    if not (hf or heart or ckd):
        return
    late = any(c.code in ("N18.5", "N18.6") for c in ckd)
    if (hf or heart) and ckd:
        code = ("I13.2" if late else "I13.0") if hf else ("I13.11" if late else "I13.10")
    elif hf or heart:
        code = "I11.0" if hf else "I11.9"
    else:
        code = "I12.0" if late else "I12.9"
    h = htn[0]
    h.base_code = h.code
    h.code = code
    h.title = tab.get(code).title
    h.origin = "combination"
    h.guideline.append("I.C.9.a hypertension with heart disease and/or chronic kidney disease")
    h.rationale.append(f"I10 → {code}: hypertension documented with "
                       + " and ".join(x for x, on in (("heart failure", hf), ("heart disease", heart and not hf),
                                                       ("chronic kidney disease", ckd)) if on))
    for c in hf + ckd:
        c.rationale.append(f"reported with {code} (use additional code)")
    for c in heart:
        c.drop = f"included in {code}"
    for other in htn[1:]:
        other.drop = f"duplicate of {code}"


def drop_integral_symptoms(cands: list[Candidate]) -> None:
    """I.B.5 / IV.D: signs and symptoms routinely associated with a confirmed diagnosis are not
    coded; a symptom is coded only when no confirmed diagnosis of its body system explains it.

    Fails:  cough + pneumonia (confirmed) coded R05.9 + J18.9
    Passes: J18.9 only
    """
    cl = live(cands)
    confirmed = [c for c in cl if not c.is_symptom and c.status in ("affirmed", "uncertain") and c.code[0] not in "ZVWXY"]
    for s in cl:
        if not s.is_symptom:
            continue
        rel = None
        for key in sorted(INTEGRAL, key=len, reverse=True):
            if s.code.startswith(key):
                rel = INTEGRAL[key]
                break
        if rel is None:
            continue
        for d in confirmed:
            if d.code.startswith(rel):
                s.drop = f"integral to confirmed {d.code}"
                s.guideline.append("I.B.5 signs and symptoms integral to a confirmed diagnosis")
                break


_SIDES = ("right", "left")
_PAIN_SITE = re.compile(r"^(?:pain in|low) (?:(right|left|unspecified) )?([a-z ]+?)(?: pain)?(?:, unspecified)?$")


def _site_side(title: str) -> tuple[str, str | None] | None:
    """("knee", "right") for "Pain in right knee"; ("back", None) for "Low back pain, unspecified"."""
    m = _PAIN_SITE.match(title.lower())
    if not m:
        return None
    side = m.group(1) if m.group(1) in _SIDES else None
    return m.group(2).split()[-1], side


def _title_side(title: str) -> str | None:
    ws = set(words(title.lower()))
    got = [x for x in _SIDES if x in ws]
    return got[0] if len(got) == 1 else None


def drop_site_symptoms(cands: list[Candidate]) -> None:
    """I.B.5 and I.A.9 for one body site: pain of a site is integral to a confirmed condition or
    injury of the same site and side ("right foot pain" with a dislocation of the right foot's
    tarsometatarsal joint; "knee pain" with a medial meniscus tear of the right knee), and an
    "Unspecified injury of <site>" code goes when a specific injury of that site and side is coded.

    Fails:  M79.671 + S93.324A; S89.91XA (knee injury) + S83.521A (PCL sprain, right knee)
    Passes: S93.324A; S83.521A
    """
    cl = [c for c in live(cands) if c.status in ("affirmed", "uncertain")]
    confirmed = [c for c in cl if not c.is_symptom and c.code[0] not in "ZVWXYR"]
    for s in cl:
        if s.is_symptom and s.code.startswith(("M25.5", "M79.6", "M54")):
            got = _site_side(s.title)
            if got is None:
                continue
            site, side = got
            for d in confirmed:
                ws = set(words(d.title.lower()))
                dside = _title_side(d.title)
                if site in ws and (side is None or dside in (None, side)):
                    s.drop = f"integral to confirmed {d.code} (same site)"
                    s.guideline.append("I.B.5 signs and symptoms integral to a confirmed diagnosis")
                    break
        elif s.code.startswith("S") and s.title.lower().startswith("unspecified injury of"):
            side = _title_side(s.title)
            for d in confirmed:
                if (d is not s and d.code.startswith("S") and d.code[1] == s.code[1]
                        and not d.title.lower().startswith("unspecified injury")
                        and (side is None or _title_side(d.title) in (None, side))):
                    s.drop = f"unspecified injury: {d.code} of the same site is documented"
                    s.guideline.append("I.A.9 / I.B.1 unspecified only when nothing more specific is documented")
                    for m in s.mentions:
                        if m not in d.mentions:
                            d.mentions.append(m)
                    break


def resolve_excludes1(cands: list[Candidate], tab) -> None:
    """I.A.12.a Excludes1: two conditions that never occur together are not coded together; keep
    the more specific (not 'unspecified', not a symptom, longer code), else the earlier one.

    Fails:  E11.9 and E10.9 on one claim (E11 Excludes1 E10)
    Passes: one of them
    """
    cl = live(cands)
    for i, a in enumerate(cl):
        if a.drop:
            continue
        for b in cl[i + 1:]:
            if b.drop or a.drop:
                continue
            note = _excludes1(tab, a.code, b.code) or _excludes1(tab, b.code, a.code)
            if note is None:
                continue
            loser = min((a, b), key=_specificity)
            winner = b if loser is a else a
            loser.drop = f"Excludes1 with {winner.code} ({note.origin}: {note.text})"
            loser.guideline.append("I.A.12.a Excludes1")


_EX1: dict[tuple[int, str], tuple] = {}


def _excludes1(tab, a: str, b: str):
    """The Excludes1 note of `a` (own or inherited) that covers `b` (refs parsed once per code)."""
    key = (id(tab), a)
    got = _EX1.get(key)
    if got is None:
        got = tuple((n, n.refs) for n in tab.effective_notes(a, ("excludes1",))) if tab.find(a) else ()
        if len(_EX1) > 100_000:
            _EX1.clear()
        _EX1[key] = got
    for n, refs in got:
        if any(r.covers(b) for r in refs):
            return n
    return None


def _specificity(c: Candidate) -> tuple:
    t = c.title.lower()
    return (not c.is_symptom, "unspecified" not in t, c.origin == "combination", len(c.code), -c.first)


def drop_unspecified_siblings(cands: list[Candidate]) -> None:
    """I.A.9 / I.B.1: an unspecified (NOS) code is for when no more specific information is
    documented. When the same category is also coded more specifically for the encounter (the
    same condition named twice, once with its site, type or side), the unspecified code goes.

    Fails:  "back pain … low back pain" coded M54.9 + M54.50; "joint pain … right knee pain"
            coded M25.50 + M25.561
    Passes: M54.50; M25.561
    """
    cl = [c for c in live(cands) if c.status in ("affirmed", "uncertain")]
    by_cat: dict[str, list[Candidate]] = {}
    for c in cl:
        by_cat.setdefault(c.code[:3], []).append(c)
    for group in by_cat.values():
        if len(group) < 2:
            continue
        for a in group:
            va = _vagueness(a)
            if va[0] == 0:
                continue
            heads = {ws[-1] for m in a.mentions if (ws := words(EXPANSIONS.get(m.text.lower(), m.text)))}
            better = next((b for b in group if b is not a and b.code != a.code and not b.drop
                           and _vagueness(b) < va and heads & _said(b)), None)
            if better is not None:
                a.drop = f"unspecified: {better.code} in the same category is documented"
                a.guideline.append("I.A.9 / I.B.1 unspecified only when nothing more specific is documented")
                for m in a.mentions:
                    if m not in better.mentions:
                        better.mentions.append(m)


def _said(c: Candidate) -> set[str]:
    """Words of a candidate's mentions and title: the same condition shares its head noun
    ("back pain" / "low back pain"), two symptoms of one category do not ("nausea" / "vomiting")."""
    out = set(words(c.title))
    for m in c.mentions:
        out.update(words(m.text))
        out.update(words(EXPANSIONS.get(m.text.lower(), "")))  # "CHF" says heart failure
    return out


def _vagueness(c: Candidate) -> tuple[int, int]:
    """(how many times the title says 'unspecified' or 'without complications', minus code length)."""
    t = c.title.lower()
    n = t.count("unspecified") + t.count("without complications") + t.count(" nos")
    return n, -len(c.code.replace(".", ""))


def sequence_code_first(cands: list[Candidate], tab) -> None:
    """I.A.13 Etiology/manifestation: a code with a "code first" note that names another
    reported code is sequenced after it; a "use additional code" note puts the named code after
    the one carrying the note. Sets `weight` so the ranking honours the pair."""
    from ..codesets.icd10cm import parse_refs

    cl = live(cands)
    for a in cl:
        if tab.find(a.code) is None:
            continue
        for n in tab.effective_notes(a.code, ("codeFirst",)):
            refs = parse_refs(n.text)
            for b in cl:
                if b is not a and any(r.covers(b.code) for r in refs):
                    if a.weight >= b.weight:
                        b.weight = a.weight + 0.01
                        b.first = min(b.first, a.first)
                    a.rationale.append(f"code first {b.code} ({n.origin}: code first {n.text})")
                    break
