"""The ICD-10-CM Alphabetic Index: walk it the way a coder does, search it, read its tables.

Four books share one schema and one flat node table (see `icd10cm_index_xml`):

- ``main``: the Index to Diseases and Injuries (official XML when the mirror has it, else the
  flattened, lossy CSV: `DatasetInfo.form` says which);
- ``eindex``: the External Cause of Injuries Index;
- ``neoplasm``: the Table of Neoplasms (columns malignant primary, malignant secondary,
  ca in situ, benign, uncertain behavior, unspecified behavior);
- ``drug``: the Table of Drugs and Chemicals (accidental poisoning, intentional self-harm,
  assault, undetermined, adverse effect, underdosing).

Query API (`AlphabeticIndex`, from ``load(payload)`` or ``codebook.icd10cm_index``):

- ``lookup("diabetes, type 2, with, chronic kidney disease")`` / ``walk([...])`` -> `WalkResult`
  (code E11.22, the path walked, see / see-also met, manifestation codes, notes);
- ``neoplasm("colon", "malignant primary")`` -> `TableResult` (C18.9);
- ``drug("penicillin", "accidental")`` -> `TableResult` (T36.0X1, 7th character required);
- ``search("chf")`` -> ranked `SearchHit` list (inverted index built at compile time);
- ``terms(book)`` -> every `IndexEntry` with its full path, code and flags (for lexicons).

Matching of each step is tolerant but deterministic: case, punctuation, possessives and plurals
are normalised, word order inside a term is free, nonessential modifiers may be typed or not,
"NEC"/"NOS" need not be typed, a step may name a main term's qualifier ("fracture" finds
"Fracture, traumatic"), and the connective subterms "with", "in", "due to" may be skipped.

>>> tokens("Alzheimer's diseases, NOS")
['alzheimer', 'disease', 'nos']
>>> normalize_code("s72.0")
'S72.0'
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .cache import DatasetInfo
from .errors import ImportFailure, SourceMissing
from .sources import Source, SourceResolver, sha256_of

NEC, NOS = 1, 2  # flag bits, as set by icd10cm_index_xml.NodeTable

DATASET = "icd10cm_index"
COMPILER_VERSION = 2
LAYOUT = 2
_SEP = "\x1f"  # joins the per-entry strings of the payload (one str unpickles far faster than 98k)

OFFICIAL_ZIP = "https://www.cms.gov/files/zip/2026-code-tables-tabular-and-index.zip"
"""CMS FY2026 "Code Descriptions, Tables and Index" zip: holds icd10cm_index_2026.xml,
icd10cm_eindex_2026.xml, icd10cm_neoplasm_2026.xml and icd10cm_drug_2026.xml."""

_MAIN_XML_GLOBS = ("icd10cm-index/icd10cm[-_]index[-_]*.xml*", "icd10cm-index/icd-10-cm-index-*.xml*")
MAIN_XML_SOURCES = [Source(DATASET, g, OFFICIAL_ZIP, publisher="CDC/CMS", optional=True) for g in _MAIN_XML_GLOBS]
MAIN_CSV_SOURCE = Source(DATASET, "icd10cm-index/ICD10CM_*_Index*.csv*", OFFICIAL_ZIP,
                         publisher="derived from CDC/CMS", optional=True)
TABLE_SOURCES = {
    "neoplasm": Source(DATASET, "icd10cm-index/icd*10*cm[-_]neoplasm[-_]*.xml*", OFFICIAL_ZIP, "CDC/CMS"),
    "drug": Source(DATASET, "icd10cm-index/icd*10*cm[-_]drug[-_]2*.xml*", OFFICIAL_ZIP, "CDC/CMS"),
    "eindex": Source(DATASET, "icd10cm-index/icd*10*cm[-_]eindex[-_]*.xml*", OFFICIAL_ZIP, "CDC/CMS"),
}
SOURCES: list[Source] = [*MAIN_XML_SOURCES, MAIN_CSV_SOURCE, *TABLE_SOURCES.values()]

# Members of the official zip, by book (used when the resolver hands us the zip itself).
_ZIP_MEMBERS = {
    "main": (r"^icd[-_]?10[-_]?cm[-_]index[-_].*\.xml$",),
    "eindex": (r"^icd[-_]?10[-_]?cm[-_]eindex[-_].*\.xml$",),
    "neoplasm": (r"^icd[-_]?10[-_]?cm[-_]neoplasm[-_].*\.xml$",),
    "drug": (r"^icd[-_]?10[-_]?cm[-_]drug[-_]\d.*\.xml$",),
}

BOOKS = ("main", "eindex", "neoplasm", "drug")

CSV_LOSSES = (
    "text after a nonessential modifier is dropped from the term (e.g. a trailing 'NEC'); "
    "manifestation codes in brackets (<manif>), seecat/subcat inside see references, "
    "'use' notes and any second code are missing; some rows of the official index are absent"
)

NEOPLASM_COLUMNS = ("malignant primary", "malignant secondary", "ca in situ", "benign",
                    "uncertain behavior", "unspecified behavior")
DRUG_COLUMNS = ("accidental", "intentional self-harm", "assault", "undetermined", "adverse effect",
                "underdosing")
_COLUMN_ALIASES = {
    "neoplasm": {
        0: ("malignant primary", "primary", "malignant", "malignant primary site", "cancer", "carcinoma"),
        1: ("malignant secondary", "secondary", "metastatic", "metastasis", "mets", "secondary malignant"),
        2: ("ca in situ", "in situ", "carcinoma in situ", "cis"),
        3: ("benign",),
        4: ("uncertain behavior", "uncertain", "uncertain behaviour"),
        5: ("unspecified behavior", "unspecified", "unspecified behaviour"),
    },
    "drug": {
        0: ("accidental", "poisoning accidental", "accidental poisoning", "unintentional", "poisoning",
            "accident"),
        1: ("intentional self-harm", "intentional", "self-harm", "self harm", "suicide", "suicide attempt",
            "poisoning intentional self-harm"),
        2: ("assault", "poisoning assault", "homicide"),
        3: ("undetermined", "poisoning undetermined", "undetermined intent"),
        4: ("adverse effect", "adverse", "adverse reaction", "side effect", "therapeutic use"),
        5: ("underdosing", "underdose", "underdosed"),
    },
}

CONNECTIVES = frozenset(frozenset(c.split()) for c in ("with", "in", "due to", "in due to"))
"""Subterms a coder may skip: the "with" / "in" / "due to" convention lists them right under the
term they qualify; their own subterms are searched when a step matches nothing directly."""

ABBREVIATIONS = {
    "chf": "congestive heart failure", "hf": "heart failure", "htn": "hypertension",
    "afib": "atrial fibrillation", "a fib": "atrial fibrillation", "af": "atrial fibrillation",
    "copd": "chronic obstructive pulmonary disease", "ckd": "chronic kidney disease",
    "esrd": "end stage renal disease", "aki": "acute kidney failure", "dm": "diabetes",
    "dm2": "diabetes type 2", "t2dm": "diabetes type 2", "t1dm": "diabetes type 1",
    "mi": "myocardial infarction", "ami": "acute myocardial infarction", "cad": "coronary artery disease",
    "uti": "urinary tract infection", "gerd": "gastroesophageal reflux disease", "dvt": "deep vein thrombosis",
    "pe": "pulmonary embolism", "cva": "cerebral infarction", "tia": "transient ischemic attack",
    "sob": "shortness of breath", "uri": "upper respiratory infection", "bph": "benign prostatic hyperplasia",
    "osa": "obstructive sleep apnea", "ra": "rheumatoid arthritis", "oa": "osteoarthritis",
    "hld": "hyperlipidemia", "pna": "pneumonia", "ards": "acute respiratory distress syndrome",
    "hiv": "human immunodeficiency virus disease", "ptsd": "post traumatic stress disorder",
    "adhd": "attention deficit hyperactivity disorder", "pvd": "peripheral vascular disease",
    "pad": "peripheral arterial disease", "dka": "diabetic ketoacidosis", "sah": "subarachnoid hemorrhage",
}
"""Common clinical abbreviations search() expands (ours; the NLP lexicon will carry more)."""

_TOKEN_RE = re.compile(r"[a-z0-9]+")
_STOP = frozenset({"with", "in", "of", "and", "to", "due", "by", "the", "without", "or", "for", "on", "at"})
_CODE_LIKE = re.compile(r"^[A-Za-z][0-9][0-9A-Za-z](\.[0-9A-Za-z]{0,4})?-?$")
MAX_SEE_HOPS = 4
MAX_BRANCH = 8


# ------------------------------------------------------------------------------- text handling
def stem(tok: str) -> str:
    """A small, deterministic plural folding (index and queries use the same one).

    >>> [stem(t) for t in ("fractures", "injuries", "abscesses", "abscess", "diagnosis", "ribs")]
    ['fracture', 'injury', 'abscess', 'abscess', 'diagnosis', 'rib']
    """
    if len(tok) <= 3 or not tok.isalpha():
        return tok
    if tok.endswith("ies") and len(tok) > 4:
        return tok[:-3] + "y"
    if tok.endswith(("sses", "shes", "ches", "xes")):
        return tok[:-2]
    if tok.endswith("s") and not tok.endswith(("ss", "us", "is", "ys")):
        return tok[:-1]
    return tok


def tokens(text: str) -> list[str]:
    """Normalised words of an index term or a query (lower case, possessives and plurals folded)."""
    text = text.lower().replace("\u2019", "'").replace("'s", "")
    return [stem(t) for t in _TOKEN_RE.findall(text)]


def normalize_code(code: str) -> str:
    return code.strip().upper()


def _is_placeholder(words: Sequence[str]) -> bool:
    """'by site', 'by type', 'condition': see-reference parts the coder must fill in."""
    return bool(words) and (words[0] == "by" or tuple(words) in {("condition",), ("specified", "condition")})


# ------------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class IndexEntry:
    """One main term or subterm of the index, with its full path."""

    id: int
    book: str
    path: tuple[str, ...]
    """Titles from the main term down to this entry (nonessential modifiers not included)."""
    nemod: str
    code: str
    """The code printed on this line ('' if none). A trailing '-' means more characters are required."""
    extra_codes: tuple[str, ...] = ()
    manif: tuple[str, ...] = ()
    """Manifestation codes printed in brackets: code them after `code` (dual coding)."""
    see: str = ""
    see_also: str = ""
    see_category: str = ""
    use: str = ""
    cells: tuple[str, ...] = ()
    """Table rows only: the codes of columns 2.. of the Neoplasm / Drug table ('-' / '--' = none)."""
    nec: bool = False
    nos: bool = False

    @property
    def title(self) -> str:
        return self.path[-1]

    @property
    def text(self) -> str:
        """The full path as a coder reads it: 'Failure, heart, congestive'."""
        return ", ".join(self.path)

    @property
    def requires_more_characters(self) -> bool:
        return self.code.endswith("-")


@dataclass
class WalkResult:
    """What a walk through the index found. `code` is None when the walk stopped without one."""

    query: tuple[str, ...]
    entry: IndexEntry | None
    trail: tuple[str, ...]
    """Every line walked, in order, including skipped connectives and see-reference jumps."""
    unmatched: tuple[str, ...] = ()
    see: tuple[str, ...] = ()
    """'see' references the walk followed."""
    see_also: tuple[str, ...] = ()
    """'see also' references met on the way (followed only when the next step needed them)."""
    notes: tuple[str, ...] = ()

    @property
    def code(self) -> str | None:
        return (self.entry.code or None) if self.entry else None

    @property
    def path(self) -> tuple[str, ...]:
        """The index path of the entry reached (after any see jumps)."""
        return self.entry.path if self.entry else ()

    @property
    def manif(self) -> tuple[str, ...]:
        return self.entry.manif if self.entry else ()

    @property
    def complete(self) -> bool:
        """Every step matched and the entry carries a code."""
        return not self.unmatched and self.code is not None

    @property
    def requires_more_characters(self) -> bool:
        return bool(self.code) and self.code.endswith("-")


@dataclass
class TableResult:
    """A cell of the Table of Neoplasms or the Table of Drugs and Chemicals."""

    table: str
    column: str
    entry: IndexEntry | None
    code: str | None
    trail: tuple[str, ...] = ()
    unmatched: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def path(self) -> tuple[str, ...]:
        return self.entry.path if self.entry else ()

    @property
    def requires_more_characters(self) -> bool:
        return bool(self.code) and self.code.endswith("-")

    @property
    def requires_seventh_character(self) -> bool:
        """T-codes from the Drug table need a 7th character (A, D or S)."""
        return bool(self.code) and self.code.startswith("T") and len(self.code.replace(".", "")) == 6


@dataclass(frozen=True)
class SearchHit:
    path: tuple[str, ...]
    code: str
    score: float
    book: str
    id: int
    see: str = ""

    @property
    def text(self) -> str:
        return ", ".join(self.path)


@dataclass
class _State:
    node: int
    remaining: tuple[frozenset, ...]
    trail: tuple[int | str, ...] = ()
    see: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


# ------------------------------------------------------------------------------------- build
def _find(resolver: SourceResolver, source: Source) -> Path | None:
    try:
        return resolver.find_one(source)
    except SourceMissing:
        if source.optional:
            return None
        raise


def build(resolver: SourceResolver) -> tuple[DatasetInfo, dict]:
    """Parse the index files into the flat payload. Pure: no cache I/O."""
    from .icd10cm_index_xml import NodeTable, read_index_csv, read_index_xml
    from .readers import read_bytes

    table = NodeTable()
    files: list[Path] = []
    versions: dict[str, str] = {}

    main_xml = next((p for p in (_find(resolver, s) for s in MAIN_XML_SOURCES) if p), None)
    main_csv = None if main_xml else _find(resolver, MAIN_CSV_SOURCE)
    if main_xml is not None:
        data, name = read_bytes(main_xml, _ZIP_MEMBERS["main"])
        versions["main"] = read_index_xml(data, name, table, "main")
        files.append(main_xml)
        form = "official XML"
    elif main_csv is not None:
        data, name = read_bytes(main_csv)
        read_index_csv(data, name, table, "main")
        m = re.search(r"(20\d\d)", main_csv.name)
        versions["main"] = m.group(1) if m else ""
        files.append(main_csv)
        form = "derived CSV (lossy)"
    else:
        raise SourceMissing(DATASET, " or ".join([*_MAIN_XML_GLOBS, MAIN_CSV_SOURCE.mirror_glob]), resolver.where)

    for book in ("eindex", "neoplasm", "drug"):
        path = _find(resolver, TABLE_SOURCES[book])
        data, name = read_bytes(path, _ZIP_MEMBERS[book])
        versions[book] = read_index_xml(data, name, table, book)
        if path not in files:
            files.append(path)
    if len(table.headings.get("neoplasm", ())) < 7 or len(table.headings.get("drug", ())) < 7:
        raise ImportFailure(str(files[-1]), "Neoplasm / Drug table without its 7 column headings")

    years = sorted({v for v in versions.values() if v})
    release = "FY" + "/".join(years) if years else "unknown"
    payload = _compile(table)
    payload["main_form"] = form
    payload["release"] = release
    counts = {b: table.books[b][1] - table.books[b][0] for b in BOOKS}
    notes = (f"main index loaded from the {form}"
             + (f" ({CSV_LOSSES})" if main_csv is not None else "")
             + "; tables and external cause index from the official XML; entries "
             + ", ".join(f"{b} {n}" for b, n in counts.items()))
    info = DatasetInfo(
        dataset=DATASET,
        release=release,
        form=f"main index: {form}; neoplasm, drug, external cause: official XML",
        source_files=[str(p) for p in files],
        source_sha256=[sha256_of(p) for p in files],
        rows=len(table),
        notes=notes,
        compiler=COMPILER_VERSION,
    )
    return info, payload


def _compile(t) -> dict:
    n = len(t)
    parent = np.asarray(t.parent, dtype=np.int32)
    # Search postings: every node is indexed by the words of its full path (weight 1) and of
    # its own nonessential modifiers (weight 0.5).
    post: dict[str, list[int]] = {}
    soft: dict[str, list[int]] = {}
    path_len = np.zeros(n, dtype=np.int16)
    path_toks: list[frozenset] = [frozenset()] * n
    head_toks: list[frozenset] = [frozenset()] * n
    for i in range(n):
        p = t.parent[i]
        title = t.title[i]
        own = set(tokens(title)) - {"nec", "nos"}
        head = set(tokens(title.split(",")[0])) - {"nec", "nos"}
        words = own | (path_toks[p] if p >= 0 else frozenset())
        path_toks[i] = frozenset(words)
        head_toks[i] = frozenset(head | (head_toks[p] if p >= 0 else frozenset()))
        path_len[i] = len(head_toks[i])
        for w in words:
            post.setdefault(w, []).append(i)
        for w in set(tokens(t.nemod[i])) - words:
            soft.setdefault(w, []).append(i)
    vocab = sorted(set(post) | set(soft))
    offsets = [0]
    nodes: list[int] = []
    weights: list[int] = []
    for w in vocab:
        hard = post.get(w, [])
        nodes.extend(hard)
        weights.extend([2] * len(hard))
        s = soft.get(w, [])
        nodes.extend(s)
        weights.extend([1] * len(s))
        offsets.append(len(nodes))
    return {
        "layout": LAYOUT,
        "books": dict(t.books),
        "headings": dict(t.headings),
        "parent": parent,
        "end": np.asarray(t.end, dtype=np.int32),
        "level": np.asarray(t.level, dtype=np.int8),
        "flags": np.asarray(t.flags, dtype=np.int8),
        "title": _SEP.join(t.title),
        "nemod": _SEP.join(t.nemod),
        "code": _SEP.join(t.code),
        "extra_codes": t.extra_codes,
        "manif": t.manif,
        "see": t.see,
        "see_also": t.see_also,
        "see_cat": t.see_cat,
        "use": t.use,
        "cell_nodes": np.asarray(sorted(t.cells), dtype=np.int32),
        "cell_rows": _SEP.join("|".join(t.cells[i]) for i in sorted(t.cells)),
        "vocab": vocab,
        "offsets": np.asarray(offsets, dtype=np.int32),
        "post_nodes": np.asarray(nodes, dtype=np.int32),
        "post_weights": np.asarray(weights, dtype=np.int8),
        "path_len": path_len,
    }


def load(payload: dict) -> AlphabeticIndex:
    if payload.get("layout") != LAYOUT:
        raise ImportFailure(DATASET, f"compiled payload layout {payload.get('layout')} != {LAYOUT}; "
                                     "run `coderight data sync`")
    return AlphabeticIndex(payload)


# ----------------------------------------------------------------------------------- queries
class AlphabeticIndex:
    """Query object over the compiled index payload (cheap to create: nothing is parsed)."""

    def __init__(self, payload: dict):
        self._p = payload
        self.parent = payload["parent"]
        self.books: dict[str, tuple[int, int]] = payload["books"]
        self.form: str = payload["main_form"]
        self.release: str = payload["release"]
        self._keys: dict[int, tuple] = {}
        self._root_index: dict[str, dict[str, list[int]]] = {}

    def __len__(self) -> int:
        return len(self._p["parent"])

    # Per-entry strings are split on first use, so that loading stays a plain unpickle.
    @cached_property
    def title(self) -> list[str]:
        return self._p["title"].split(_SEP)

    @cached_property
    def code(self) -> list[str]:
        return self._p["code"].split(_SEP)

    @cached_property
    def nemod(self) -> list[str]:
        return self._p["nemod"].split(_SEP)

    @cached_property
    def end(self) -> list[int]:
        return self._p["end"].tolist()

    @cached_property
    def _cells(self) -> dict[int, tuple[str, ...]]:
        rows = self._p["cell_rows"].split(_SEP) if self._p["cell_rows"] else []
        return {i: tuple(r.split("|")) for i, r in zip(self._p["cell_nodes"].tolist(), rows, strict=True)}

    def __repr__(self) -> str:
        return f"<AlphabeticIndex {self.release} main={self.form!r} entries={len(self)}>"

    # --------------------------------------------------------------------------- entries
    def book_of(self, i: int) -> str:
        for b, (lo, hi) in self.books.items():
            if lo <= i < hi:
                return b
        raise IndexError(i)

    def path_ids(self, i: int) -> list[int]:
        out = []
        while i >= 0:
            out.append(i)
            i = int(self.parent[i])
        return out[::-1]

    def entry(self, i: int) -> IndexEntry:
        p = self._p
        flags = int(p["flags"][i])
        return IndexEntry(
            id=i, book=self.book_of(i), path=tuple(self.title[j] for j in self.path_ids(i)),
            nemod=self.nemod[i], code=self.code[i], extra_codes=p["extra_codes"].get(i, ()),
            manif=p["manif"].get(i, ()), see=p["see"].get(i, ""), see_also=p["see_also"].get(i, ""),
            see_category=p["see_cat"].get(i, ""), use=p["use"].get(i, ""), cells=self._cells.get(i, ()),
            nec=bool(flags & NEC), nos=bool(flags & NOS),
        )

    def children(self, i: int) -> Iterator[int]:
        """Ids of the subterms directly under entry ``i`` (``-1``: not allowed, use `roots`)."""
        j, stop = i + 1, self.end[i]
        while j < stop:
            yield j
            j = self.end[j]

    def roots(self, book: str = "main") -> Iterator[int]:
        """Ids of the main terms of a book."""
        j, stop = self.books[book]
        while j < stop:
            yield j
            j = self.end[j]

    def terms(self, book: str | None = "main") -> Iterator[IndexEntry]:
        """Every entry (main terms and subterms, pre-order) with its full path, code and flags.

        ``book=None`` walks all four books."""
        for b in (BOOKS if book is None else (book,)):
            lo, hi = self.books[b]
            for i in range(lo, hi):
                yield self.entry(i)

    # --------------------------------------------------------------------------- matching
    def _key(self, i: int) -> tuple[frozenset, tuple[frozenset, ...], frozenset]:
        k = self._keys.get(i)
        if k is None:
            comps = tuple(frozenset(tokens(c)) - {"nec", "nos"} for c in self.title[i].split(","))
            comps = tuple(c for c in comps if c) or (frozenset(),)
            full = frozenset().union(*comps)
            k = self._keys[i] = (full, comps, frozenset(tokens(self.nemod[i])))
        return k

    def _score(self, step: frozenset, i: int) -> tuple[int, frozenset | None]:
        """How well one step names entry ``i``: (score, leftover words for a next step)."""
        full, comps, nemod = self._key(i)
        if not step or not full:
            return 0, None
        s1 = step - (nemod - full)
        pen = 5 if s1 != step else 0
        if not s1:
            return 0, None
        if s1 == full:
            return 100 - pen, None
        if s1 == comps[0]:
            return 85 - pen, None
        if any(s1 == c for c in comps[1:]):
            return 75 - pen, None
        if full < s1 and full in CONNECTIVES:
            # "with hyperglycemia" at the connective "with": hyperglycemia is the next step
            return 90 - pen, s1 - full
        if comps[0] < s1 and comps[0] not in CONNECTIVES:
            # "type 2 diabetes" at "Diabetes, diabetic": the rest is the next step
            matched = full & s1
            return 55 - pen, s1 - matched
        if s1 < full and len(s1) >= max(1, len(full) - 2) and not (len(s1) == 1 and len(full) > 1
                                                                  and next(iter(s1)) in _STOP):
            return 40 - pen, None
        return 0, None

    def _roots_for(self, book: str, step: frozenset) -> set[int]:
        idx = self._root_index.get(book)
        if idx is None:
            idx = {}
            for r in self.roots(book):
                full, _, nemod = self._key(r)
                for w in full:
                    idx.setdefault(w, []).append(r)
            self._root_index[book] = idx
        out: set[int] = set()
        for w in step:
            out.update(idx.get(w, ()))
        return out

    def _candidates(self, book: str, parent: int, steps: tuple[frozenset, ...]):
        """Ranked (score, consumed, node, via, leftover) for the next step(s) under ``parent``."""
        step = steps[0]
        pool = sorted(self._roots_for(book, step)) if parent < 0 else list(self.children(parent))
        found = []
        for c in pool:
            best = None
            for k in range(min(3, len(steps)), 1, -1):  # a term whose title holds commas
                if self._score(frozenset().union(*steps[:k]), c)[0] == 100:
                    best = (100, k, c, -1, None)
                    break
            if best is None:
                sc, left = self._score(step, c)
                if sc:
                    best = (sc, 1, c, -1, left)
            if best:
                found.append(best)
            if parent >= 0 and self._key(c)[0] in CONNECTIVES and (best is None or best[0] < 100):
                gstep = step - self._key(c)[0] or step
                for g in self.children(c):
                    sc, left = self._score(gstep, g)
                    if sc:
                        found.append((sc - 3, 1, g, c, left))
        found.sort(key=lambda f: (-f[0], -f[1], f[2]))
        return found

    def _walk(self, book: str, st: _State, hops: int) -> _State:
        if not st.remaining:
            return self._finish(book, st, hops)
        cands = self._candidates(book, st.node, st.remaining)
        if not cands:
            return self._detour(book, st, hops)
        top = cands[0][0]
        best, best_key = None, None
        for _sc, k, node, via, left in [c for c in cands if c[0] == top][:MAX_BRANCH]:
            rest = st.remaining[k:]
            if left:
                rest = (left, *rest)
            trail = st.trail + ((via,) if via >= 0 else ()) + (node,)
            r = self._walk(book, _State(node, rest, trail, st.see, st.see_also, st.notes), hops)
            key = (-len(r.remaining), bool(self.code[r.node]) if r.node >= 0 else False,
                   bool(self.code[node]), self.end[node] - node, -node)
            if best_key is None or key > best_key:
                best, best_key = r, key
        return best

    def _detour(self, book: str, st: _State, hops: int) -> _State:
        """No subterm matches the next step: follow this entry's see / see also, if any."""
        if st.node < 0 or hops >= MAX_SEE_HOPS:
            return st
        for kind in ("see", "see_also"):
            ref = self._p[kind].get(st.node)
            if not ref:
                continue
            target = self._resolve(book, ref, hops + 1)
            if target is None:
                continue
            tbook, tnode, tnotes = target
            label = f"{'see' if kind == 'see' else 'see also'}: {ref}"
            nst = _State(tnode, st.remaining, st.trail + (label, tnode),
                         st.see + ((ref,) if kind == "see" else ()), st.see_also + ((ref,) if kind != "see" else ()),
                         st.notes + tnotes)
            r = self._walk(tbook, nst, hops + 1)
            if len(r.remaining) < len(st.remaining):
                return r
        return st

    def _finish(self, book: str, st: _State, hops: int) -> _State:
        """All steps used: an entry without a code but with a 'see' sends the coder on."""
        i = st.node
        if i < 0 or self.code[i] or i in self._cells:
            return st
        ref = self._p["see"].get(i)
        if ref and hops < MAX_SEE_HOPS:
            target = self._resolve(book, ref, hops + 1)
            if target is not None:
                tbook, tnode, tnotes = target
                nst = _State(tnode, (), st.trail + (f"see: {ref}", tnode), st.see + (ref,), st.see_also,
                             st.notes + tnotes)
                return self._finish(tbook, nst, hops + 1)
            return _State(i, (), st.trail, st.see + (ref,), st.see_also,
                          st.notes + (f"see {ref!r}: could not be followed automatically",))
        return st

    def _resolve(self, book: str, ref: str, hops: int) -> tuple[str, int, tuple[str, ...]] | None:
        """Where a see / see-also reference points: (book, entry id, notes), or None."""
        for part in ref.split(";"):
            comps = [c.strip() for c in part.split(",") if c.strip()]
            steps, skipped = [], []
            for c in comps:
                words = tokens(c)
                if _is_placeholder(words):
                    skipped.append(c)
                elif words:
                    steps.append(frozenset(words))
            if not steps:
                continue
            if steps[0] >= frozenset(("table",)) and steps[0] & {"drug", "neoplasm"}:
                continue
            order = [book] + [b for b in BOOKS if b != book]
            if steps[0] & {"neoplasm"}:
                order = ["neoplasm"] + [b for b in order if b != "neoplasm"]
            for b in order:
                r = self._walk_steps(b, tuple(steps), hops)
                if r.node >= 0 and not r.remaining:
                    notes = tuple(f"see reference part {s!r} left to the coder" for s in skipped)
                    return b, r.node, notes
        return None

    def _walk_steps(self, book: str, steps: tuple[frozenset, ...], hops: int = 0, start: int = -1) -> _State:
        return self._walk(book, _State(start, steps), hops)

    # ------------------------------------------------------------------------------- API
    def lookup(self, text: str, book: str = "main") -> WalkResult:
        """Walk a comma-separated path: ``lookup("diabetes, type 2, with, chronic kidney disease")``."""
        return self.walk([t for t in text.split(",") if t.strip()], book=book)

    def walk(self, terms: Sequence[str], book: str = "main", start: int = -1) -> WalkResult:
        """Walk the index term by term, the way a coder does: main term, then subterms.

        Follows 'see' references, uses a 'see also' when the next term is only found there,
        skips 'with' / 'in' / 'due to' when the term names what they qualify.
        """
        if book not in self.books:
            raise KeyError(f"unknown index book {book!r}; books: {', '.join(self.books)}")
        query = tuple(t.strip() for t in terms if t.strip())
        steps = tuple(frozenset(tokens(t)) for t in query)
        steps = tuple(s for s in steps if s)
        st = self._walk_steps(book, steps, start=start)
        return self._result(query, st)

    def _result(self, query: tuple[str, ...], st: _State) -> WalkResult:
        n_unmatched = len(st.remaining)
        unmatched = query[len(query) - n_unmatched:] if n_unmatched <= len(query) else query
        entry = self.entry(st.node) if st.node >= 0 else None
        notes = list(st.notes)
        if entry is None:
            notes.append("no main term matches " + repr(query[0] if query else ""))
        elif unmatched:
            notes.append(f"stopped at {entry.text!r}: no subterm for {', '.join(unmatched)!r}")
        if entry is not None:
            if not entry.code and not entry.cells:
                notes.append("no code on this line: choose a subterm" if not entry.see
                             else f"see {entry.see!r}")
            if entry.code.endswith("-"):
                notes.append(f"{entry.code} requires more characters: see the Tabular List")
            if entry.manif:
                notes.append(f"also code the manifestation [{', '.join(entry.manif)}] after {entry.code}")
            if entry.see_also and entry.see_also not in st.see_also:
                notes.append(f"see also {entry.see_also!r}")
        trail = tuple(x if isinstance(x, str) else self.title[x] for x in st.trail)
        return WalkResult(query=query, entry=entry, trail=trail, unmatched=unmatched, see=st.see,
                          see_also=st.see_also, notes=tuple(notes))

    # ------------------------------------------------------------------------------ tables
    def _column(self, table: str, column: str) -> int:
        want = " ".join(tokens(column))
        for col, names in _COLUMN_ALIASES[table].items():
            if want in (" ".join(tokens(n)) for n in names):
                return col
        heads = self._p["headings"][table][1:]
        for col, h in enumerate(heads):
            if want == " ".join(tokens(h)):
                return col
        raise KeyError(f"unknown {table} table column {column!r}; columns: {', '.join(heads)}")

    def _table(self, table: str, terms: Sequence[str], column: str) -> TableResult:
        col = self._column(table, column)
        heading = self._p["headings"][table][col + 1]
        query = [t for t in terms if t.strip()]
        start = -1
        if table == "neoplasm":
            start = next(self.roots("neoplasm"))
            if query and frozenset(tokens(query[0])) <= self._key(start)[0]:
                query = query[1:]
        if not query:
            st = _State(start, ())
        else:
            st = self._walk_steps(table, tuple(frozenset(tokens(t)) for t in query), start=start)
        res = self._result(tuple(query), st)
        notes = [n for n in res.notes if not n.startswith(("no code on this line", "see also"))]
        node = st.node
        trail = res.trail
        code = self._cell(node, col)
        if node >= 0 and code is None:
            # a '-' cell: the row's see / see also names where the site is classified
            for kind in ("see", "see_also"):
                ref = self._p[kind].get(node)
                if not ref:
                    continue
                target = self._resolve(table, ref, 1)
                if target is None:
                    continue
                _, tnode, _ = target
                # the same site under the referenced row, else the row itself
                sub = self._candidates(table, tnode, (self._key(node)[0],))
                hit = sub[0][2] if sub and sub[0][0] >= 75 else tnode
                if self._cell(hit, col) is not None:
                    notes.append(f"{self.title[node]!r} has no {heading} code: "
                                 f"{'see' if kind == 'see' else 'see also'} {ref!r}")
                    trail = trail + (f"{kind.replace('_', ' ')}: {ref}", *(self.title[j] for j in
                                                                             self.path_ids(hit)[1:]))
                    node, code = hit, self._cell(hit, col)
                    break
        if node >= 0 and code is None:
            notes.append(f"no {heading} code on {self.title[node]!r}")
        entry = self.entry(node) if node >= 0 else None
        result = TableResult(table=table, column=heading, entry=entry, code=code, trail=trail,
                             unmatched=res.unmatched, notes=())
        if result.requires_seventh_character:
            notes.append(f"{code}: a 7th character is required (A initial encounter, D subsequent, S sequela)")
        if result.requires_more_characters:
            notes.append(f"{code} requires more characters: see the Tabular List")
        result.notes = tuple(notes)
        return result

    def _cell(self, node: int, col: int) -> str | None:
        if node < 0:
            return None
        cells = self._cells.get(node, ())
        v = cells[col].strip() if col < len(cells) else ""
        return v if v and v.strip("-") else None

    def neoplasm(self, site: str | Sequence[str], behavior: str = "malignant primary") -> TableResult:
        """Table of Neoplasms: ``neoplasm("colon", "malignant primary").code == "C18.9"``.

        ``site`` is a comma-separated path ("skin, nose") or a list of terms; ``behavior`` one of
        malignant primary / secondary / in situ / benign / uncertain / unspecified."""
        terms = site.split(",") if isinstance(site, str) else list(site)
        return self._table("neoplasm", terms, behavior)

    def drug(self, substance: str | Sequence[str], intent: str = "accidental") -> TableResult:
        """Table of Drugs and Chemicals: ``drug("penicillin", "accidental").code == "T36.0X1"``.

        ``intent``: accidental / intentional self-harm / assault / undetermined / adverse effect /
        underdosing. The code still needs its 7th character (see `TableResult.notes`)."""
        terms = substance.split(",") if isinstance(substance, str) else list(substance)
        return self._table("drug", terms, intent)

    # ------------------------------------------------------------------------------ search
    @cached_property
    def _vocab_ix(self) -> dict[str, int]:
        return {w: k for k, w in enumerate(self._p["vocab"])}

    @cached_property
    def _book_of_arr(self) -> np.ndarray:
        arr = np.zeros(len(self), dtype=np.int8)
        for k, b in enumerate(BOOKS):
            lo, hi = self.books[b]
            arr[lo:hi] = k
        return arr

    @cached_property
    def _has_code(self) -> np.ndarray:
        has = np.fromiter((bool(c) for c in self.code), dtype=bool, count=len(self))
        has[self._p["cell_nodes"]] = True
        return has

    def _book_mask(self, books: tuple[str, ...]) -> np.ndarray:
        masks = self.__dict__.setdefault("_masks", {})
        m = masks.get(books)
        if m is None:
            m = masks[books] = np.isin(self._book_of_arr, [BOOKS.index(b) for b in books])
        return m

    def _postings(self, word: str) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """(nodes, weights, discount) for a query word; unknown words >= 4 letters match as prefixes."""
        vix = self._vocab_ix
        ids = [vix[word]] if word in vix else []
        if len(word) > 5:  # "fractured" also finds "fracture", "bleeding" also "bleed"
            for cut, add in (("ed", ""), ("d", ""), ("ing", ""), ("ing", "e")):
                v = word[: -len(cut)] + add
                if word.endswith(cut) and v in vix and vix[v] not in ids:
                    ids.append(vix[v])
        discount = 1.0
        if not ids and len(word) >= 4:  # unknown word: match as a prefix
            vocab = self._p["vocab"]
            k = bisect.bisect_left(vocab, word)
            while k < len(vocab) and vocab[k].startswith(word) and len(ids) < 20:
                ids.append(k)
                k += 1
            discount = 0.7
        off, nodes, weights = self._p["offsets"], self._p["post_nodes"], self._p["post_weights"]
        return [(nodes[off[k]:off[k + 1]], weights[off[k]:off[k + 1]], discount) for k in ids]

    def search(self, text: str, limit: int = 10, books: Sequence[str] = ("main", "eindex")) -> list[SearchHit]:
        """Ranked index entries for free text: ``search("chf")`` -> [Failure, heart, congestive I50.9, …].

        Every query word is looked up in an inverted index of path words; entries naming all the
        words, with few words beside them, with a code, in the main index, rank first."""
        q = " ".join(tokens(text))
        q = " ".join(tokens(ABBREVIATIONS.get(q, q)))
        words = []
        for w in q.split():
            exp = ABBREVIATIONS.get(w)
            for x in (tokens(exp) if exp else [w]):
                if x not in words:
                    words.append(x)
        if not words:
            return []
        n = len(self)
        acc = np.zeros(n, dtype=np.float32)
        hits = np.zeros(n, dtype=np.int16)
        total = 0.0
        touched: list[np.ndarray] = []
        for w in words:
            plist = self._postings(w)
            df = sum(len(p[0]) for p in plist)
            idf = math.log(1 + n / (1 + df))
            total += idf
            touched.extend(p[0] for p in plist)
            if len(plist) == 1:  # one vocabulary word: its node ids are unique
                nodes, weights, disc = plist[0]
                acc[nodes] += np.float32(idf * disc / 2) * weights
                hits[nodes] += 1
            elif plist:
                seen = np.zeros(n, dtype=bool)
                for nodes, weights, disc in plist:
                    acc[nodes] += np.float32(idf * disc / 2) * weights
                    seen[nodes] = True
                hits += seen
        if not touched:
            return []
        cand = np.unique(np.concatenate(touched))
        cand = cand[self._book_mask(tuple(books))[cand]]
        if not len(cand):
            return []
        plen = self._p["path_len"][cand].astype(np.float32)
        extra = np.maximum(plen - hits[cand], 0)
        score = (acc[cand] / total) - 0.04 * extra + 0.08 * self._has_code[cand] \
            + 0.02 * (self._book_of_arr[cand] == 0) - 0.01 * self._p["level"][cand]
        k = min(limit, len(cand))
        top = np.argpartition(-score, k - 1)[:k]
        top = top[np.lexsort((cand[top], -score[top]))]
        out = []
        for t in top:
            i = int(cand[t])
            out.append(SearchHit(path=tuple(self.title[j] for j in self.path_ids(i)), code=self.code[i],
                                 score=round(float(score[t]), 4), book=BOOKS[int(self._book_of_arr[i])], id=i,
                                 see=self._p["see"].get(i, "")))
        return out

