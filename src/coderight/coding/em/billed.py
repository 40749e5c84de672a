"""What was billed against what the note supports: supported, under-coded by N levels (revenue
opportunity) or over-coded (compliance risk), priced from the Medicare PFS.

Price = PFS RVUs × conversion factor (national unless a locality is given), facility RVUs for
hospital and ED places of service (POS 21/22/23), non-facility for the office (POS 11); the
prolonged-service add-on units the time supports are included on the supported side.
Source: CMS PFS Relative Value File (the loaded release); CMS Pub. 100-04 ch. 12 §20.4.2
(facility vs non-facility). Severity words follow the edit catalog: "revenue opportunity",
"compliance risk".
"""

from __future__ import annotations

from .codes import family_of, label


def _price(codebook, code: str, facility: bool, locality) -> float | None:
    try:
        return codebook.pfs.price(code, facility=facility, locality=locality)
    except Exception:  # noqa: BLE001 - a code missing from the PFS is reported as unpriced
        return None


def compare(result, billed: str, codebook=None, locality: str | None = None) -> dict:
    billed = str(billed).strip()
    bf = family_of(billed)
    facility = result.setting in ("hospital", "ed")
    out: dict = {"billed": billed, "billed_label": label(billed), "supported": result.code,
                 "facility_pricing": facility}
    if result.code is None or not result.separately_billable:
        out.update(status="not supported", levels=None, severity="compliance risk",
                   message=f"{billed} billed but the note supports no separately billable E/M")
    elif bf is None:
        out.update(status="not an E/M code", levels=None, severity="info", message=f"{billed} is not an E/M code")
    elif bf.name != result.family:
        out.update(status="family mismatch", levels=None, severity="compliance risk",
                   message=f"billed {billed} ({bf.name}) but the note documents {result.family}: "
                           f"{result.code} supported")
    else:
        diff = bf.rank(result.code) - bf.rank(billed)
        if diff == 0:
            out.update(status="supported", levels=0, severity="info",
                       message=f"{billed} is supported by {result.basis}")
        elif diff > 0:
            out.update(status="under-coded", levels=diff, severity="revenue opportunity",
                       message=f"under-coded by {diff} level{'s' * (diff > 1)}: note supports {result.code} "
                               f"by {result.basis}")
        else:
            out.update(status="over-coded", levels=-diff, severity="compliance risk",
                       message=f"over-coded by {-diff} level{'s' * (-diff > 1)}: note supports {result.code} "
                               f"by {result.basis}")
    if codebook is not None:
        pb = _price(codebook, billed, facility, locality)
        ps = _price(codebook, result.code, facility, locality) if result.code and result.separately_billable else 0.0
        if ps is not None:
            for p in result.prolonged:
                pp = _price(codebook, p["code"], facility, locality)
                ps += (pp or 0.0) * p["units"]
        out["billed_amount"] = pb
        out["supported_amount"] = round(ps, 2) if ps is not None else None
        out["delta"] = round(ps - pb, 2) if pb is not None and ps is not None else None
        try:
            out["fee_schedule"] = codebook.pfs.release
        except Exception:  # noqa: BLE001
            pass
    return out
