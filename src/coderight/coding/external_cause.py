"""External cause codes for injuries (ICD-10-CM Official Guidelines FY2026, I.C.20).

An external cause code says how an injury happened (mechanism: V00–X58), what the patient was
doing (activity: Y93) and is reported *after* the injury it explains, with the injury's 7th
character (I.C.20.a.1, a.2). Codes are taken from the External Cause Index (``eindex`` book of
``codebook.icd10cm_index``) by walking it with the words the note uses around an injury event:

- ``"rear-ended in a motor vehicle accident"``   Accident, motor vehicle NOS → V89.2XXA
- ``"slipped and fell on ice"``                  Fall, same level, involving ice or snow → W00.0XXA
- ``"fell off a ladder"``                        Fall, from, off, out of, ladder → W11.XXXA
- ``"dropped a brick on his foot"``              Struck by, object, falling → W20.8XXA
- ``"playing volleyball … fell"``                Activity, volleyball → Y93.68 (initial encounter only,
                                                 I.C.20.c)

Only sentences that narrate an injury event count (a cue such as *fell, slipped, struck, ran
into, accident, injured*), negated or historical ones ("denies any injury", "history of a left
leg injury") do not, and nothing is added unless an injury code (S00–T34) is reported.

At the initial encounter only (I.C.20.b, c, k), besides the mechanism:

- activity (Y93) from the event sentence or the sentence next to it ("when she was downhill
  skiing. She ran into a tree" → Y93.23; "golfing" reads Activity, golf);
- place of occurrence (Y92) only where a place is written in those sentences ("on the sidewalk",
  "at home" → Y92.480, Y92.009), never Y92.9;
- status (Y99), once, only when documented: work ("at work", "on the job") → Y99.0; a leisure
  activity stated as such ("recreational", "for fun", "intramural") beside the activity code →
  Y99.8. A sport alone does not state the status (it may be done for pay), and Y99.9 is never
  assigned (I.C.20.k: not used when the status is not stated).

Mechanisms beyond falls and strikes: bites (Bite, dog → W54.0), overexertion (Lifting, heavy
objects → X50.0; Twisting → X50.1), collisions with a person (Fall, due to, collision with
another person → W03; Striking against, person → W51). Intent is accidental unless the note says
otherwise (I.C.20.h): assault and self-harm are not assigned.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..nlp.document import Document, Mention
from ..nlp.lexicon import words
from .conventions import Candidate

INJURY_PREFIXES = ("S", "T0", "T1", "T2", "T3")
NARRATIVE = frozenset({"hpi", "cc", "preamble", "other", "assessment", "diagnoses", "plan", "procedure"})

_EVENT = re.compile(
    r"\b(fell|falls?|falling|slipped|slipping|tripped|tripping|stumbled|struck|hit by|ran into|run into|"
    r"bumped into|collided|collision|accident|rear[- ]ended|mva|mvc|dropped|injured|injury|sustained|"
    r"landed|twisted|twisting|rolled (?:her|his|my|the) ankle|hurt|bitten|bit by|bite|lifting|lifted|"
    r"overexert(?:ed|ion)?)\b", re.I)
_NEG = re.compile(r"\b(denies|denied|no|not|never|without|negative for|history of|previous|prior|"
                  r"in the past|used to)\b", re.I)
_FALL = re.compile(r"\b(fell|falls?|falling)\b(?!\s+asleep)", re.I)
_NO_FALL = re.compile(r"\b(without falling|did not fall|didn't fall|caught (?:him|her|my|them)sel(?:f|ves)|"
                      r"(?:him|her)self from falling|not fall)\b", re.I)
_SLIP = re.compile(r"\b(slipped|slipping|slip|tripped|tripping|trip|stumbled|stumbling)\b", re.I)
_ICE = re.compile(r"\b(ice|icy|snow|snowy)\b", re.I)
_MVA = re.compile(r"\b(motor vehicle (?:accident|collision|crash)|car (?:accident|crash|wreck)|mva|mvc|"
                  r"rear[- ]ended|auto(?:mobile)? accident)\b", re.I)
_STRUCK = re.compile(r"\b(?:struck by|hit by|hit with|dropped)\s+(?:a|an|the|some|his|her|my)?\s*([a-z]+(?:[ -][a-z]+)?)", re.I)
_AGAINST = re.compile(r"\b(?:ran into|run into|bumped into|collided with|struck against|hit (?:his|her|my) "
                      r"[a-z]+ (?:on|against))\s+(?:a|an|the|some|his|her|my)?\s*([a-z]+(?:[ -][a-z]+)?)", re.I)
_PREP_NP = re.compile(r"\b(from|off(?: of)?|out of|down|in|on|onto|into|over|through)\s+(?:a|an|the|some|his|her|"
                      r"my|their)?\s*([a-z]+(?:\s+[a-z]+)?)", re.I)

_CONNECTOR = {"from": "from, off, out of", "off": "from, off, out of", "out": "from, off, out of", "down": "down",
              "in": "in, on", "on": "in, on", "onto": "in, on", "into": "into", "over": "over", "through": "through"}
_ACTIVITY_CUE = re.compile(r"\b(playing|play|while|during|when|doing|practicing|participating|competing|"
                           r"(?:was|were) [a-z]+ing)\b", re.I)
_PERSON = re.compile(r"^(?:another|other)?\s*(player|person|man|woman|boy|girl|child|kid|teammate|opponent|"
                     r"someone|somebody|defender|runner|skier)s?$", re.I)
_COLLIDE_PERSON = re.compile(r"\b(?:collided|collision|ran into|run into|bumped into|crashed into)\s+(?:with\s+)?"
                             r"(?:a|an|the|another|other|his|her|my)?\s*(?:[a-z]+\s+)?(player|person|man|woman|boy|"
                             r"girl|child|kid|teammate|opponent|someone|somebody|defender)\b", re.I)
_BITE = re.compile(r"\b(?:bitten by|bit by|bite from|attacked by)\s+(?:a|an|the|his|her|my|their|our|"
                   r"(?:a |the )?neighbou?r'?s)?\s*([a-z]+)|\b([a-z]+) bite\b", re.I)
_LIFT = re.compile(r"\b(lifting|lifted|lift)\b", re.I)
_TWIST = re.compile(r"\b(twisted|twisting|twist)\b", re.I)
_PLACE = re.compile(r"\b(?:at|in|on|inside|outside|off(?: of)?|from|onto|into|near)\s+(?:the|a|an|his|her|my|their|"
                    r"our|a friend's|the local)?\s*([a-z]+(?:[ -][a-z]+)?)", re.I)
_PLACE_SYNONYM = {"home": "residence", "house": "residence", "gym": "gymnasium", "curb": "sidewalk",
                  "kerb": "sidewalk", "apartment": "apartment"}
_WORK = re.compile(r"\b(at work|on the job|while working|at (?:his|her|my) (?:job|workplace)|work[- ]related|"
                   r"on duty|workplace)\b", re.I)
_LEISURE = re.compile(r"\b(for fun|recreational(?:ly)?|hobby|leisure|for pleasure|intramural|pickup game)\b", re.I)



class ExternalCauses:
    """External Cause Index walks for one codebook (activity table built once)."""

    def __init__(self, index, tab):
        self.index = index
        self.tab = tab
        self.activities: list[tuple[frozenset, str, str]] = []
        if index is not None:
            roots = {index.title[i]: i for i in index.roots("eindex")}
            act = roots.get("Activity")
            if act is not None:
                for c in index.children(act):
                    code = index.code[c]
                    if not code or not code.startswith("Y93"):
                        continue
                    title = re.sub(r"\([^)]*\)|\bNOS\b|\bNEC\b", " ", index.title[c])
                    ws = frozenset(words(title.split(",")[0]))
                    if ws and not ws & {"other", "activity", "activities"} and "NEC" not in index.title[c]:
                        self.activities.append((ws, code, index.title[c]))
        self._look = lru_cache(maxsize=4096)(self._lookup)

    def _lookup(self, text: str | tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
        try:
            r = (self.index.lookup(text, book="eindex") if isinstance(text, str)
                 else self.index.walk(list(text), book="eindex"))
        except Exception:  # noqa: BLE001 - an unmatched phrase is just not a mechanism
            return None
        if not r.code or not r.complete:
            return None
        return r.code.rstrip("-").rstrip("."), tuple(r.path)

    # ------------------------------------------------------------------------------ mechanisms
    def mechanism(self, s: str) -> tuple[str, tuple[str, ...], str] | None:
        """(code, index path, cue text) for the mechanism one sentence narrates, or None."""
        m = _MVA.search(s)
        if m:
            got = self._look("accident motor vehicle")
            if got:
                return got[0], got[1], m.group(0)
        fall = _FALL.search(s)
        slip = _SLIP.search(s)
        if slip and _NO_FALL.search(s):
            got = self._look(("Slipping", "without fall"))  # W18.4-: slipping, tripping, stumbling without falling
            if got:
                return got[0], got[1], slip.group(0)
        elif fall or slip:
            cue = fall or slip
            if fall and _COLLIDE_PERSON.search(s):
                got = self._look(("Fall, falling", "due to", "collision with another person"))
                if got:
                    return got[0], got[1], cue.group(0)
            for pm in _PREP_NP.finditer(s, cue.end()):
                if pm.start() - cue.end() > 40:
                    break
                conn = _CONNECTOR[pm.group(1).lower().split()[0]]
                np = pm.group(2).lower()
                if _ICE.search(np):
                    break
                for phrase in (np, np.split()[0]):
                    for c in dict.fromkeys((conn, "from, off, out of")):
                        got = self._look(("Fall, falling", c, phrase))
                        if got and len(got[1]) >= 3 and got[0][:1] in "VW":
                            return got[0], got[1], s[cue.start():pm.end()]
            if _ICE.search(s):
                got = self._look("fall same level involving ice or snow" if slip else "fall due to ice or snow")
                if got:
                    return got[0], got[1], cue.group(0)
            got = self._look("slipping") if slip else self._look("fall")
            if got:
                return got[0], got[1], cue.group(0)
        m = _STRUCK.search(s)
        if m:
            obj = m.group(1).lower().strip()
            falling = m.group(0).lower().startswith("dropped")
            for phrase in (["struck by object falling"] if falling else []) + [f"struck by {obj}",
                                                                                   f"struck by {obj.split()[0]}",
                                                                                   "struck by object"]:
                got = self._look(phrase)
                if got and got[0][:1] == "W":
                    return got[0], got[1], m.group(0)
        m = _COLLIDE_PERSON.search(s)
        if m:
            got = self._look("striking against person")
            if got:
                return got[0], got[1], m.group(0)
        m = _AGAINST.search(s)
        if m:
            obj = m.group(1).lower().strip()
            for phrase in (f"striking against {obj}", f"striking against {obj.split()[0]}", "striking against object"):
                got = self._look(phrase)
                if got and got[0][:1] == "W":
                    return got[0], got[1], m.group(0)
        m = _BITE.search(s)
        if m:
            animal = (m.group(1) or m.group(2) or "").lower()
            got = self._look(("Bite, bitten by", animal.rstrip("s") if animal.endswith("s") else animal))
            if got and got[0][:1] == "W":
                return got[0], got[1], m.group(0)
        m = _LIFT.search(s)
        if m:
            got = self._look(("Lifting", "heavy objects"))
            if got:
                return got[0], got[1], m.group(0)
        m = _TWIST.search(s)
        if m:
            got = self._look("twisting")
            if got and got[0].startswith("X50"):
                return got[0], got[1], m.group(0)
        return None

    def place(self, s: str) -> tuple[str, tuple[str, ...], str] | None:
        """Place of occurrence (Y92) a sentence writes ("on the sidewalk", "at home"); never Y92.9."""
        for m in _PLACE.finditer(s):
            np = m.group(1).lower().replace("-", " ").split()
            for phrase in ([" ".join(np)] if len(np) > 1 else []) + [np[0]]:
                key = _PLACE_SYNONYM.get(phrase, phrase)
                got = self._look(("Place of occurrence", key))
                if not got or not got[0].startswith("Y92") or got[0] == "Y92.9" or len(got[1]) < 2:
                    continue
                if set(words(got[1][-1].split(",")[0])) != set(words(key)):
                    continue  # "office" is not "dentist office"
                return got[0], got[1], m.group(0)
        return None

    def status(self, s: str, activity: str | None) -> tuple[str, tuple[str, ...], str] | None:
        """External cause status (Y99) when documented: work → Y99.0; a stated leisure activity
        beside an activity code → Y99.8. Not stated → nothing (Y99.9 is not assigned)."""
        m = _WORK.search(s)
        if m:
            got = self._look(("External cause status", "civilian activity done for income or pay"))
            if got:
                return got[0], got[1], m.group(0)
        m = _LEISURE.search(s)
        if m and activity:
            got = self._look(("External cause status", "leisure activity"))
            if got:
                return got[0], got[1], m.group(0)
        return None

    def activity(self, s: str) -> tuple[str, str, str] | None:
        if not _ACTIVITY_CUE.search(s):
            return None
        toks = set(words(s))
        for w in list(toks):  # gerunds: "golfing" → golf, "running" → run, "dancing" → dance
            if w.endswith("ing") and len(w) > 5:
                b = w[:-3]
                toks.update((b, b + "e"))
                if len(b) > 2 and b[-1] == b[-2]:
                    toks.add(b[:-1])
        best = None
        for ws, code, title in self.activities:
            if ws <= toks and (best is None or len(ws) > len(best[0])):
                best = (ws, code, title)
        if best is None:
            return None
        return best[1], best[2], " ".join(sorted(best[0]))


def external_causes(doc: Document, cands: list[Candidate], ec: ExternalCauses, tab) -> list[Candidate]:
    """External cause candidates for the reported injuries (I.C.20), sequenced after them."""
    if ec is None or ec.index is None:
        return []
    injuries = [c for c in cands if not c.drop and c.code.startswith(INJURY_PREFIXES)]
    if not injuries:
        return []
    inj = max(injuries, key=lambda c: (c.weight, -c.first))
    flat = inj.code.replace(".", "")
    episode = flat[6] if len(flat) == 7 else "A"
    seventh = "S" if episode == "S" else ("A" if episode in "ABC" else "D")  # initial / subsequent / sequela
    secs = {(s.start, s.end): s.kind for s in doc.sections}
    narr: dict[int, tuple[str, str]] = {}  # sentence index → (section kind, text)
    events: list[int] = []
    for si, sent in enumerate(doc.sentences):
        kind = next((k for (a, b), k in secs.items() if a <= sent.start < b), "preamble")
        if kind not in NARRATIVE:
            continue
        s = doc.text[sent.start:sent.end]
        narr[si] = (kind, s)
        ev = _EVENT.search(s)
        if not ev:
            continue
        neg = _NEG.search(s)
        if neg and neg.start() < ev.start() + 25:
            continue
        events.append(si)
    out: list[Candidate] = []
    for si in events:
        kind, s = narr[si]
        got = ec.mechanism(s)
        if got:
            code, path, cue = got
            full = _with_seventh(tab, code, seventh)
            if full:
                out.append(_cand(doc, tab, full, path, s, doc.sentences[si].start, cue, si, kind, inj, 1))
                break
    if seventh != "A" or not events:
        return out  # activity, place and status: initial encounter only (I.C.20.b, c, k)
    # the event sentences, then the sentences next to them (same section, not negated / past)
    scope = list(events)
    for si in events:
        for sj in (si - 1, si + 1):
            if sj in narr and sj not in scope and narr[sj][0] == narr[si][0] and not _NEG.search(narr[sj][1]):
                scope.append(sj)
    act = place = None
    for si in scope:
        kind, s = narr[si]
        base = doc.sentences[si].start
        if act is None:
            got = ec.activity(s)
            if got and tab.find(got[0]) is not None and tab.is_billable(got[0]):
                code, title, cue = got
                act = _cand(doc, tab, code, ("Activity", title), s, base, cue.split()[0], si, kind, inj, 2)
        if place is None:
            got = ec.place(s)
            if got and tab.find(got[0]) is not None and tab.is_billable(got[0]):
                place = _cand(doc, tab, got[0], got[1], s, base, got[2], si, kind, inj, 3)
    out += [c for c in (act, place) if c is not None]
    if out:  # Y99 only beside another external cause code (I.C.20.k)
        text = " ".join(narr[si][1] for si in scope)
        got = ec.status(text, act.code if act else None)
        if got and tab.find(got[0]) is not None and tab.is_billable(got[0]):
            si = act.mentions[0].sent if act else scope[0]
            kind, s = narr[si]
            cue = got[2] or (act.mentions[0].text if act else s)
            out.append(_cand(doc, tab, got[0], got[1], s, doc.sentences[si].start, cue, si, kind, inj, 4))
    return out


def _with_seventh(tab, code: str, ch: str) -> str | None:
    node = tab.find(code)
    if node is None:
        return None
    if node.billable and not tab.requires_seventh(code):
        return code
    try:
        full = tab.with_seventh(code, ch)
    except Exception:  # noqa: BLE001 - some categories have no such 7th character
        return None
    return full if tab.find(full) is not None else None


def _cand(doc, tab, code, path, s, base, cue, si, kind, inj, order) -> Candidate:
    k = s.lower().find(cue.lower())
    start = base + (k if k >= 0 else 0)
    end = start + (len(cue) if k >= 0 else len(s))
    m = Mention(start, end, doc.text[start:end], code, cue.lower(), "eindex", sent=si, section=kind)
    m.path = tuple(path)
    return Candidate(code=code, title=tab.get(code).title, mentions=[m],
                     rationale=[f"external cause index: {', '.join(path)} → {code} (for {inj.code})"],
                     guideline=["I.C.20 external cause codes, 7th character of the injury"],
                     path=tuple(path), origin="external_cause", weight=inj.weight - 0.001 * order,
                     first=inj.first + 1)
