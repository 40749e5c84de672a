"""The scrubber: run the rule catalog over claims and summarise each claim.

``Engine(codebook).scrub(claim)`` checks one claim; ``scrub_many(claims)`` checks a batch in
chunks, with one batched NCCI PTP search per chunk. A rule that raises is reported as an
``ENGINE-ERROR`` finding on that claim (the batch goes on); it never passes a claim silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..claims.model import Claim
from .base import AT_RISK, INFO, REJECT, SEVERITY_RANK, Finding, Rule
from .context import Context, find_ptp


@dataclass(slots=True)
class ClaimResult:
    claim_id: str
    findings: list[Finding]
    total_charge: float
    at_risk: dict[int, float] = field(default_factory=dict)
    """Line number → charge at risk (lines with a reject or denial-risk finding; 0 = whole claim)."""

    @property
    def clean(self) -> bool:
        """No finding above info: the claim should be paid on first pass."""
        return all(f.severity == INFO for f in self.findings)

    @property
    def rejected(self) -> bool:
        return any(f.severity == REJECT for f in self.findings)

    @property
    def money_at_risk(self) -> float:
        return round(sum(self.at_risk.values()), 2)

    @property
    def worst(self) -> str | None:
        return min((f.severity for f in self.findings), key=SEVERITY_RANK.__getitem__, default=None)

    def to_dict(self) -> dict:
        return {"claim_id": self.claim_id, "clean": self.clean, "worst": self.worst,
                "total_charge": self.total_charge, "money_at_risk": self.money_at_risk,
                "at_risk_by_line": {str(k): v for k, v in sorted(self.at_risk.items())},
                "findings": [f.to_dict() for f in self.findings]}


class Engine:
    """The edit catalog bound to reference data. Pickles as its codebook (cheap to ship)."""

    def __init__(self, codebook, rules: Iterable[type[Rule]] | None = None, chunk: int = 4096,
                 use_flags: bool = True):
        """`use_flags=False` calls every rule on every claim (the reference the flag skipping is
        tested against)."""
        from .rules import ALL_RULES

        self.use_flags = use_flags
        self._plans: dict[frozenset[str], list[Rule]] = {}
        self.codebook = codebook
        self.ctx = Context(codebook)
        self.rule_classes = list(rules) if rules is not None else list(ALL_RULES)
        self.rules = [cls(self.ctx) for cls in self.rule_classes]
        self.chunk = chunk

    def __getstate__(self):
        return {"codebook": self.codebook, "rules": self.rule_classes, "chunk": self.chunk,
                "use_flags": self.use_flags}

    def __setstate__(self, st):
        self.__init__(st["codebook"], st["rules"], st["chunk"], st.get("use_flags", True))

    def scrub(self, claim: Claim) -> ClaimResult:
        return next(iter(self.scrub_many([claim])))

    def scrub_many(self, claims: Iterable[Claim]) -> Iterator[ClaimResult]:
        buf: list[Claim] = []
        for c in claims:
            buf.append(c)
            if len(buf) >= self.chunk:
                yield from self._chunk(buf)
                buf = []
        if buf:
            yield from self._chunk(buf)

    def _plan(self, flags: set[str]) -> list[Rule]:
        """The rules to call on a claim with these flags (memoised: a batch has few flag sets)."""
        key = frozenset(flags)
        got = self._plans.get(key)
        if got is None:
            got = self._plans[key] = [r for r in self.rules if r.when is None or r.when in key]
        return got

    def _chunk(self, claims: list[Claim]) -> Iterator[ClaimResult]:
        ctx = self.ctx
        views = [ctx.make_view(c) for c in claims]
        find_ptp(claims, views, ctx)
        plans = self._plans if self.use_flags else None
        for claim, view in zip(claims, views, strict=True):
            ctx.view = view
            findings: list[Finding] = []
            if plans is None:
                rules = self.rules
            else:
                rules = plans.get(frozenset(view.flags))
                if rules is None:
                    rules = self._plan(view.flags)
            for rule in rules:
                try:
                    findings.extend(rule.check(claim, ctx))
                except Exception as e:  # noqa: BLE001 - one broken rule must not stop the batch
                    findings.append(Finding("ENGINE-ERROR", REJECT, claim.id, None,
                                            f"rule {rule.id} failed on this claim: {type(e).__name__}: {e}",
                                            "report this claim to the Coderight maintainers", "coderight",
                                            "engine", 0.0))
            total = claim.total_charge
            at_risk: dict[int, float] = {}
            for f in findings:
                if f.severity in AT_RISK:
                    if f.line is None:
                        at_risk = {0: total}
                        break
                    at_risk[f.line] = f.amount
            yield ClaimResult(claim.id, findings, total, at_risk)
        ctx.view = None


def scrub(claims: Iterable[Claim], codebook) -> Iterator[ClaimResult]:
    return Engine(codebook).scrub_many(claims)
