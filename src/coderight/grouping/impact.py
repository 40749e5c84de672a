"""What-if DRG impact: the DRG of a coded case without each secondary diagnosis, and with each
condition the diagnosis engine found documented-but-uncoded or worth a query.

Payment difference = weight difference x base rate (default: FY2026 national operating + capital
rates, :class:`~coderight.grouping.weights.PaymentRates`). Weights come from the grouper: for
FY2026 discharges the official Table 5 by default (10%-cap weights). Without a Table 5 for the
fiscal year (other years, unless supplied) the DRG shifts are still reported, the money is ``None``.

>>> from datetime import date
>>> from coderight.grouping.drg import DrgGrouper
>>> case = InpatientCase.from_codes("I50.23", ["N17.9"], age=72, sex="M",
...                                 discharge_date=date(2025, 11, 3))
>>> rep = what_if(case, DrgGrouper(), candidates=[("J96.01", "query")])
>>> rep.base.drg, [(ln.kind, ln.code, ln.drg) for ln in rep.lines]
(292, [('remove', 'N179', 293), ('add', 'J9601', 291)])
>>> rep.base_payment, [(ln.code, ln.weight_delta, ln.payment_delta) for ln in rep.lines]
(6177.97, [('N179', -0.283, -2059.32), ('J9601', 0.4348, 3163.94)])
"""

from __future__ import annotations

from collections.abc import Iterable

from coderight.grouping.drg import DrgGrouper
from coderight.grouping.models import DrgResult, ImpactReport, InpatientCase, WhatIfLine, norm_code
from coderight.grouping.weights import PaymentRates


def _w(r: DrgResult) -> float | None:
    return r.weight.weight if r.weight is not None else None


def _line(kind: str, code: str, source: str, base: DrgResult, alt: DrgResult, rate: float) -> WhatIfLine:
    wb, wa = _w(base), _w(alt)
    dw = round(wa - wb, 4) if (wa is not None and wb is not None) else None  # Table 5 has 4 decimals
    return WhatIfLine(
        kind=kind,
        code=code,
        source=source,
        drg=alt.drg,
        severity=alt.severity,
        weight=wa,
        weight_delta=dw,
        payment_delta=round(dw * rate, 2) if dw is not None else None,
    )


def what_if(
    case: InpatientCase,
    grouper: DrgGrouper,
    candidates: Iterable[tuple[str, str] | str] = (),
    rates: PaymentRates | None = None,
    poa_for_added: str = "Y",
) -> ImpactReport:
    """DRG with and without each coded secondary diagnosis, and with each candidate added.

    ``candidates`` are ``(code, source)`` pairs, ``source`` being e.g. ``"documented-uncoded"``
    or ``"query"`` (a bare code means ``"documented-uncoded"``). A candidate already coded is
    skipped.
    """
    rates = rates or PaymentRates()
    rate = rates.base_rate
    base = grouper.group(case)
    lines: list[WhatIfLine] = []
    seen: set[str] = set()
    for d in case.secondary_dx:
        if d.code in seen:
            continue
        seen.add(d.code)
        lines.append(_line("remove", d.code, "coded", base, grouper.group(case.without_secondary(d.code)), rate))
    for cand in candidates:
        code, source = (cand, "documented-uncoded") if isinstance(cand, str) else cand
        code = norm_code(code)
        if code in seen or code == case.principal_dx:
            continue
        seen.add(code)
        lines.append(_line("add", code, source, base, grouper.group(case.with_secondary(code, poa_for_added)), rate))
    wb = _w(base)
    return ImpactReport(
        base=base,
        base_payment=round(wb * rate, 2) if wb is not None else None,
        lines=tuple(lines),
        base_rate=rate,
    )
