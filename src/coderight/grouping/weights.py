"""MS-DRG relative weights (IPPS Table 5) and the base rate that turns weights into dollars.

Neither ``msdrg`` nor ``drgpy`` carries Table 5 (relative weight, GMLOS, AMLOS): both ship the
grouping logic only. Table 5 is loaded from the official CMS file of the IPPS final rule
("FY 2026 Final Rule Table 5 - MS-DRGs, Relative Weighting Factors and Geometric and Arithmetic
Mean Length of Stay", published as .xlsx and tab-delimited .txt) with :func:`load_table5`, or from
``$CODERIGHT_DATA_MIRROR/ipps/*table*5*``. :func:`parse_table5` is the pure parser.

>>> t = parse_table5([["MS-DRG", "MDC", "TYPE", "MS-DRG Title", "Weights",
...                    "Geometric mean LOS", "Arithmetic mean LOS"],
...                   ["871", "18", "MED", "Septicemia with MCC", "1.9", "4.5", "5.8"]],
...                  release="example")
>>> t[871].weight, t[871].gmlos, t.release
(1.9, 4.5, 'example')
>>> round(PaymentRates().base_rate, 2)
7276.76
"""

from __future__ import annotations

import csv
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
    """DRG number -> :class:`DrgWeight`, with the release it came from."""

    def __init__(self, rows: Iterable[DrgWeight], release: str):
        self._rows = {r.drg: r for r in rows}
        self.release = release

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
    if not s:
        return None
    return float(s)


def parse_table5(rows: Iterable[Sequence], release: str, source: str = "<rows>") -> WeightTable:
    """Parse Table 5 rows (header row first; title lines before it are skipped).

    Fails loudly (``ValueError`` naming source and line) on a row whose weight is not a number.
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
    i_w = _col(header, r"weight")
    i_g = _col(header, r"geometric")
    i_a = _col(header, r"arithmetic")
    i_t = _col(header, r"title")
    out: list[DrgWeight] = []
    for row in it:
        line += 1
        cells = [str(c if c is not None else "").strip() for c in row]
        if not cells or not cells[i_drg].isdigit():
            continue  # footnotes, blank lines
        try:
            w = _num(cells[i_w])
            if w is None:
                raise ValueError("empty weight")
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
    return WeightTable(out, release)


def load_table5(path: str | os.PathLike, release: str | None = None) -> WeightTable:
    """Read the official Table 5 file (.xlsx, tab-delimited .txt or .csv). I/O at the rim."""
    p = Path(path)
    rel = release or p.stem
    if p.suffix.lower() == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        return parse_table5(rows, rel, str(p))
    text = p.read_text(encoding="utf-8", errors="replace")
    delim = "\t" if text.count("\t") > text.count(",") else ","
    return parse_table5(csv.reader(text.splitlines(), delimiter=delim), rel, str(p))


def find_table5(mirror: str | os.PathLike | None = None, fiscal_year: int = 2026) -> WeightTable | None:
    """Table 5 for a fiscal year from the data mirror, or None when the mirror has none."""
    root = mirror or os.environ.get("CODERIGHT_DATA_MIRROR")
    if not root:
        return None
    base = Path(root) / "ipps"
    if not base.is_dir():
        return None
    for f in sorted(base.iterdir()):
        n = f.name.lower()
        if "table" in n and "5" in n and str(fiscal_year) in n:
            return load_table5(f, release=f"FY{fiscal_year} Table 5 ({f.name})")
    return None
