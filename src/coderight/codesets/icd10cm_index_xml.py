"""Readers for the ICD-10-CM Alphabetic Index files: the official CDC/CMS XML and a flattened CSV.

Both readers fill one flat, pre-order node table (`NodeTable`): one row per main term or
subterm, parallel lists instead of an object graph, so the compiled payload pickles and loads
fast. Children of node ``i`` are found through ``end[i]`` (one past the last node of ``i``'s
subtree): the first child is ``i + 1`` and each next sibling is ``end`` of the previous one.

The official XML (one schema for the Index to Diseases and Injuries, the External Cause Index,
the Table of Neoplasms and the Table of Drugs and Chemicals)::

    <ICD10CM.index> <version/> <title/> <indexHeading><head col=N/>…</indexHeading>
      <letter><title>A</title>
        <mainTerm><title>Abasia<nemod>(-astasia) (hysterical)</nemod></title><code>F44.4</code>
          <term level="1"><title>…</title> <see/> <seeAlso/> <code/> <seecat/> <subcat/>
                <manif/> <use/> <cell col=N/> <term level="2">…</term></term>

>>> xml = b'''<ICD10CM.index><version>2025</version><letter><title>A</title>
... <mainTerm><title>Abasia<nemod>(-astasia)</nemod> NEC</title><code>F44.4</code>
...  <term level="1"><title>with</title><term level="2"><title>gait</title><code>R26.-</code>
...   <manif>G99.2</manif></term></term></mainTerm></letter></ICD10CM.index>'''
>>> t = NodeTable()
>>> read_index_xml(xml, "demo.xml", t, "main")
'2025'
>>> t.title, t.nemod, t.code, t.flags[0] & NEC, t.manif
(['Abasia NEC', 'with', 'gait'], ['(-astasia)', '', ''], ['F44.4', '', 'R26.-'], 1, {2: ('G99.2',)})
>>> t.end, t.parent, t.level
([3, 3, 3], [-1, 0, 1], [0, 1, 2])
"""

from __future__ import annotations

import csv
import io
import re

from .errors import ImportFailure

NEC, NOS = 1, 2
"""Bit flags in `NodeTable.flags`: the title says 'not elsewhere classifiable' / 'not otherwise specified'."""

_CODE_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{0,4})?-?$|^[A-Z][0-9][0-9A-Z]?\.?-$")
_TRAILING_CODE_RE = re.compile(r"^(.*\S)\s+([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?-?)$")
_WS = re.compile(r"\s+")


class NodeTable:
    """The flat node table both readers fill (pre-order; parallel lists; sparse dicts for rare fields)."""

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.end: list[int] = []
        self.level: list[int] = []
        self.flags: list[int] = []
        self.title: list[str] = []
        self.nemod: list[str] = []
        self.code: list[str] = []
        self.extra_codes: dict[int, tuple[str, ...]] = {}
        self.manif: dict[int, tuple[str, ...]] = {}
        self.see: dict[int, str] = {}
        self.see_also: dict[int, str] = {}
        self.see_cat: dict[int, str] = {}
        self.use: dict[int, str] = {}
        self.cells: dict[int, tuple[str, ...]] = {}
        self.headings: dict[str, tuple[str, ...]] = {}
        self.books: dict[str, tuple[int, int]] = {}

    def __len__(self) -> int:
        return len(self.title)

    def add(self, parent: int, level: int, title: str, nemod: str = "") -> int:
        i = len(self.title)
        title = _WS.sub(" ", title).strip()
        self.parent.append(parent)
        self.end.append(i + 1)
        self.level.append(level)
        words = set(re.findall(r"[A-Za-z]+", title))
        self.flags.append((NEC if "NEC" in words else 0) | (NOS if "NOS" in words else 0))
        self.title.append(title)
        self.nemod.append(_WS.sub(" ", nemod).strip())
        self.code.append("")
        return i

    def close(self, i: int) -> None:
        self.end[i] = len(self.title)

    def set_codes(self, i: int, codes: list[str]) -> None:
        codes = [c for c in (c.strip() for c in codes) if c]
        if codes:
            self.code[i] = codes[0]
        if len(codes) > 1:
            self.extra_codes[i] = tuple(codes[1:])


# ---------------------------------------------------------------------------------------- bytes
# ------------------------------------------------------------------------------------------ XML
def _title_parts(el) -> tuple[str, str]:
    """Title text without the nonessential modifiers, and the modifiers."""
    if el is None:
        return "", ""
    text = [el.text or ""]
    nemod = []
    for child in el:
        if child.tag == "nemod":
            nemod.append("".join(child.itertext()))
        elif isinstance(child.tag, str):  # <diff>/<new>/<unc> in addenda: keep their text
            text.append("".join(child.itertext()))
        text.append(child.tail or "")
    return "".join(text), " ".join(nemod)


def _text(el) -> str:
    """Text of a see / seeAlso / code element, with any <seecat>/<subcat> kept inline."""
    return _WS.sub(" ", "".join(el.itertext())).strip()


def read_index_xml(data: bytes, name: str, table: NodeTable, book: str) -> str:
    """Parse one official index XML into ``table`` as ``book``; return its <version> text."""
    from lxml import etree  # import time only: keep lxml off the start-up path

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        line = e.lineno if e.lineno else None
        raise ImportFailure(name, f"malformed XML: {e.msg}", line) from e
    if root.tag != "ICD10CM.index":
        raise ImportFailure(name, f"root element is <{root.tag}>, expected <ICD10CM.index>", root.sourceline)
    version = (root.findtext("version") or "").strip()
    heading = root.find("indexHeading")
    if heading is not None:
        heads = sorted((int(h.get("col", "0")), _text(h)) for h in heading.findall("head"))
        table.headings[book] = tuple(h for _, h in heads)
    start = len(table)
    letters = root.findall("letter")
    if not letters:
        raise ImportFailure(name, "no <letter> element: not an ICD-10-CM index file", root.sourceline)
    for letter in letters:
        for main in letter.findall("mainTerm"):
            _read_term(main, -1, 0, table, name)
    table.books[book] = (start, len(table))
    return version


def _read_term(el, parent: int, level: int, table: NodeTable, name: str) -> None:
    title_el = el.find("title")
    if title_el is None:
        title_el = el.find("diff")
    title, nemod = _title_parts(title_el)
    if not title.strip():
        raise ImportFailure(name, f"<{el.tag}> without a title", el.sourceline)
    i = table.add(parent, level, title, nemod)
    codes: list[str] = []
    manif: list[str] = []
    cells: dict[int, str] = {}
    for child in el:
        tag = child.tag
        if tag == "code":
            codes.append(_text(child))
        elif tag == "manif":
            manif.append(_text(child))
        elif tag == "see":
            table.see[i] = _join(table.see.get(i), _text(child))
        elif tag == "seeAlso":
            table.see_also[i] = _join(table.see_also.get(i), _text(child))
        elif tag in ("seecat", "subcat"):
            table.see_cat[i] = _join(table.see_cat.get(i), _text(child))
        elif tag in ("use", "warning"):
            table.use[i] = _join(table.use.get(i), _text(child))
        elif tag == "cell":
            try:
                col = int(child.get("col", ""))
            except ValueError:
                raise ImportFailure(name, f"<cell> with col={child.get('col')!r}", child.sourceline) from None
            cells[col] = _text(child)
        elif tag == "term":
            try:
                sub = int(child.get("level", ""))
            except ValueError:
                raise ImportFailure(name, f"<term> with level={child.get('level')!r}", child.sourceline) from None
            if sub != level + 1:
                raise ImportFailure(name, f"<term level={sub}> nested under level {level}", child.sourceline)
            _read_term(child, i, sub, table, name)
    table.set_codes(i, codes)
    if manif:
        table.manif[i] = tuple(manif)
    if cells:
        table.cells[i] = tuple(cells.get(c, "") for c in range(2, max(cells) + 1))
    table.close(i)


def _join(old: str | None, new: str) -> str:
    return f"{old}; {new}" if old else new


# ------------------------------------------------------------------------------------------ CSV
CSV_COLUMNS = ("RowID", "Letter", "Level", "Term", "See", "SeeAlso", "NonEssModif", "Code")


def read_index_csv(data: bytes, name: str, table: NodeTable, book: str = "main") -> int:
    """Parse the flattened main-index CSV into ``table``; return the number of rows read.

    Repairs one flattening artefact: a code glued to the end of a see / see-also text
    ("Fracture, traumatic M84.40") is split off into the code column when that column is empty.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImportFailure(name, f"not UTF-8: {e}") from e
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailure(name, "empty file", 1) from None
    if tuple(h.strip() for h in header) != CSV_COLUMNS:
        raise ImportFailure(name, f"unexpected header {header!r}, expected {','.join(CSV_COLUMNS)}", 1)
    start = len(table)
    stack: list[int] = []  # open node per level
    rows = 0
    try:
        for row in reader:
            if not row:
                continue
            line = reader.line_num
            if len(row) != len(CSV_COLUMNS):
                raise ImportFailure(name, f"{len(row)} columns, expected {len(CSV_COLUMNS)}", line)
            _, _, level_s, term, see, see_also, nemod, code = (c.strip() for c in row)
            try:
                level = int(level_s)
            except ValueError:
                raise ImportFailure(name, f"Level {level_s!r} is not a number", line) from None
            if level > len(stack) or level < 0:
                raise ImportFailure(name, f"Level {level} follows level {len(stack) - 1}", line)
            if not term and not nemod:
                raise ImportFailure(name, "empty Term", line)
            if not term:  # "<nemod>(somatoform)</nemod> pain": the flattening kept only the modifier
                term, nemod = nemod.strip("() "), ""
            while len(stack) > level:
                table.close(stack.pop())
            i = table.add(stack[-1] if stack else -1, level, term, nemod)
            stack.append(i)
            if not code:
                for ref in (see, see_also):
                    m = _TRAILING_CODE_RE.match(ref)
                    if m and _CODE_RE.match(m.group(2)):
                        code = m.group(2)
                        if ref is see:
                            see = m.group(1)
                        else:
                            see_also = m.group(1)
                        break
            if code:
                table.set_codes(i, [code])
            if see:
                table.see[i] = see
            if see_also:
                table.see_also[i] = see_also
            rows += 1
    except csv.Error as e:
        raise ImportFailure(name, f"malformed CSV: {e}", reader.line_num) from e
    while stack:
        table.close(stack.pop())
    if not rows:
        raise ImportFailure(name, "no index rows", 2)
    table.books[book] = (start, len(table))
    return rows
