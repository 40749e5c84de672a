"""Attributes of a mention: laterality, acuity, type, stage, severity, episode, trimester,
exacerbation, intractability, and links between conditions ("due to", "secondary to", "with").

The same reader runs over a note's words and over a tabular title, so a mention's attributes and
a code's axes are compared in one vocabulary ("Acute on chronic systolic (congestive) heart
failure" → acuity=acute on chronic, type=systolic).

>>> from coderight.nlp.text import norm_words
>>> dims(norm_words("Acute on chronic systolic (congestive) heart failure"))
{'acuity': 'acute on chronic', 'type': 'systolic'}
>>> dims(norm_words("Unilateral primary osteoarthritis, right knee"))
{'laterality': 'right'}
>>> dims(norm_words("Chronic kidney disease, stage 3a"))
{'acuity': 'chronic', 'stage': '3a'}
>>> dims(norm_words("Migraine, unspecified, not intractable, without status migrainosus"))
{'intractable': 'no', 'status migrainosus': 'no'}
>>> dims(norm_words("HFrEF"))
{'type': 'systolic'}
"""

from __future__ import annotations

from collections.abc import Sequence

from .document import Document

_LAT = {"right": "right", "rt": "right", "left": "left", "lt": "left", "bilateral": "bilateral",
        "bilaterally": "bilateral", "bilat": "bilateral", "both": "bilateral"}
_NOT_LAT_NEXT = frozenset({"ventricular", "ventricle", "atrial", "atrium", "bundle", "heart", "sided",
                           "coronary", "main", "shift", "axis", "hemisphere"})
_STAGE_WORDS = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "iiia": "3a", "iiib": "3b"}
_SEVERITY = {"mild": "mild", "moderate": "moderate", "severe": "severe"}


def dims(w: Sequence[str]) -> dict[str, str]:
    """Attribute axes named by a word sequence (normalised tokens)."""
    out: dict[str, str] = {}
    n = len(w)
    for i, t in enumerate(w):
        nxt = w[i + 1] if i + 1 < n else ""
        prev = w[i - 1] if i else ""
        if t in ("right", "left") and nxt in ("heart", "ventricular", "ventricle", "sided") and "type" not in out:
            out["type"] = "right heart" if t == "right" else "left ventricular"
        elif t in _LAT and nxt not in _NOT_LAT_NEXT and "laterality" not in out:
            if t == "both" and nxt not in ("side", "knee", "eye", "ear", "hip", "leg", "arm", "foot", "hand",
                                          "lung", "kidney", "breast", "shoulder", "ankle", "wrist", "elbow"):
                continue
            out["laterality"] = _LAT[t]
        elif t == "acute" and nxt == "on" and i + 2 < n and w[i + 2] == "chronic":
            out["acuity"] = "acute on chronic"
        elif t in ("acute", "chronic", "subacute") and "acuity" not in out:
            if t == "chronic" and prev == "on":
                continue
            out["acuity"] = t
        elif t in ("systolic", "diastolic") and "type" not in out:
            out["type"] = "combined" if (nxt == "and" and i + 2 < n and w[i + 2] in ("systolic", "diastolic")) else t
        elif t == "combined" and nxt in ("systolic", "diastolic"):
            out["type"] = "combined"
        elif t in ("hfref", "hfmref") or (t == "reduced" and nxt in ("ejection", "ef")):
            out.setdefault("type", "systolic")
        elif t == "hfpef" or (t == "preserved" and nxt in ("ejection", "ef")):
            out.setdefault("type", "diastolic")
        elif t == "stage" and nxt:
            v = _STAGE_WORDS.get(nxt, nxt)
            if v[:1] in "12345" and len(v) <= 2:
                out["stage"] = v
            elif nxt == "renal" or (prev == "end"):
                out["stage"] = "esrd"
        elif t == "end" and nxt == "stage":
            out["stage"] = "esrd"
        elif t == "esrd":
            out["stage"] = "esrd"
        elif t == "unstageable":
            out["stage"] = "unstageable"
        elif t in _SEVERITY and "severity" not in out:
            out["severity"] = _SEVERITY[t]
        elif t in ("intermittent", "persistent") and "persistence" not in out:
            out["persistence"] = t
        elif t in ("exacerbation", "exacerbated", "flare", "flareup", "flaring", "decompensated", "decompensation"):
            if prev in ("without", "no"):
                out["exacerbation"] = "no"
            else:
                out["exacerbation"] = "yes"
        elif t == "uncomplicated":
            out.setdefault("exacerbation", "no")
        elif t == "intractable":
            out["intractable"] = "no" if prev == "not" else "yes"
        elif t in ("refractory", "pharmacoresistant"):
            out["intractable"] = "yes"
        elif t == "migrainosus" and prev == "status":
            out["status migrainosus"] = "no" if (i >= 2 and w[i - 2] == "without") else "yes"
        elif t == "trimester" and prev in ("first", "second", "third", "1st", "2nd", "3rd"):
            out["trimester"] = {"1st": "first", "2nd": "second", "3rd": "third"}.get(prev, prev)
        elif t in ("initial", "subsequent", "sequela") and "episode" not in out:
            out["episode"] = t
        elif t == "remission":
            out["remission"] = "no" if prev in ("not", "without") else "yes"
        elif t in ("displaced", "nondisplaced"):
            out["displacement"] = t
    return out


LINKS = ("due to", "secondary to", "caused by", "associated with", "related to", "because of",
         "resulting from", "with", "from", "complicated by", "in the setting of", "attributed to")
_LINK_TOKS = [tuple(x.split()) for x in LINKS]

WINDOW = 6


def annotate_attributes(doc: Document) -> Document:
    """Fill `Mention.attributes` from the words around each mention (same sentence, a few tokens
    either side, not crossing another mention's words), and `Mention.links` from connecting
    phrases between two mentions of one sentence."""
    toks = doc.tokens
    by_sent: dict[int, list[int]] = {}
    for k, m in enumerate(doc.mentions):
        by_sent.setdefault(m.sent, []).append(k)
    for si, ks in by_sent.items():
        s = doc.sentences[si]
        ms = [doc.mentions[k] for k in ks]
        for j, m in enumerate(ms):
            lo = max(s.tok_start, m.tok_start - WINDOW)
            hi = min(s.tok_end, m.tok_end + WINDOW)
            prev_m = ms[j - 1] if j else None
            next_m = ms[j + 1] if j + 1 < len(ms) else None
            if prev_m is not None and prev_m.tok_end > lo:
                lo = max(lo, prev_m.tok_end)
            if next_m is not None and next_m.tok_start < hi:
                hi = min(hi, next_m.tok_start)
            # stop at punctuation that ends a list item before the mention ("right knee, left hip")
            for k in range(m.tok_start - 1, lo - 1, -1):
                if toks[k].norm in (",", ";", ".", ":", "(", ")"):
                    lo = k + 1
                    break
            for k in range(m.tok_end, hi):
                if toks[k].norm in (";", ".", ":") or (toks[k].norm == "," and k > m.tok_end + 2):
                    hi = k
                    break
            words = [t.norm for t in toks[lo:hi]]
            got = dims(words)
            lat = _nearest_laterality(doc, m, lo, hi)
            if lat:
                got["laterality"] = lat
            inner = dims([t.norm for t in toks[m.tok_start:m.tok_end]])
            got.update(inner)
            # "CKD 3a", "CKD III": a stage written right after the term
            if "stage" not in got and m.tok_end < s.tok_end:
                nxt = toks[m.tok_end].norm
                v = _STAGE_WORDS.get(nxt, nxt)
                if len(v) <= 2 and v[:1] in "12345" and (len(v) == 1 or v[1] in "ab"):
                    got["stage"] = v
            for k, v in got.items():
                m.attributes.setdefault(k, v)
            # links to the next mention in the sentence
            if next_m is not None:
                between = tuple(t.norm for t in toks[m.tok_end:next_m.tok_start] if t.norm not in (",",))
                for lt in _LINK_TOKS:
                    if between[-len(lt):] == lt or between == lt:
                        m.links.append((" ".join(lt), doc.mentions.index(next_m)))
                        break
    _problem_block_attributes(doc)
    return doc


_BLOCK_SECTIONS = frozenset({"assessment", "plan", "diagnoses"})
_EXAC = frozenset({"exacerbation", "exacerbated", "flare", "flareup", "flaring"})
_EXAC_BLOCK = frozenset({"prevent", "avoid", "reduce", "decrease", "minimize", "risk", "no", "without",
                         "denies", "deny", "future", "any", "history", "prior", "previous", "past", "not",
                         "earlier", "ago", "last", "recent", "possible", "avoided"})
_BULLET = ("•", "-", "*", "–", "·", "o ")
_BLOCK_MAX = 8


def _problem_block_attributes(doc: Document) -> None:
    """A problem-oriented assessment names a condition on a line of its own ("Asthma.") and
    documents it in the lines under it ("• Medical Reasoning: His symptoms are exacerbated during
    warmer weather"). The block runs to the next problem line (a short line that is not a bullet
    of the block) or the section's end; an exacerbation stated there, in the present and not as
    something to prevent, belongs to the problem. Only the exacerbation axis is read this way:
    a value in a block (an ejection fraction, a severity of another finding) is not a documented
    type of the problem."""
    toks = doc.tokens
    text = doc.text
    for m in doc.mentions:
        if m.section not in _BLOCK_SECTIONS or "exacerbation" in m.attributes:
            continue
        s = doc.sentences[m.sent]
        rest = [toks[k].norm for k in range(s.tok_start, s.tok_end) if not (m.tok_start <= k < m.tok_end)]
        rest = [w for w in rest if w[:1].isalpha() and w not in _LAT]
        if len(rest) > 2:
            continue  # not a problem line
        sec = next((x for x in doc.sections if x.start <= m.start < x.end), None)
        end = sec.end if sec is not None else len(text)
        for j in range(m.sent + 1, min(m.sent + 1 + _BLOCK_MAX, len(doc.sentences))):
            b = doc.sentences[j]
            if b.start >= end:
                break
            head = text[b.start:b.end].lstrip()
            words = [toks[k].norm for k in range(b.tok_start, b.tok_end) if toks[k].norm[:1].isalnum()]
            if not head.startswith(_BULLET) and (len(words) <= 6 or head[:1].isdigit()):
                break  # the next problem line
            for k, w in enumerate(words):
                if w in _EXAC and not (_EXAC_BLOCK & set(words[max(0, k - 4):k])) \
                        and not (_EXAC_BLOCK & {"earlier", "ago", "last", "previous", "prior"} & set(words)):
                    m.attributes["exacerbation"] = "yes"
                    break
            if "exacerbation" in m.attributes:
                break


def _nearest_laterality(doc: Document, m, lo: int, hi: int) -> str | None:
    """The side written nearest the mention or the body site walked into it ("right knee pain
    after a fall on the left side": right), not the first side word of the window; ties go to
    the word before the site ("left knee, right hip")."""
    toks = doc.tokens
    anchors = list(range(m.tok_start, m.tok_end))
    for sp in m.extra:
        anchors += [k for k in range(lo, hi) if toks[k].start >= sp.start and toks[k].end <= sp.end]
    best: tuple[int, int, str] | None = None
    for k in range(lo, hi):
        if m.tok_start <= k < m.tok_end:
            continue
        t = toks[k].norm
        v = _LAT.get(t)
        if v is None or t == "both":
            continue
        nxt = toks[k + 1].norm if k + 1 < len(toks) else ""
        if nxt in _NOT_LAT_NEXT:
            continue
        d = min(abs(a - k) for a in anchors)
        key = (d, 0 if any(a > k for a in anchors) else 1, v)
        if best is None or key < best:
            best = key
    return best[2] if best else None
