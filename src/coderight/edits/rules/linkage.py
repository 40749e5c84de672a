"""Diagnosis linkage and claim structure: pointers, supporting diagnoses, place of service."""

from __future__ import annotations

from collections.abc import Iterator

from ..base import REJECT, Finding, Rule
from ..context import pos_problem


class PointerMissingDiagnosis(Rule):
    """A line's diagnosis pointer points to a diagnosis that is not on the claim.

    Source: X12 837P 5010 (SV107 diagnosis code pointers into the HI segment, 1-12).
    Fix: point the line to the diagnosis that supports it, or add that diagnosis.

    Fails: dx=I10 99213 p2
    Passes: dx=I10,E11.9 99213 p2
    """

    id = "LINK-POINTER"
    when = "link"
    family = "linkage"
    severity = REJECT

    def check(self, claim, ctx) -> Iterator[Finding]:
        n = len(claim.diagnoses)
        for ln in claim.lines:
            for p in ln.dx_pointers:
                if not 1 <= p <= n or p > 12:
                    yield self.finding(claim, ln, f"line {ln.number} points to diagnosis {p}; the claim has {n}")
                    break


class NoSupportingDiagnosis(Rule):
    """A line has no diagnosis pointer, or the claim has no diagnosis at all.

    Every professional service line must point to at least one diagnosis that shows why it was
    needed (medical necessity).

    Source: X12 837P 5010 (HI segment required; SV107 required); Medicare claim completion rules.
    Fix: add the diagnosis that supports the service and point the line to it.

    Fails: dx=- 99213
    Fails: 99213 p-
    Passes: 99213 p1
    """

    id = "LINK-NODX"
    when = "link"
    family = "linkage"
    severity = REJECT

    def check(self, claim, ctx) -> Iterator[Finding]:
        if not claim.diagnoses:
            yield self.finding(claim, None, "the claim has no diagnosis")
            return
        if claim.kind != "professional":
            return
        for ln in claim.lines:
            if not ln.dx_pointers:
                yield self.finding(claim, ln, f"line {ln.number} ({ln.code}) points to no diagnosis")


class PlaceOfService(Rule):
    """The place of service is missing, unassigned or unknown (professional claims), or the type of
    bill is malformed (institutional claims).

    Source: CMS Place of Service code set; NUBC type of bill (4 digits: 0, facility, classification, frequency).
    Fix: use the assigned POS code of where the service was given (e.g. 11 office, 22 outpatient
      hospital, 21 inpatient hospital, 02/10 telehealth).

    Fails: pos=30 99213
    Fails: pos=AB 99213
    Passes: pos=11 99213
    Passes: tob=0131 99213
    """

    id = "POS-INVALID"
    _problem: dict[str, str]
    when = "pos"
    family = "linkage"
    severity = REJECT
    datasets = ("pos",)

    def __init__(self, ctx=None):
        super().__init__(ctx)
        self._problem = {}

    def check(self, claim, ctx) -> Iterator[Finding]:
        if claim.kind == "institutional":
            t = claim.type_of_bill
            if not (len(t) == 4 and t.isdigit() and t[0] == "0" and t[1] != "0"):
                yield self.finding(claim, None, f"type of bill {t!r} is not a 4-digit NUBC type of bill")
            return
        problem = self._problem
        for c in {claim.pos, *(ln.pos for ln in claim.lines if ln.pos)}:
            why = problem.get(c)
            if why is None:
                why = problem[c] = self._why(c, ctx)
            if why:
                yield self.finding(claim, None, why)

    @staticmethod
    def _why(c: str, ctx) -> str:
        return pos_problem(c, ctx.pos)
