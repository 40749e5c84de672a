"""Risk-adjustment eligibility of diagnoses (CMS encounter data diagnosis filtering).

A diagnosis counts toward the CMS-HCC score only from an acceptable encounter:

- professional claims (no type of bill): the line's CPT/HCPCS is on the CMS list of
  risk-adjustment-eligible codes for the year of service;
- institutional inpatient, type of bill 11x or 41x: always;
- institutional outpatient, type of bill 12x, 13x, 43x, 71x, 73x, 76x, 77x, 85x or 87x:
  when a line's CPT/HCPCS is on the eligible list;
- any other type of bill (SNF 21x, hospice 81x, home health 32x, ...): never.

Frames without ``bill_type`` and ``cpt`` columns are taken as already filtered.

>>> import polars as pl
>>> dx = pl.DataFrame({"member_id": ["a", "a", "b", "c"], "dx": ["E1122", "I10", "N184", "F329"],
...                    "bill_type": ["", "0111", "0131", "0211"], "cpt": ["99213", "", "80053", ""]})
>>> eligible_diagnoses(dx, 2026)["member_id"].to_list()
['a', 'a']
"""

from __future__ import annotations

import polars as pl

from coderight.grouping.hcc.tables import eligible_procedures
from coderight.grouping.hcc.years import payment_year

INPATIENT_TOB = ("11", "41")
OUTPATIENT_TOB = ("12", "13", "43", "71", "73", "76", "77", "85", "87")


def eligible_diagnoses(diagnoses: pl.DataFrame, payment_yr: int, eligible_cpt: frozenset[str] | None = None
                       ) -> pl.DataFrame:
    """Keep the rows of ``diagnoses`` that come from risk-adjustment-eligible encounters."""
    if "bill_type" not in diagnoses.columns and "cpt" not in diagnoses.columns:
        return diagnoses
    cpts = eligible_cpt if eligible_cpt is not None else eligible_procedures(payment_year(payment_yr).eligible_cpt)
    tob = (pl.col("bill_type").cast(pl.String).fill_null("").str.strip_chars().str.strip_chars_start("0")
           if "bill_type" in diagnoses.columns else pl.lit(""))
    cpt = (pl.col("cpt").cast(pl.String).fill_null("").str.strip_chars().str.to_uppercase()
           if "cpt" in diagnoses.columns else pl.lit(""))
    tob2 = tob.str.slice(0, 2)
    ok_cpt = cpt.is_in(list(cpts))
    keep = (pl.when(tob == "").then(ok_cpt)
            .when(tob2.is_in(list(INPATIENT_TOB))).then(pl.lit(True))
            .when(tob2.is_in(list(OUTPATIENT_TOB))).then(ok_cpt)
            .otherwise(pl.lit(False)))
    return diagnoses.filter(keep)
