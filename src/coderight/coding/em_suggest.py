"""E/M level and procedures for one encounter, with modifier 25 decided between them, the billed
comparison, and the claim edits run on the result.

`suggest_em_and_procedures(note, setting, billed=None, payer="medicare", codebook=None, ...,
coding=None)` → `EmProcedures`; `attach(result, ...)` adds ``em`` and ``procedures`` to a diagnosis
`CodingResult` (its coded diagnoses are the problems addressed; `code_encounter(..., with_em=True)`
calls it); `to_claim(...)` builds a `coderight.claims.model.Claim` and `scrub(...)` runs the
edit engine (`coderight.edits`) on it. The edit engine is built once per codebook.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date

from .em.engine import EmResult, level_em, place_of_service
from .modifiers import needs_25, separately_identifiable
from .procedures import Suggestion, suggest_procedures
from .procedures.model import Evidence

BILLED_TESTS = {"93000": "ekg", "93010": "ekg", "94010": "spirometry", "94060": "spirometry"}
"""Procedure codes that report a test's interpretation: the test is not counted again as MDM data."""


@dataclass
class EmProcedures:
    em: EmResult
    procedures: list[Suggestion]
    findings: list[dict] = field(default_factory=list)
    """Claim edit findings on the suggested claim (when the edit engine ran)."""

    def to_dict(self) -> dict:
        em = self.em.to_dict()
        return {"em": em, "procedures": [p.to_dict() for p in self.procedures], "claim_findings": self.findings}


def suggest_em_and_procedures(note, setting: str = "office", billed: str | None = None, payer: str = "medicare",
                              codebook=None, age: int | None = None, date_of_service: date | None = None,
                              locality: str | None = None, run_edits: bool = True, coding=None) -> EmProcedures:
    """coding: the diagnosis engine's `CodingResult` of the same note (its diagnoses become the
    problems addressed; see `level_em`)."""
    from .em.note import Note

    n = Note.read(note)
    procs = suggest_procedures(n, setting, payer, age, codebook, date_of_service)
    billed_tests = {BILLED_TESTS[p.code] for p in procs if p.code in BILLED_TESTS}
    em = level_em(n, setting, billed=billed, payer=payer, billed_tests=billed_tests, coding=coding)
    gd = None
    if codebook is not None:
        try:
            pfs = codebook.pfs
            gd = pfs.global_days
        except Exception:  # noqa: BLE001
            gd = None
    if gd is None:
        gd = _default_global
    bundling = needs_25(procs, gd)
    if bundling and em.code:
        ok, other = separately_identifiable(em.element("problems"), bundling)
        if ok:
            _exclude_procedure_problems(em, other, bundling)
            em.modifiers.append("25")
            em.rationale.append(
                "modifier 25: same-day " + ", ".join(sorted({p.code for p in bundling})) +
                f"; the note addresses {len(other)} problem(s) the procedure does not treat "
                "(NCCI Policy Manual ch. I §D, ch. XI; CMS Pub. 100-04 ch. 12 §30.6.6)")
        else:
            em.separately_billable = False
            em.rationale.append(
                "no separately identifiable E/M: every problem addressed is the reason for the same-day "
                + ", ".join(sorted({p.code for p in bundling}))
                + " (the decision to perform a minor procedure is included in it; NCCI Policy Manual ch. XI)")
    if billed and codebook is not None:
        from .em.billed import compare

        em.billed = compare(em, billed, codebook, locality=locality)
    elif billed:
        from .em.billed import compare

        em.billed = compare(em, billed, None)
    out = EmProcedures(em, procs)
    if codebook is not None and run_edits:
        out.findings = scrub(out, codebook, setting=setting, payer=payer, date_of_service=date_of_service)
    return out


def _exclude_procedure_problems(em: EmResult, keep: list, bundling: list) -> None:
    """The problem a same-day minor procedure treats is paid with the procedure (its decision and
    pre-procedure evaluation are included: CMS Pub. 100-04 ch. 12 §40.1.C; NCCI ch. I §D): the E/M
    is leveled on the other problems. Re-levels MDM when that changes the problems element."""
    from .em.codes import FAMILIES, LEVEL_NAMES, label
    from .em.mdm import mdm_level, problems_from_items

    probs = em.element("problems")
    changed = False
    for it in probs.items:
        if it.counted and it not in keep:
            it.counted = False
            it.note = "treated by the same-day procedure " + ", ".join(sorted({p.code for p in bundling}))
            changed = True
    if not changed:
        return
    new = problems_from_items(probs.items)
    probs.level, probs.reason = new.level, new.reason + " (procedure's problem excluded)"
    fam = FAMILIES[em.family]
    d, r = em.element("data"), em.element("risk")
    lvl = mdm_level(probs.level, d.level, r.level)
    em.mdm_level = LEVEL_NAMES[lvl]
    em.mdm_code = fam.code_for(lvl)
    if em.basis == "mdm":
        best = em.mdm_code
        if em.time_code and (best is None or fam.rank(em.time_code) > fam.rank(best)):
            em.basis, best = "time", em.time_code
        em.code, em.label = best, label(best) if best else ""
    em.rationale.append(f"MDM re-leveled without the procedure's problem: {em.mdm_level} ({em.code})")


_GLOBAL_0_10 = {"000": ("20550", "20600", "20604", "20605", "20606", "20610", "20611", "11102", "11103", "11104",
                        "11105", "11106", "11107", "12001", "12002", "12011", "12031", "12032", "12041", "12042",
                        "12051", "12052", "29125", "29130", "29105", "29515", "29505", "45378", "45380", "45385",
                        "43235", "43239", "G0168"),
                "010": ("10060", "10061", "10140", "10080", "17000", "17003", "17004", "17110", "17111", "11200",
                        "12032")}


def _default_global(code: str) -> str | None:
    for g, codes in _GLOBAL_0_10.items():
        if code in codes:
            return g
    return None


def em_lines(em: EmResult) -> list[dict]:
    if not em.code or not em.separately_billable:
        return []
    lines = [{"code": em.code, "modifiers": list(em.modifiers), "units": 1}]
    for p in em.prolonged:
        lines.append({"code": p["code"], "modifiers": [], "units": p["units"]})
    return lines


def to_claim(result: EmProcedures, diagnoses: list[str] | None = None, setting: str = "office",
             payer: str = "medicare", date_of_service: date | None = None, claim_id: str = "suggested",
             codebook=None):
    """A professional claim with the suggested E/M and procedure lines (charges from the PFS)."""
    from ..claims.model import Claim

    dos = (date_of_service or date.today()).isoformat()
    facility = setting in ("hospital", "ed")
    lines = []
    for ln in em_lines(result.em) + [{"code": p.code, "modifiers": p.modifiers[:4], "units": p.units}
                                     for p in result.procedures]:
        charge = 0.0
        if codebook is not None:
            try:
                charge = codebook.pfs.price(ln["code"], facility=facility) * ln["units"]
            except Exception:  # noqa: BLE001
                charge = 0.0
        lines.append({**ln, "charge": round(charge, 2), "date": dos})
    return Claim.from_dict({"id": claim_id, "payer": {"type": "medicare" if payer.startswith("medicare") else
                                                       "commercial"},
                            "pos": place_of_service(setting), "diagnoses": list(diagnoses or ["Z00.00"])[:12],
                            "lines": lines or [{"code": "99499", "date": dos}]})


def scrub(result: EmProcedures, codebook, setting: str = "office", payer: str = "medicare",
          date_of_service: date | None = None, diagnoses: list[str] | None = None) -> list[dict]:
    """Run the claim edit engine on the suggested lines; returns finding dicts (empty when the edit
    engine is not available)."""
    try:
        from ..edits.engine import Engine
    except ImportError:
        return []
    claim = to_claim(result, diagnoses, setting, payer, date_of_service, codebook=codebook)
    try:
        res = edits_engine(codebook, Engine).scrub(claim)
    except Exception as e:  # noqa: BLE001 - edits must not stop the coding result
        return [{"rule": "EDITS-UNAVAILABLE", "severity": "info", "message": f"{type(e).__name__}: {e}"}]
    return [f.to_dict() for f in res.findings]


_ENGINES: dict[int, object] = {}
_LOCK = threading.Lock()


def edits_engine(codebook, cls=None):
    """The claim edit engine bound to `codebook`, built once per codebook (process-wide)."""
    with _LOCK:
        e = _ENGINES.get(id(codebook))
        if e is None or e.codebook is not codebook:
            if cls is None:
                from ..edits.engine import Engine as cls
            e = _ENGINES[id(codebook)] = cls(codebook)
        return e


def attach(coding_result, note, setting: str = "office", billed: str | None = None, payer: str = "medicare",
           codebook=None, date_of_service: date | None = None, run_edits: bool = True):
    """Add ``em`` and ``procedures`` (JSON-ready dicts) to a diagnosis `CodingResult`; its coded
    diagnoses are the problems addressed. With `run_edits`, the claim edits run once on the
    suggested lines with those diagnoses."""
    r = suggest_em_and_procedures(note, SETTING_OF.get(setting, setting), billed, payer, codebook,
                                  date_of_service=date_of_service, run_edits=False, coding=coding_result)
    if codebook is not None and run_edits:
        dx = coding_result.codes() if coding_result is not None else None
        r.findings = scrub(r, codebook, setting, payer, date_of_service, dx or None)
    d = r.to_dict()
    if coding_result is not None:
        coding_result.em = d["em"]
        coding_result.procedures = d["procedures"]
    return r


SETTING_OF = {"outpatient": "office", "office": "office", "inpatient": "hospital", "hospital": "hospital",
              "observation": "hospital", "ed": "ed", "emergency": "ed"}


def em_fields(text: str, setting: str = "outpatient", codebook=None, billed: str | None = None,
              payer: str = "medicare", coding=None) -> dict:
    """The ``em`` and ``procedures`` members of a `coderight suggest --json` record (no claim edits)."""
    try:
        r = suggest_em_and_procedures(text, SETTING_OF.get(setting, "office"), billed, payer, codebook,
                                      run_edits=False, coding=coding)
    except Exception as e:  # noqa: BLE001 - the diagnosis result stands without E/M
        return {"em": None, "procedures": [], "em_error": f"{type(e).__name__}: {e}"}
    d = r.to_dict()
    return {"em": d["em"], "procedures": d["procedures"]}


__all__ = ["em_fields", "EmProcedures", "Evidence", "attach", "attach_safely", "edits_engine", "scrub", "suggest_em_and_procedures",
           "to_claim"]


def attach_safely(coding_result, note, setting: str = "outpatient", codebook=None, payer: str = "medicare",
                  billed: str | None = None, date_of_service: date | None = None) -> None:
    """`attach` without claim edits for `code_encounter(..., with_em=True)`: a failure of the E/M or
    procedure engine leaves the diagnoses standing (``em`` = ``{"code": None, "error": …}``)."""
    try:
        attach(coding_result, note, SETTING_OF.get(setting, setting), billed, payer, codebook,
               date_of_service, run_edits=False)
    except Exception as e:  # noqa: BLE001 - the diagnosis result stands without E/M
        coding_result.em = {"code": None, "error": f"{type(e).__name__}: {e}"}
        coding_result.procedures = []
