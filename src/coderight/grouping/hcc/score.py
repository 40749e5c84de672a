"""Vectorized CMS-HCC risk scores (V24/V28, community and institutional segments, new enrollees).

One code path serves a single member and ten million: members become rows of a member x CC
indicator matrix (NumPy), diagnoses are mapped to CCs with Polars joins, the CMS age/sex edits,
hierarchies, interactions and payment-HCC counts are column operations, and each segment's
relative factors are one matrix-vector product. The steps follow the CMS SAS software:

1. dx -> CC (``ra_dx_to_cc``); 2. age/sex edits (invalidate or re-map a diagnosis);
3. hierarchies (a present parent drops its children; V28 HCC 223 counts only with heart failure);
4. demographic cell (segment prefix x age/sex cell), Medicaid / originally-disabled terms;
5. disease interactions and payment-HCC counts (D1..D10P); 6. sum of the segment's factors;
7. payment score = sum over blended models of weight x raw / normalization, x (1 - MA coding
   adjustment).

>>> s = HccScorer(2026)
>>> r = s.score_member(Member("m1", age=72, sex="F"), ["E11.22", "I50.22", "N18.4"])
>>> sorted(r.hccs["V28"])
['226', '327', '37']
>>> r.interactions["V28"]
{'DIABETES_HF_V28': 1, 'HF_KIDNEY_V28': 1, 'D3': 1}
>>> round(r.raw["V28"], 3), round(r.risk_score, 3)
(1.723, 1.52)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from coderight.grouping.hcc.tables import ModelTables, model_tables
from coderight.grouping.hcc.years import PaymentYear, payment_year

SEGMENTS = ("CNA", "CND", "CFA", "CFD", "CPA", "CPD", "INS", "NE", "SNPNE")
_SEG = {s: i for i, s in enumerate(SEGMENTS)}

BANDS = ("0_34", "35_44", "45_54", "55_59", "60_64", "65_69", "70_74", "75_79", "80_84", "85_89",
         "90_94", "95_GT", "65", "66", "67", "68", "69")
SEXP = ("F", "M", "NEF", "NEM")
CATEGORIES = tuple(f"{p}{b}" for p in SEXP for b in BANDS)

FULL_DUAL = ("02", "04", "08")
PARTIAL_DUAL = ("01", "03", "05", "06")
MEDICAID = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10")
NE_MEDICAID = ("01", "02", "03", "04", "05", "06", "08")

# demographic interaction terms (looked up with the segment prefix)
DEMOGRAPHIC_TERMS = (
    "OriginallyDisabled_Female", "OriginallyDisabled_Male", "ORIGDS",
    "Originally_ESRD_Female", "Originally_ESRD_Male",
    "MCAID_Female_Aged", "MCAID_Female_NonAged", "MCAID_Male_Aged", "MCAID_Male_NonAged",
    "LTI_Aged", "LTI_NonAged", "LTI_GE65", "LTI_LT65", "LTIMCAID",
    "FBDual_Female_Aged", "FBDual_Female_NonAged", "FBDual_Male_Aged", "FBDual_Male_NonAged",
    "PBDual_Female_Aged", "PBDual_Female_NonAged", "PBDual_Male_Aged", "PBDual_Male_NonAged",
)
_NO_PREFIX = ("LTI_GE65", "LTI_LT65")  # also looked up without a segment prefix (ESRD graft terms)
NE_TERMS = ("NMCAID_NORIGDIS", "MCAID_NORIGDIS", "NMCAID_ORIGDIS", "MCAID_ORIGDIS")
NE_ESRD_TERMS = ("ND_PBD_NORIGDIS", "FBD_NORIGDIS", "ND_PBD_ORIGDIS", "FBD_ORIGDIS")
COUNT_TERMS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9", "D10P")


def _r(a: int, b: int) -> tuple[str, ...]:
    return tuple(str(i) for i in range(a, b + 1))


# Condition groups and disease interactions of each model (CMS model software, V24: 2020
# CMS-HCC model "V2420"; V28: 2024 CMS-HCC model "V2824"). ('DISABLED', g) multiplies by the
# currently-disabled flag (age < 65 and OREC != 0).
GROUPS = {
    "V28": {
        "CANCER": _r(17, 23), "DIABETES": _r(35, 38), "CARD_RESP_FAIL": _r(211, 213),
        "HF": _r(221, 226), "CHR_LUNG": _r(276, 280), "KIDNEY": _r(326, 329),
        "SUD": _r(135, 139), "PSYCH": _r(151, 155),
        "NEURO": ("180", "181", "182", "190", "191", "192", "195", "196", "198", "199"),
        "ULCER": _r(379, 382), "H238": ("238",),
    },
    "V24": {
        "CANCER": _r(8, 12), "DIABETES": _r(17, 19), "CARD_RESP_FAIL": _r(82, 84), "CHF": ("85",),
        "COPD": _r(110, 112), "RENAL": _r(134, 138), "SEPSIS": ("2",), "SUD": _r(54, 56),
        "PSYCH": _r(57, 60), "ULCER": _r(157, 159), "H47": ("47",), "H96": ("96",),
        "H188": ("188",), "H114": ("114",), "H57": ("57",), "H79": ("79",), "H161": ("161",),
        "H39": ("39",), "H77": ("77",), "H6": ("6",),
    },
}
INTERACTIONS = {
    "V28": (
        ("DIABETES_HF_V28", "DIABETES", "HF"), ("HF_CHR_LUNG_V28", "HF", "CHR_LUNG"),
        ("HF_KIDNEY_V28", "HF", "KIDNEY"), ("CHR_LUNG_CARD_RESP_FAIL_V28", "CHR_LUNG", "CARD_RESP_FAIL"),
        ("HF_HCC238_V28", "HF", "H238"), ("gSubUseDisorder_gPsych_V28", "SUD", "PSYCH"),
        ("DISABLED_CANCER_V28", "DISABLED", "CANCER"), ("DISABLED_NEURO_V28", "DISABLED", "NEURO"),
        ("DISABLED_HF_V28", "DISABLED", "HF"), ("DISABLED_CHR_LUNG_V28", "DISABLED", "CHR_LUNG"),
        ("DISABLED_ULCER_V28", "DISABLED", "ULCER"),
    ),
    "V24": (
        ("HCC47_gCancer", "H47", "CANCER"), ("DIABETES_CHF", "DIABETES", "CHF"),
        ("CHF_gCopdCF", "CHF", "COPD"), ("HCC85_gRenal_V24", "CHF", "RENAL"),
        ("gCopdCF_CARD_RESP_FAIL", "COPD", "CARD_RESP_FAIL"), ("HCC85_HCC96", "CHF", "H96"),
        ("gSubstanceUseDisorder_gPsych", "SUD", "PSYCH"),
        ("SEPSIS_PRESSURE_ULCER", "SEPSIS", "ULCER"), ("SEPSIS_ARTIF_OPENINGS", "SEPSIS", "H188"),
        ("ART_OPENINGS_PRESS_ULCER", "H188", "ULCER"), ("gCopdCF_ASP_SPEC_B_PNEUM", "COPD", "H114"),
        ("ASP_SPEC_B_PNEUM_PRES_ULC", "H114", "ULCER"), ("SEPSIS_ASP_SPEC_BACT_PNEUM", "SEPSIS", "H114"),
        ("SCHIZOPHRENIA_gCopdCF", "H57", "COPD"), ("SCHIZOPHRENIA_CHF", "H57", "CHF"),
        ("SCHIZOPHRENIA_SEIZURES", "H57", "H79"),
        ("DISABLED_HCC85", "DISABLED", "CHF"), ("DISABLED_PRESSURE_ULCER", "DISABLED", "ULCER"),
        ("DISABLED_HCC161", "DISABLED", "H161"), ("DISABLED_HCC39", "DISABLED", "H39"),
        ("DISABLED_HCC77", "DISABLED", "H77"), ("DISABLED_HCC6", "DISABLED", "H6"),
    ),
}
# V28: HCC 223 (heart failure with heart assist device) counts only with another HF HCC.
REQUIRES = {"V28": {"223": ("221", "222", "224", "225", "226")}}


@dataclass(frozen=True)
class Member:
    """Enrollment facts of one beneficiary (MMR/MOR style codes).

    ``dual``: Medicare-Medicaid dual status code ('00'..'10'; full duals 02/04/08, partial
    01/03/05/06); ``orec``/``crec``: original/current reason for entitlement ('0' age, '1'
    disability, '2' ESRD, '3' both); ``lti``: long-term institutional (institutional segment).
    """

    member_id: str
    age: int
    sex: str
    dual: str = "00"
    orec: str = "0"
    crec: str = ""
    new_enrollee: bool = False
    snp: bool = False
    lti: bool = False


@dataclass
class HccScore:
    member_id: str
    year: int
    segment: str
    risk_score: float  # payment score: blended, normalized, MA-coding adjusted
    raw: dict[str, float]  # model -> unnormalized score
    hccs: dict[str, list[str]]  # model -> payment HCCs after hierarchies
    coefficients: dict[str, dict[str, float]]  # model -> term -> relative factor
    interactions: dict[str, dict[str, int]]
    flags: tuple[str, ...] = ()


@dataclass
class _Compiled:
    """One model's tables laid out as arrays for the vectorized path."""

    tables: ModelTables
    ccs: tuple[str, ...]
    dx_frame: pl.DataFrame  # dx, k
    edit_frame: pl.DataFrame  # dx, etype, esex, amin, amax, invalid, k_override
    hier: list[tuple[int, np.ndarray]]
    requires: list[tuple[int, np.ndarray]]
    groups: dict[str, np.ndarray]
    inter: tuple[tuple[str, str, str], ...]
    terms: tuple[str, ...]  # column names of the X matrix: HCCs, demographic, interactions, counts
    cx: np.ndarray  # (segments, terms) relative factors
    ccat: np.ndarray  # (segments, categories)
    cne: np.ndarray  # (segments, 4, categories)
    cne_esrd: np.ndarray  # (segments, 4, categories)
    used: set[str] = field(default_factory=set)


def _compile(t: ModelTables) -> _Compiled:
    ccs = t.ccs
    kx = {c: i for i, c in enumerate(ccs)}
    rows = [(dx, kx[c]) for dx, cs in t.dx_to_cc.items() for c in cs]
    dx_frame = pl.DataFrame(rows, schema={"dx": pl.String, "k": pl.Int32}, orient="row")
    er = [
        (dx, e.edit_type, e.sex, e.age_min, e.age_max, e.action == "invalid",
         kx[e.cc_override] if e.cc_override else None)
        for dx, e in t.edits.items()
    ]
    edit_frame = pl.DataFrame(
        er,
        schema={"dx": pl.String, "etype": pl.String, "esex": pl.String, "amin": pl.Int32,
                "amax": pl.Int32, "invalid": pl.Boolean, "k_override": pl.Int32},
        orient="row",
    )
    hier = [(kx[p], np.array([kx[c] for c in ch], dtype=np.int64)) for p, ch in t.hierarchy.items()]
    req = [(kx[c], np.array([kx[x] for x in need if x in kx], dtype=np.int64))
           for c, need in REQUIRES.get(t.model, {}).items() if c in kx]
    groups = {g: np.array([kx[c] for c in cs if c in kx], dtype=np.int64) for g, cs in GROUPS[t.model].items()}
    inter = INTERACTIONS[t.model]
    terms = tuple(f"HCC{c}" for c in ccs) + DEMOGRAPHIC_TERMS + tuple(n for n, _, _ in inter) + COUNT_TERMS
    used: set[str] = set()

    def coef(prefix: str, name: str) -> float:
        key = f"{prefix}_{name}".lower()
        v = t.coefficients.get(key)
        if v is not None:
            used.add(key)
        if name in _NO_PREFIX and name.lower() in t.coefficients:
            used.add(name.lower())
            return t.coefficients[name.lower()]
        return v or 0.0

    cx = np.array([[coef(s, n) for n in terms] for s in SEGMENTS], dtype=np.float64)
    ccat = np.array([[coef(s, c) for c in CATEGORIES] for s in SEGMENTS], dtype=np.float64)
    cne = np.array([[[coef(s, f"{n}_{c}") for c in CATEGORIES] for n in NE_TERMS] for s in SEGMENTS])
    cne_esrd = np.array([[[coef(s, f"{n}_{c}") for c in CATEGORIES] for n in NE_ESRD_TERMS] for s in SEGMENTS])
    return _Compiled(t, ccs, dx_frame, edit_frame, hier, req, groups, inter, terms, cx, ccat, cne, cne_esrd, used)


_TRUE = {"1", "Y", "YES", "T", "TRUE"}


def _bool_col(df: pl.DataFrame, name: str) -> pl.Expr:
    if name not in df.columns:
        return pl.lit(False).alias(name)
    return pl.col(name).cast(pl.String).str.strip_chars().str.to_uppercase().is_in(list(_TRUE)).alias(name)


def prepare_members(members: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Normalize a members frame; return (good rows, rejects with a ``reason``). Pure.

    Required: ``member_id``, ``age``, ``sex`` (M/F or 1/2). Optional: ``dual``, ``orec``, ``crec``,
    ``new_enrollee``, ``snp``, ``lti``.
    """
    for c in ("member_id", "age", "sex"):
        if c not in members.columns:
            raise ValueError(f"members: missing required column {c!r}")
    df = members.with_columns(
        pl.col("member_id").cast(pl.String).str.strip_chars(),
        pl.col("age").cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False).alias("_age"),
        pl.col("sex").cast(pl.String).str.strip_chars().str.to_uppercase()
        .replace({"1": "M", "2": "F", "MALE": "M", "FEMALE": "F"}).alias("_sex"),
        (pl.col("dual").cast(pl.String).str.strip_chars().str.zfill(2) if "dual" in members.columns
         else pl.lit("00")).fill_null("00").alias("_dual"),
        (pl.col("orec").cast(pl.String).str.strip_chars() if "orec" in members.columns
         else pl.lit("0")).fill_null("0").replace({"": "0"}).alias("_orec"),
        (pl.col("crec").cast(pl.String).str.strip_chars() if "crec" in members.columns
         else pl.lit("")).fill_null("").alias("_crec"),
        _bool_col(members, "new_enrollee").alias("_ne"),
        _bool_col(members, "snp").alias("_snp"),
        _bool_col(members, "lti").alias("_lti"),
    )
    reason = (
        pl.when(pl.col("member_id").is_null() | (pl.col("member_id") == "")).then(pl.lit("missing member_id"))
        .when(pl.col("member_id").is_duplicated()).then(pl.lit("duplicate member_id"))
        .when(pl.col("_age").is_null()).then(pl.lit("age is not a number"))
        .when((pl.col("_age") < 0) | (pl.col("_age") > 125)).then(pl.lit("age outside 0-125"))
        .when(~pl.col("_sex").is_in(["M", "F"])).then(pl.lit("sex is not M/F/1/2"))
        .when(~pl.col("_orec").is_in(["0", "1", "2", "3"])).then(pl.lit("orec is not 0-3"))
        .otherwise(None)
        .alias("reason")
    )
    df = df.with_columns(reason)
    rejects = df.filter(pl.col("reason").is_not_null()).select(members.columns + ["reason"])
    good = df.filter(pl.col("reason").is_null()).drop("reason")
    return good, rejects


@dataclass
class _Demo:
    n: int
    age: np.ndarray
    female: np.ndarray
    aged: np.ndarray
    disabled: np.ndarray
    seg: np.ndarray
    cat: np.ndarray
    ne_combo: np.ndarray
    ne_esrd_combo: np.ndarray
    dem: np.ndarray  # (n, len(DEMOGRAPHIC_TERMS))
    esrd: np.ndarray


def _demographics(m: pl.DataFrame) -> _Demo:
    n = m.height
    age = np.floor(m["_age"].to_numpy()).astype(np.int64)
    female = (m["_sex"] == "F").to_numpy()
    dual = m["_dual"]
    orec = m["_orec"]
    fbd = dual.is_in(list(FULL_DUAL)).to_numpy()
    pbd = dual.is_in(list(PARTIAL_DUAL)).to_numpy()
    mcaid = dual.is_in(list(MEDICAID)).to_numpy()
    ne = m["_ne"].to_numpy()
    snp = m["_snp"].to_numpy()
    lti = m["_lti"].to_numpy()
    orec0 = (orec == "0").to_numpy()
    orec1 = (orec == "1").to_numpy()
    orec_esrd = orec.is_in(["2", "3"]).to_numpy()
    esrd = orec_esrd | m["_crec"].is_in(["2", "3"]).to_numpy()
    aged = age >= 65
    disabled = (age < 65) & ~orec0
    orig_dis = orec1 & ~disabled

    # age band: standard cells, or the finer new-enrollee cells (not for ESRD new enrollees)
    edges = np.array([34, 44, 54, 59, 64, 69, 74, 79, 84, 89, 94])
    band = np.searchsorted(edges, age, side="left")
    fine = ne & ~esrd
    band = np.where(fine & (age >= 65) & (age <= 69), 12 + (age - 65), band)
    band = np.where(fine & (age == 64) & orec0, 12, band)
    sexp = np.where(ne, 2, 0) + np.where(female, 0, 1)
    cat = sexp * len(BANDS) + band

    seg = np.where(fbd, np.where(aged, _SEG["CFA"], _SEG["CFD"]),
                   np.where(pbd, np.where(aged, _SEG["CPA"], _SEG["CPD"]),
                            np.where(aged, _SEG["CNA"], _SEG["CND"])))
    seg = np.where(ne, np.where(snp, _SEG["SNPNE"], _SEG["NE"]), seg)
    seg = np.where(lti, _SEG["INS"], seg)

    nemcaid = ne & dual.is_in(list(NE_MEDICAID)).to_numpy()
    ne_origds = (age >= 65) & orec1
    ne_combo = nemcaid.astype(np.int64) + 2 * ne_origds
    ne_esrd_combo = fbd.astype(np.int64) + 2 * ne_origds

    male = ~female
    cols = {
        "OriginallyDisabled_Female": aged & orig_dis & female,
        "OriginallyDisabled_Male": aged & orig_dis & male,
        # institutional segment: one originally-disabled term (CMS ORIGDS = OREC 1 and not
        # currently disabled); hccinfhir 0.4.0 does not generate it (decision record)
        "ORIGDS": orig_dis,
        "Originally_ESRD_Female": aged & orec_esrd & female,
        "Originally_ESRD_Male": aged & orec_esrd & male,
        "MCAID_Female_Aged": mcaid & female & aged, "MCAID_Female_NonAged": mcaid & female & ~aged,
        "MCAID_Male_Aged": mcaid & male & aged, "MCAID_Male_NonAged": mcaid & male & ~aged,
        "LTI_Aged": lti & aged, "LTI_NonAged": lti & ~aged, "LTI_GE65": lti & aged, "LTI_LT65": lti & ~aged,
        "LTIMCAID": lti & mcaid,
        "FBDual_Female_Aged": fbd & female & aged, "FBDual_Female_NonAged": fbd & female & ~aged,
        "FBDual_Male_Aged": fbd & male & aged, "FBDual_Male_NonAged": fbd & male & ~aged,
        "PBDual_Female_Aged": pbd & female & aged, "PBDual_Female_NonAged": pbd & female & ~aged,
        "PBDual_Male_Aged": pbd & male & aged, "PBDual_Male_NonAged": pbd & male & ~aged,
    }
    dem = np.stack([cols[t] for t in DEMOGRAPHIC_TERMS], axis=1).astype(np.float32) if n else np.zeros((0, len(DEMOGRAPHIC_TERMS)), np.float32)
    return _Demo(n, age, female, aged, disabled, seg, cat, ne_combo, ne_esrd_combo, dem, esrd)


def _cc_matrix(cm: _Compiled, dx: pl.DataFrame, demo: _Demo) -> np.ndarray:
    """Member x CC indicator after mapping and age/sex edits (before hierarchies)."""
    mat = np.zeros((demo.n, len(cm.ccs)), dtype=bool)
    if dx.height == 0:
        return mat
    hit = dx.join(cm.dx_frame, on="dx", how="inner")
    if hit.height == 0:
        return mat
    hit = hit.join(cm.edit_frame, on="dx", how="left")
    row = hit["row"].to_numpy()
    age = demo.age[row]
    sex = np.where(demo.female[row], "2", "1")
    etype = hit["etype"].fill_null("").to_numpy()
    amin = hit["amin"].fill_null(-1).to_numpy()
    amax = hit["amax"].fill_null(-1).to_numpy()
    esex = hit["esex"].fill_null("").to_numpy()
    fires_sex = (etype == "sex") & (esex == sex)
    fires_age = np.isin(etype, ["age", "mce_age"]) & (((amax >= 0) & (age <= amax)) | ((amin >= 0) & (age >= amin)))
    fires = fires_sex | fires_age
    invalid = hit["invalid"].fill_null(False).to_numpy() & fires
    k = hit["k"].to_numpy()
    kov = hit["k_override"].fill_null(-1).to_numpy()
    k = np.where(fires & ~invalid & (kov >= 0), kov, k)
    keep = ~invalid
    mat[row[keep], k[keep]] = True
    return mat


def _hierarchies(cm: _Compiled, mat: np.ndarray) -> np.ndarray:
    for k, need in cm.requires:
        mat[:, k] &= mat[:, need].any(axis=1)
    drop = np.zeros_like(mat)
    for p, ch in cm.hier:
        present = mat[:, p]
        if present.any():
            drop[np.ix_(present, ch)] = True
    return mat & ~drop


def _interactions(cm: _Compiled, mat: np.ndarray, demo: _Demo) -> np.ndarray:
    g = {name: (mat[:, idx].any(axis=1) if idx.size else np.zeros(demo.n, bool)) for name, idx in cm.groups.items()}
    g["DISABLED"] = demo.disabled
    out = np.zeros((demo.n, len(cm.inter)), dtype=np.float32)
    for j, (_, a, b) in enumerate(cm.inter):
        out[:, j] = g[a] & g[b]
    return out


def _counts(mat: np.ndarray) -> np.ndarray:
    cnt = mat.sum(axis=1)
    out = np.zeros((mat.shape[0], len(COUNT_TERMS)), dtype=np.float32)
    for i in range(9):
        out[:, i] = cnt == i + 1
    out[:, 9] = cnt >= 10
    return out


def _raw_scores(cm: _Compiled, mat: np.ndarray, demo: _Demo) -> tuple[np.ndarray, np.ndarray]:
    """(raw score per member, boolean design matrix X). Exact float64 sums over the sparse X."""
    x = np.concatenate([mat, demo.dem.astype(bool), _interactions(cm, mat, demo).astype(bool),
                        _counts(mat).astype(bool)], axis=1)
    score = cm.ccat[demo.seg, demo.cat] + cm.cne[demo.seg, demo.ne_combo, demo.cat] \
        + cm.cne_esrd[demo.seg, demo.ne_esrd_combo, demo.cat]
    r, k = np.nonzero(x)
    score += np.bincount(r, weights=cm.cx[demo.seg[r], k], minlength=demo.n)
    return score, x


def _hcc_strings(cm: _Compiled, mat: np.ndarray) -> pl.Series:
    """'37;226;327' per member (payment HCCs after hierarchies, in table order)."""
    r, k = np.nonzero(mat)
    names = pl.Series(cm.ccs)
    g = (pl.DataFrame({"r": r, "cc": names.gather(k)}).group_by("r", maintain_order=True)
         .agg(pl.col("cc").str.join(";")))
    full = pl.DataFrame({"r": np.arange(mat.shape[0])}).join(g, on="r", how="left")
    return full["cc"].fill_null("")


class HccScorer:
    """CMS-HCC risk scores for one payment year (2024-2027), vectorized over members.

    ``normalization`` overrides the year's FFS normalization factors (``{"V28": 1.067}``);
    ``ma_coding_adjustment`` overrides the MA coding pattern adjustment (default 5.9 %).
    """

    def __init__(self, year: int | PaymentYear, normalization: dict[str, float] | None = None,
                 ma_coding_adjustment: float | None = None, chunk_size: int = 200_000):
        self.py = year if isinstance(year, PaymentYear) else payment_year(year)
        self.year = self.py.year
        self.norm = {b.model: b.normalization for b in self.py.blend}
        self.norm.update(normalization or {})
        self.ma_adj = self.py.ma_coding_adjustment if ma_coding_adjustment is None else ma_coding_adjustment
        self.chunk_size = chunk_size
        self.models = {
            b.model: _compile(model_tables(b.model, self.py.dx_to_cc, self.py.coefficients, self.py.hierarchies))
            for b in self.py.blend
        }

    def __getstate__(self):
        return {"year": self.py, "normalization": self.norm, "ma_coding_adjustment": self.ma_adj,
                "chunk_size": self.chunk_size}

    def __setstate__(self, st):
        self.__init__(**st)

    @property
    def release(self) -> str:
        files = sorted({f for cm in self.models.values() for f in cm.tables.files})
        return f"CMS-HCC PY{self.year} ({', '.join(files)})" + (" [provisional]" if self.py.provisional else "")

    def payment(self, raw: dict[str, np.ndarray]) -> np.ndarray:
        total = None
        for b in self.py.blend:
            part = b.weight * raw[b.model] / self.norm[b.model]
            total = part if total is None else total + part
        return total * (1.0 - self.ma_adj)

    # ---- population path -------------------------------------------------------------------
    def _dx_rows(self, members: pl.DataFrame, diagnoses: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        for c in ("member_id", "dx"):
            if c not in diagnoses.columns:
                raise ValueError(f"diagnoses: missing required column {c!r}")
        idx = members.select("member_id").with_row_index("row")
        d = diagnoses.with_columns(
            pl.col("member_id").cast(pl.String).str.strip_chars(),
            pl.col("dx").cast(pl.String).str.strip_chars().str.replace_all(".", "", literal=True)
            .str.to_uppercase().alias("_dx"),
        ).join(idx, on="member_id", how="left")
        bad = d.filter(pl.col("row").is_null() | pl.col("_dx").is_null() | (pl.col("_dx") == ""))
        rejects = bad.with_columns(
            pl.when(pl.col("_dx").is_null() | (pl.col("_dx") == "")).then(pl.lit("empty diagnosis code"))
            .otherwise(pl.lit("member_id not in members (or member rejected)")).alias("reason")
        ).select(diagnoses.columns + ["reason"])
        good = d.filter(pl.col("row").is_not_null() & pl.col("_dx").is_not_null() & (pl.col("_dx") != ""))
        good = good.select(pl.col("row").cast(pl.Int64), pl.col("_dx").alias("dx"))
        return good, rejects

    def score_frame(self, members: pl.DataFrame, diagnoses: pl.DataFrame, details: bool = True
                    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Score every member; return (scores, rejects). Pure: frames in, frames out.

        ``members``: see :func:`prepare_members`. ``diagnoses``: ``member_id``, ``dx`` (already
        filtered to risk-adjustment-eligible encounters, see ``hcc.filter``).
        """
        good, rej_m = prepare_members(members)
        dx, rej_d = self._dx_rows(good, diagnoses)
        rejects = pl.concat(
            [rej_m.select(pl.lit("member").alias("record"), pl.col("member_id").cast(pl.String), pl.col("reason")),
             rej_d.select(pl.lit("diagnosis").alias("record"), pl.col("member_id").cast(pl.String), pl.col("reason"))],
        )
        parts = []
        n = good.height
        dx = dx.sort("row")
        rows_all = dx["row"].to_numpy()
        for start in range(0, max(n, 1), self.chunk_size):
            stop = min(n, start + self.chunk_size)
            chunk = good.slice(start, stop - start)
            lo, hi = np.searchsorted(rows_all, [start, stop])
            cdx = dx.slice(int(lo), int(hi - lo)).with_columns(pl.col("row") - start)
            parts.append(self._score_chunk(chunk, cdx, details))
        out = pl.concat(parts) if parts else pl.DataFrame()
        return out, rejects

    def _score_chunk(self, m: pl.DataFrame, dx: pl.DataFrame, details: bool) -> pl.DataFrame:
        demo = _demographics(m)
        raw: dict[str, np.ndarray] = {}
        cols: dict[str, object] = {"member_id": m["member_id"],
                                   "segment": np.array(SEGMENTS)[demo.seg] if demo.n else np.array([], str)}
        for model, cm in self.models.items():
            mat = _hierarchies(cm, _cc_matrix(cm, dx, demo))
            raw[model], _ = _raw_scores(cm, mat, demo)
            cols[f"raw_{model.lower()}"] = raw[model]
            if details:
                cols[f"hccs_{model.lower()}"] = _hcc_strings(cm, mat)
        cols["risk_score"] = self.payment(raw) if demo.n else np.array([], float)
        flags = []
        if self.py.provisional:
            flags.append("provisional-year")
        esrd_flag = np.where(demo.esrd, "esrd-member-scored-with-cms-hcc-model", "")
        cols["flags"] = [";".join(f for f in ([*flags, e] if e else flags)) for e in esrd_flag]
        return pl.DataFrame(cols)

    # ---- one-member path (same code, n = 1) ------------------------------------------------
    def score_member(self, member: Member, diagnoses: Iterable[str]) -> HccScore:
        mf = pl.DataFrame([member.__dict__])
        good, rej = prepare_members(mf)
        if rej.height:
            raise ValueError(f"member {member.member_id}: {rej['reason'][0]}")
        dx, _ = self._dx_rows(good, pl.DataFrame({"member_id": [member.member_id] * len(dxl), "dx": dxl})
                              if (dxl := list(diagnoses)) else pl.DataFrame(schema={"member_id": pl.String, "dx": pl.String}))
        demo = _demographics(good)
        raw, hccs, coefs, inters = {}, {}, {}, {}
        for model, cm in self.models.items():
            mat = _hierarchies(cm, _cc_matrix(cm, dx, demo))
            score, x = _raw_scores(cm, mat, demo)
            raw[model] = float(score[0])
            hccs[model] = [cm.ccs[k] for k in np.nonzero(mat[0])[0]]
            s = demo.seg[0]
            c = {CATEGORIES[demo.cat[0]]: float(cm.ccat[s, demo.cat[0]])}
            terms = np.nonzero(x[0])[0]
            c.update({cm.terms[j]: float(cm.cx[s, j]) for j in terms if cm.cx[s, j] != 0})
            coefs[model] = c
            nh = len(cm.ccs)
            inters[model] = {cm.terms[j]: 1 for j in terms if j >= nh + len(DEMOGRAPHIC_TERMS)}
        pay = float(self.payment({k: np.array([v]) for k, v in raw.items()})[0])
        return HccScore(member.member_id, self.year, SEGMENTS[demo.seg[0]], pay, raw, hccs, coefs, inters,
                        ("provisional-year",) if self.py.provisional else ())

    def hcc_sets(self, members: pl.DataFrame, diagnoses: pl.DataFrame, model: str | None = None
                 ) -> tuple[pl.DataFrame, np.ndarray, _Demo]:
        """(normalized members, member x CC matrix after hierarchies, demographics) for gaps."""
        model = model or self.py.blend[-1].model
        good, _ = prepare_members(members)
        dx, _ = self._dx_rows(good, diagnoses)
        demo = _demographics(good)
        cm = self.models[model]
        return good, _hierarchies(cm, _cc_matrix(cm, dx, demo)), demo


def coefficient_coverage(scorer: HccScorer) -> dict[str, list[str]]:
    """Relative factors of each model that no term of ours can reach (should be empty but for
    ESRD/graft-only names): a guard that the term universe covers the CMS table."""
    out = {}
    for model, cm in scorer.models.items():
        prefixes = tuple(f"{s.lower()}_" for s in SEGMENTS)
        out[model] = sorted(k for k in cm.tables.coefficients if k.startswith(prefixes) and k not in cm.used)
    return out


def score_members(year: int, members: Sequence[Member], diagnoses: dict[str, Sequence[str]]) -> pl.DataFrame:
    """Convenience: score Python objects through the population path."""
    mf = pl.DataFrame([m.__dict__ for m in members])
    rows = [(mid, d) for mid, ds in diagnoses.items() for d in ds]
    df = pl.DataFrame(rows, schema={"member_id": pl.String, "dx": pl.String}, orient="row")
    out, _ = HccScorer(year).score_frame(mf, df)
    return out
