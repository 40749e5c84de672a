"""The diagnosis lexicon: surface terms → ICD-10-CM codes, compiled once into a token trie.

Sources, in priority order when two give the same surface form:
1. the curated abbreviations and synonyms (`abbreviations.py`);
2. the Alphabetic Index (``codebook.icd10cm_index``, when compiled): every main term and subterm
   path up to three levels, in the word orders notes use ("Failure, heart, congestive" →
   "congestive heart failure", "heart failure congestive"); "see" references resolved;
3. tabular titles and inclusion terms ("unspecified", "NOS", "other specified" removed).

The index tree itself is kept (titles as word sets, codes, children) so the pipeline can walk
from a matched term into the subterms documented around it ("osteoarthritis of the right knee"
walks Osteoarthritis → knee).

Matching is a longest-match walk of a token trie over normalised tokens (no regex per term).
The compiled lexicon is pickled next to the codebook's compiled cache, keyed by the data
versions and `LEXICON_VERSION`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .abbreviations import ABBREVIATIONS, UPPER_ONLY
from .text import _TOKEN_RE, _stem

LEXICON_VERSION = 21
END = "\0"
STOP = frozenset({"of", "the", "in", "on", "an", "'s", "'", "-", "at", "right", "left", "bilateral"})
"""Tokens ignored while matching (on both sides), so "osteoarthritis of the knee" meets the index
path "Osteoarthritis, knee"; laterality words are read as attributes, not matched; a plural
possessive's apostrophe ("Colles' fracture", "Graves' disease") is written or not."""

CONNECTORS = ("with", "without", "in", "due to", "due", "complicating", "following", "from", "by", "and",
              "as", "after", "during", "to", "for", "not", "on", "affecting", "involving", "of", "in relation to",
              "associated with", "secondary to", "resulting from", "caused by", "NEC", "specified NEC",
              "newborn", "see")

# Index main terms too generic to be a diagnosis mention on their own (their subterm paths are
# kept): they name encounters, findings or states rather than conditions.
GENERIC_MAIN = frozenset("""
history status examination admission encounter observation problem complaint finding findings test
screening care follow-up aftercare counseling fitting removal change evaluation use contact exposure long
patient person absence presence other state condition disease disorder syndrome illness sick lesion mass
abnormal abnormality anomaly complication complications infection injury pain disease diseased
failure insufficiency positive negative elevated elevation low high decreased increased loss
level levels procedure surgery operation treatment therapy type stage form result results
visit pregnancy pregnant delivery birth labor newborn infant child adult old age aged
dependence wound tear fall fracture burn effect effects reaction sequelae late
diet family social personal problems difficulty difficult mild moderate severe acute chronic
left right bilateral normal stable unstable recurrent recurrence history of multiple single
defect deficiency deformity disturbance dysfunction hypertrophy hyperplasia
""".split())

# Single words that are index terms but in notes almost always mean something else.
FALSE_FRIENDS = frozenset("""
depression cold sore tender tenderness heat sleep rest block drip discharge thrill tic frozen
cast plate irritation distress nervous weak weakness arrest cut bite hit lag stiff crush spasm
shock strain sprain stress stuck loose knot lump swelling fit fits sign signs finding deposit
collapse corn flat foreign dry mixed pressure flush flushing murmur tone spots spot anesthesia fragment
fragments material
""".split())

_PAREN = re.compile(r"\([^)]*\)")
_WS = re.compile(r"\s+")


@lru_cache(maxsize=100_000)
def words(text: str) -> tuple[str, ...]:
    """Normalised match tokens of a term (punctuation kept except hyphens; stopwords dropped).

    >>> words("Osteoarthritis of the knee")
    ('osteoarthritis', 'knee')
    >>> words("s/p CABG")
    ('s', '/', 'p', 'cabg')
    """
    out = []
    for m in _TOKEN_RE.finditer(text):
        w = m.group()
        n = _stem(w) if w[0].isalnum() else w
        if n in STOP or n in (",", "(", ")", "[", "]", ";", ":", "."):
            continue
        out.append(n)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    term: str
    source: str
    node: int = -1
    upper: bool = False
    depth: int = 0

    @property
    def rank(self) -> tuple[int, int]:
        return ({"abbreviation": 0, "index": 1, "title": 2, "inclusion": 3}[self.source], self.depth)


class Lexicon:
    """Token trie + the index tree for walking subterms."""

    def __init__(self, trie: dict, nodes: dict, versions: dict):
        self.trie = trie
        self.node_words: list[frozenset] = nodes.get("words", [])
        self.node_code: list[str] = nodes.get("code", [])
        self.node_children: dict[int, tuple[int, ...]] = nodes.get("children", {})
        self.node_title: list[str] = nodes.get("title", [])
        self.node_parent: list[int] = nodes.get("parent", [])
        self.node_connector: set[int] = nodes.get("connector", set())
        self.versions = versions

    def __len__(self) -> int:
        n, stack = 0, [self.trie]
        while stack:
            d = stack.pop()
            for k, v in d.items():
                if k == END:
                    n += 1
                else:
                    stack.append(v)
        return n

    def lookup(self, term: str) -> Entry | None:
        """The entry for an exact surface term (normalised).

        >>> from coderight.nlp.lexicon import Lexicon
        >>> lx = Lexicon({}, {}, {}); lx.add("heart failure", Entry("I50.9", "heart failure", "index"))
        >>> lx.lookup("Heart  failures").code
        'I50.9'
        """
        d = self.trie
        for w in words(term):
            d = d.get(w)
            if d is None:
                return None
        return d.get(END)

    def add(self, term: str, entry: Entry) -> None:
        ws = words(term)
        if not ws:
            return
        d = self.trie
        for w in ws:
            d = d.setdefault(w, {})
        old = d.get(END)
        if old is None or entry.rank < old.rank:
            d[END] = entry

    def path(self, node: int) -> tuple[str, ...]:
        out = []
        while node >= 0:
            out.append(self.node_title[node])
            node = self.node_parent[node]
        return tuple(reversed(out))


# --------------------------------------------------------------------------------- compiling
def _alternatives_main(title: str) -> list[str]:
    """Surface forms of a main term: "Disease, diseased" lists synonyms; "Fracture, pathological"
    is a main term with its qualifier ("pathological fracture"; plain "fracture" only for the
    traumatic default).

    >>> _alternatives_main("Calculus, calculi, calculous")
    ['Calculus', 'calculi', 'calculous']
    >>> _alternatives_main("Fracture, pathological")
    ['pathological Fracture', 'Fracture pathological']
    """
    t = _PAREN.sub("", title)
    parts = [p.strip() for p in t.split(",") if p.strip()]
    if len(parts) == 2 and parts[0][:4].lower() != parts[1][:4].lower():
        m, q = parts
        out = [f"{q} {m}", f"{m} {q}"]
        if q.lower() == "traumatic":
            out.append(m)
        return out
    return parts[:4]


def _alternatives_sub(title: str) -> list[str]:
    t = _WS.sub(" ", _PAREN.sub("", title)).strip()
    if "," in t:
        a, _, b = t.partition(",")
        return [f"{b.strip()} {a.strip()}", f"{a.strip()} {b.strip()}"]
    return [t]


_MOD_GROUP = re.compile(r"\(([^()]+)\)")


def _with_modifiers(alts: list[str], nemod: str) -> list[str]:
    """A subterm's nonessential modifiers typed in, one at a time, after or before it (I.A.7:
    they may be present or absent without changing the code).

    >>> _with_modifiers(["urinary"], "(tract)")
    ['urinary tract', 'tract urinary']
    >>> _with_modifiers(["lobar"], "(disseminated) (double) (interstitial)")[:2]
    ['lobar disseminated', 'disseminated lobar']
    """
    out = []
    for g in _MOD_GROUP.findall(nemod or "")[:3]:
        g = g.strip()
        if not g or len(g.split()) > 2 or not g.replace(" ", "").replace("-", "").isalpha():
            continue
        for a in alts:
            out += [f"{a} {g}", f"{g} {a}"]
    return out


def _is_connector(title: str) -> bool:
    t = title.strip().lower()
    return any(t == c.lower() or t.startswith(c.lower() + " ") for c in CONNECTORS)


_CLEAN_TITLE = [
    (re.compile(r",?\s*\bunspecified\b( as to [a-z ]+)?", re.I), ""),
    (re.compile(r",?\s*\bnot elsewhere classified\b", re.I), ""),
    (re.compile(r"\bNOS\b"), ""),
    (re.compile(r",?\s*\bwithout (complications?|mention of [a-z ]+)\b", re.I), ""),
]


def _clean_title(t: str) -> str | None:
    if re.match(r"(other|unspecified|encounter|personal history|family history)\b", t, re.I):
        return None
    for rx, rep in _CLEAN_TITLE:
        t = rx.sub(rep, t)
    t = _WS.sub(" ", t).strip(" ,")
    if not t or len(t.split()) > 9:
        return None
    return t


def compile_lexicon(tabular, index=None) -> Lexicon:
    """Build the lexicon from the tabular (titles, inclusion terms), the index when given, and the
    curated abbreviations."""
    lx = Lexicon({}, {}, {})
    for surface, (_exp, code) in ABBREVIATIONS.items():
        if code:
            lx.add(surface, Entry(code, surface, "abbreviation", upper=surface in UPPER_ONLY))
    nodes: dict = {"words": [], "code": [], "children": {}, "title": [], "parent": [], "connector": set()}
    if index is not None:
        _add_index(lx, index, nodes, _verifier(tabular))
    for code, title, billable in tabular.titles():
        if (len(code.replace(".", "")) == 7 and code[0] in "ST") or code.startswith(SKIP_CODE_PREFIXES):
            continue
        t = _clean_title(title)
        if t:
            for variant in {t, _PAREN.sub("", t)}:
                if len(words(variant)) >= 2 or billable:
                    lx.add(variant, Entry(code, variant.lower(), "title"))
        if code[0] == "S" and t:
            for variant in _site_first(t):
                lx.add(variant, Entry(code, variant, "title"))
    for code, term in tabular.inclusion_terms():
        if code.startswith(SKIP_CODE_PREFIXES):
            continue
        t = _clean_title(term)
        if t and not re.search(r"\b(classifiable|conditions)\b", t, re.I):
            for variant in {t, _PAREN.sub("", t)}:
                if len(words(variant)) >= 2:
                    lx.add(variant, Entry(code, variant.lower(), "inclusion"))
    lx.node_words, lx.node_code = nodes["words"], nodes["code"]
    lx.node_children, lx.node_title = nodes["children"], nodes["title"]
    lx.node_parent, lx.node_connector = nodes["parent"], nodes["connector"]
    # abbreviations take the index node of their expansion, so subterm walks start from it
    if index is not None:
        for surface, (exp, code) in ABBREVIATIONS.items():
            target = lx.lookup(exp)
            own = lx.lookup(surface)
            if code and target is not None and target.node >= 0 and own is not None and own.source == "abbreviation":
                lx.add(surface, Entry(code, surface, "abbreviation", node=target.node, upper=own.upper, depth=-1))
    if index is not None:
        _attach_nodes(lx)
    _prune_single_words(lx)
    return lx


_INJURY_HEAD = re.compile(r"^(sprain|strain|dislocation|subluxation|contusion|laceration|tear|"
                          r"(?:[a-z]+ )?fracture) of (.+)$", re.I)
_LIGAMENT_ABBR = (("medial collateral ligament", "mcl"), ("lateral collateral ligament", "lcl"),
                  ("anterior cruciate ligament", "acl"), ("posterior cruciate ligament", "pcl"),
                  ("anterior talofibular ligament", "atfl"), ("ulnar collateral ligament", "ucl"))


def _site_first(title: str) -> list[str]:
    """Injury titles in the order notes write them: the site first, the structure, then the
    injury ("Sprain of medial collateral ligament of knee" → "knee medial collateral ligament
    sprain", "knee MCL sprain"; a ligament "strain" is its sprain: ligaments sprain, muscles and
    tendons strain).

    >>> _site_first("Sprain of posterior cruciate ligament of knee")[:2]
    ['knee posterior cruciate ligament sprain', 'knee posterior cruciate ligament strain']
    >>> _site_first("Unspecified fracture of upper end of right humerus")[-1]
    'right proximal humerus fracture'
    """
    m = _INJURY_HEAD.match(title.strip())
    if not m or "," in m.group(2):
        return []
    head, rest = m.group(1).lower(), m.group(2).lower()
    parts = [" ".join(w for w in p.split() if w != "unspecified") for p in rest.split(" of ")]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return []
    base = " ".join(reversed(parts))
    forms = [base]
    if len(parts) == 2 and parts[0] in ("upper end", "lower end"):  # "proximal humerus", "right distal radius"
        side, _, bone = parts[1].rpartition(" ")
        end = "proximal" if parts[0] == "upper end" else "distal"
        forms.append(" ".join(x for x in (side, end, bone) if x))
    for long, short in _LIGAMENT_ABBR:
        if long in base:
            forms.append(base.replace(long, short))
    heads = [head]
    if head == "sprain" and "ligament" in rest:
        heads.append("strain")
    if head in ("unspecified fracture", "displaced fracture"):  # I.C.19.c.1: not stated → displaced
        heads.append("fracture")
    return [f"{f} {h}" for f in forms for h in heads]


def _attach_nodes(lx: Lexicon) -> None:
    """Give title and inclusion-term entries the index node of their code (the shallowest index
    line printing that code or, for a category, one of its codes), so subterm and "with" walks
    start from them too."""
    by_code: dict[str, tuple[int, int]] = {}
    for j, c in enumerate(lx.node_code):
        if not c:
            continue
        depth = 0
        k = lx.node_parent[j]
        while k >= 0:
            depth += 1
            k = lx.node_parent[k]
        for key in (c.rstrip("-").rstrip("."), c[:3]):
            old = by_code.get(key)
            if old is None or depth < old[0]:
                by_code[key] = (depth, j)
    stack = [lx.trie]
    while stack:
        d = stack.pop()
        for k, v in d.items():
            if k == END:
                if v.node < 0 and v.source in ("title", "inclusion"):
                    hit = by_code.get(v.code) or (by_code.get(v.code[:3]) if len(v.code) == 3 else None)
                    if hit:
                        d[END] = Entry(v.code, v.term, v.source, node=hit[1], upper=v.upper, depth=v.depth)
            else:
                stack.append(v)


def _prune_single_words(lx: Lexicon) -> None:
    for w in list(lx.trie):
        d = lx.trie[w]
        e = d.get(END)
        if e is None or e.source == "abbreviation":
            continue
        if len(w) <= 3 or w in GENERIC_MAIN or w in FALSE_FRIENDS:
            del d[END]
            if not d:
                del lx.trie[w]


def _stems(text: str) -> set[str]:
    return {w[:5] for w in words(text) if len(w) >= 4 and w.isalpha()}


_HEAD_CUT = re.compile(r",| of | with | without | due to | in | and | or | for | [(]", re.I)


def _head_words(title: str) -> set[str]:
    """The last two words of a title's head phrase, normalised.

    >>> sorted(_head_words("Other constitutional aplastic anemia"))
    ['anemia']
    >>> sorted(_head_words("Type 2 diabetes mellitus without complications"))
    ['diabete', 'mellitus']
    """
    seg = _HEAD_CUT.split(_PAREN.sub("", title), maxsplit=1)[0]
    ws = [w for w in words(seg) if w not in ("other", "unspecified")]
    if len(ws) >= 2 and ws[-1] in ("mellitus", "nos"):
        return set(ws[-2:])
    return set(ws[-1:])


def _verifier(tabular):
    """Index → tabular verification of a lexicon term: the code's tabular title or inclusion
    terms (or its category's) must share a content word with the term, else the index line was
    reached through a word that is not the condition ("limits" → Cori disease)."""
    stems: dict[str, set[str]] = {}
    for code, title, _b in tabular.titles():
        stems.setdefault(code, set()).update(_stems(title))
    for code, term in tabular.inclusion_terms():
        stems.setdefault(code, set()).update(_stems(term))

    heads: dict[str, set[str]] = {}
    for code, title, _b in tabular.titles():
        heads[code] = _head_words(title)

    def ok(code: str, term: str) -> bool:
        c = code.rstrip("-").rstrip(".")
        tw = words(term)
        if len(tw) == 1:
            # a one-word term must be the head of the code's title ("pneumonia" → Pneumonia,
            # unspecified organism), not a modifier ("constitutional" → … aplastic anemia)
            return tw[0] in heads.get(c, set())
        have = set(stems.get(c, ()))
        if len(c) > 3:
            have |= stems.get(c[:3], set())
            have |= stems.get(c[:-1].rstrip("."), set())
        tw = _stems(term)
        return bool(tw & have)

    return ok


BLOCKED_TERMS = frozenset(words(t) for t in (
    "follow up", "follow-up", "physical examination", "physical exam", "allergies", "activities", "activity",
    "male", "female", "heart", "cardiac", "renal", "painful", "foods", "food", "limits", "physical",
    "kidney disease", "tobacco use", "history", "scale", "medical", "general", "normal", "exercise",
))
SKIP_CODE_PREFIXES = ("Z00", "Z01", "Z02", "Z03", "Z04", "Z08", "Z09", "Z11", "Z12", "Z13", "Z30", "Z31",
                      "Z32", "Z33", "Z34", "Z36", "Z39", "Z51", "Z71", "Z76", "V", "W", "X", "Y")
"""Encounter-reason and external-cause codes: not a diagnosis a word in the note names."""


_NEC_WORDS = frozenset({"nec", "nos"})


def _add_index(lx: Lexicon, index, nodes: dict, verify) -> None:
    lo, hi = index.books["main"]
    title, code, parent = index.title, index.code, index.parent
    nemod = index.nemod
    p = index._p  # noqa: SLF001 - read-only access to the compiled arrays
    see = p.get("see", {})
    # node table (main book only, ids shifted to start at 0)
    for i in range(lo, hi):
        t = title[i]
        nodes["title"].append(t)
        nodes["code"].append(code[i])
        par = int(parent[i])
        nodes["parent"].append(par - lo if par >= 0 else -1)
        ws = frozenset(w for alt in (_alternatives_main(t) if par < 0 else [_PAREN.sub("", t)])
                       for w in words(alt))
        nodes["words"].append(ws)
        if _is_connector(t):
            nodes["connector"].add(i - lo)
        if par >= 0:
            nodes["children"].setdefault(par - lo, []).append(i - lo)
    nodes["children"] = {k: tuple(v) for k, v in nodes["children"].items()}
    # resolve "see X, y" by main term + subterm words
    main_by_word: dict[str, list[int]] = {}
    for j, par in enumerate(nodes["parent"]):
        if par < 0:
            for alt in _alternatives_main(nodes["title"][j]):
                main_by_word.setdefault(" ".join(words(alt)), []).append(j)

    def resolve(ref: str) -> tuple[str, int]:
        parts = [x.strip() for x in ref.split(";")[0].split(",") if x.strip()]
        if not parts:
            return "", -1
        cands = main_by_word.get(" ".join(words(parts[0])), [])
        if not cands:
            return "", -1
        node = cands[0]
        for part in parts[1:]:
            want = frozenset(words(part))
            # "see Dependence, drug, nicotine" names the line "drug NEC": NEC/NOS are not its words
            nxt = [c for c in nodes["children"].get(node, ()) if nodes["words"][c] - _NEC_WORDS == want - _NEC_WORDS]
            if not nxt:
                break
            node = nxt[0]
        return nodes["code"][node], node

    for j in range(len(nodes["title"])):
        c = nodes["code"][j]
        target = j
        if not c and (j + lo) in see:
            c, target = resolve(see[j + lo])
            if target >= 0:
                # "Pain, foot — see Pain, limb, lower": the referring subterm's own words go on
                # down the target ("lower" → "foot" M79.67-), not stop at its parent line
                own = nodes["words"][j]
                for ch in nodes["children"].get(target, ()):
                    if nodes["words"][ch] and nodes["words"][ch] <= own and nodes["code"][ch]:
                        c, target = nodes["code"][ch], ch
                        break
        if not c:
            continue
        # path of titles from the main term, skipping nothing: connectors block variants
        chain = []
        k = j
        while k >= 0:
            chain.append(k)
            k = nodes["parent"][k]
        chain.reverse()
        if len(chain) > 3 or any(k in nodes["connector"] for k in chain[1:-1]):
            continue
        main_alts = _alternatives_main(nodes["title"][chain[0]])
        subs = [_alternatives_sub(nodes["title"][k]) for k in chain[1:]]
        if subs:  # "Infection, urinary (tract) N39.0": notes write the modifier ("urinary tract infection")
            subs[-1] = subs[-1] + _with_modifiers(subs[-1], nemod[j + lo])
        last_is_conn = len(chain) > 1 and chain[-1] in nodes["connector"]
        for m in main_alts:
            if len(chain) == 1:
                variants = [m]
            elif len(chain) == 2:
                variants = []
                for s in subs[0]:
                    variants.append(f"{m} {s}")
                    if not last_is_conn:
                        variants.append(f"{s} {m}")
            else:
                variants = []
                for s1 in subs[0]:
                    for s2 in subs[1]:
                        variants.append(f"{m} {s1} {s2}")
                        if not last_is_conn:
                            variants += [f"{s2} {s1} {m}", f"{s1} {s2} {m}", f"{s2} {m} {s1}"]
            if c.startswith(SKIP_CODE_PREFIXES):
                continue
            for v in variants:
                if words(v) in BLOCKED_TERMS or not verify(c, v):
                    continue
                lx.add(v, Entry(c, v.lower(), "index", node=target, depth=len(chain)))


# ----------------------------------------------------------------------------------- caching
_MEMO: dict[str, Lexicon] = {}


def load_lexicon(codebook, use_index: bool = True) -> Lexicon:
    """The compiled lexicon for this codebook: from memory, the pickle cache, or a fresh build."""
    from ..codesets.registry import DATASETS

    versions = codebook.versions()
    with_index = use_index and "icd10cm_index" in DATASETS and codebook.has("icd10cm_index")
    info = codebook.info()
    built = tuple((k, info[k].built_at, info[k].compiler) for k in ("icd10cm", "icd10cm_index") if k in info)
    key = hashlib.sha256(repr((LEXICON_VERSION, with_index, sorted(versions.items()), built,
                                str(codebook.cache.root))).encode()).hexdigest()[:16]
    got = _MEMO.get(key)
    if got is not None:
        return got
    path = Path(codebook.cache.root) / "nlp" / f"lexicon-{key}.pkl"
    if path.exists():
        try:
            with open(path, "rb") as f:
                lx = pickle.load(f)
            _MEMO[key] = lx
            return lx
        except Exception:  # noqa: BLE001 - a corrupt cache file is rebuilt
            pass
    index = None
    if with_index:
        try:
            index = codebook.dataset("icd10cm_index")
        except Exception:  # noqa: BLE001 - lexicon still builds from the tabular
            index = None
    lx = compile_lexicon(codebook.icd10cm, index)
    lx.versions = {k: versions[k] for k in ("icd10cm", "icd10cm_index") if k in versions}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(lx, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass
    _MEMO[key] = lx
    return lx
