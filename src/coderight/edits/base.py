"""The pieces every edit rule shares: severities, `Finding`, `Rule` and its self-documentation.

A rule is one class: ``id``, ``family``, ``severity``, ``datasets`` (whose releases its findings
cite), ``check(claim, ctx)`` yielding `Finding` objects, and a docstring a coder can read top to
bottom::

    One-line title.

    Why the edit exists and how it is checked.

    Source: where the rule comes from (its release is appended from the loaded data).
    Fix: what to change on the claim.

    Fails: <example claim in the compact notation of `coderight.edits.notation`>
    Passes: <example claim>

The docstring is the catalog (``coderight rules list|show``) and its examples are the tests.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from ..claims.model import Claim, Line
    from .context import Context

REJECT = "reject"
DENIAL = "denial risk"
COMPLIANCE = "compliance risk"
REVENUE = "revenue opportunity"
INFO = "info"
SEVERITIES = (REJECT, DENIAL, COMPLIANCE, REVENUE, INFO)
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
AT_RISK = frozenset({REJECT, DENIAL})
"""Severities whose line charge counts as money at risk."""


@dataclass(slots=True)
class Finding:
    rule: str
    severity: str
    claim_id: str
    line: int | None
    """1-based line number, or None for a claim-level finding."""
    message: str
    fix: str
    source: str
    family: str = ""
    amount: float = 0.0
    """The charge at risk (the line's charge for a line finding that risks denial)."""

    def to_dict(self) -> dict:
        return {"rule": self.rule, "family": self.family, "severity": self.severity, "claim_id": self.claim_id,
                "line": self.line, "message": self.message, "fix": self.fix, "source": self.source,
                "amount": self.amount}


_SECTION = re.compile(r"^(Source|Fix|Fails|Passes):\s*(.*)$")


@dataclass(frozen=True)
class RuleDoc:
    title: str
    description: str
    source: str
    fix: str
    fails: tuple[str, ...]
    passes: tuple[str, ...]


def parse_doc(doc: str | None) -> RuleDoc:
    """Split a rule docstring into title, description, Source, Fix, Fails and Passes.

    >>> d = parse_doc('''Title here.
    ...
    ...     Some text.
    ...
    ...     Source: NCCI.
    ...     Fix: do it
    ...       well.
    ...     Fails: 99213
    ...     Fails: 99214
    ...     Passes: 99212''')
    >>> d.title, d.fix, d.fails, d.passes
    ('Title here.', 'do it well.', ('99213', '99214'), ('99212',))
    """
    lines = (doc or "").splitlines()
    k = 1
    while k < len(lines) and lines[k].strip():  # the title is the first paragraph
        k += 1
    title = " ".join(x.strip() for x in lines[:k]).strip()
    text = textwrap.dedent("\n".join(lines[k:]))
    desc: list[str] = []
    sections: dict[str, list[str]] = {"Source": [], "Fix": [], "Fails": [], "Passes": []}
    cur: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        m = _SECTION.match(line)
        if m:
            cur = [m.group(2).strip()]
            sections[m.group(1)].append(cur)  # type: ignore[arg-type]
        elif not line:
            cur = None
            desc.append("")
        elif cur is not None:
            cur.append(line)
        else:
            desc.append(line)
    join = lambda parts: " ".join(p for p in parts if p)  # noqa: E731
    return RuleDoc(title, re.sub(r"\n{3,}", "\n\n", "\n".join(desc)).strip(), " ".join(join(s) for s in sections["Source"]),
                   " ".join(join(s) for s in sections["Fix"]),
                   tuple(join(s) for s in sections["Fails"]), tuple(join(s) for s in sections["Passes"]))


class Rule:
    """Base class of an edit rule (see module docstring)."""

    id: ClassVar[str] = ""
    family: ClassVar[str] = ""
    severity: ClassVar[str] = INFO
    datasets: ClassVar[tuple[str, ...]] = ()
    """Datasets whose release every finding names in its source."""
    when: ClassVar[str | None] = None
    """A `ClaimView.flags` entry without which the rule cannot fire: the engine skips the call."""

    def __init__(self, ctx: Context | None = None):
        self.doc = parse_doc(type(self).__doc__)
        self.source = self.doc.source
        if ctx is not None:
            rel = "; ".join(ctx.release(d) for d in self.datasets if ctx.release(d))
            if rel:
                self.source = f"{self.doc.source} [{rel}]"

    def check(self, claim: Claim, ctx: Context) -> Iterator[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(self, claim: Claim, line: Line | None, message: str, fix: str | None = None,
                severity: str | None = None) -> Finding:
        sev = severity or self.severity
        amount = 0.0
        if sev in AT_RISK:
            amount = line.charge if line is not None else claim.total_charge
        return Finding(self.id, sev, claim.id, line.number if line is not None else None, message,
                       fix or self.doc.fix, self.source, self.family, amount)

    @classmethod
    def describe(cls) -> dict:
        d = parse_doc(cls.__doc__)
        return {"id": cls.id, "family": cls.family, "severity": cls.severity, "title": d.title,
                "description": d.description, "source": d.source, "fix": d.fix, "fails": list(d.fails),
                "passes": list(d.passes), "datasets": list(cls.datasets)}
