"""A procedure, supply or drug line suggested from the note, with its evidence and the rule that
produced it (labels are ours; CPT descriptors are © AMA and are not kept here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..em.note import Evidence


@dataclass
class Suggestion:
    code: str
    label: str
    units: int = 1
    modifiers: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    rule: str = ""
    """Rule id, e.g. PX-LAC-1."""
    rationale: str = ""
    source: str = ""
    kind: str = "procedure"
    """procedure, drug, supply, vaccine, administration, test."""
    site: str = ""
    """Anatomic site or lesion the line is about (for distinct-service modifiers)."""
    laterality: str = ""
    """L, R, B (bilateral) or ''."""
    group: str = ""
    """Family key for distinct-service checks (e.g. 'lac:simple:face')."""
    indication: str = ""
    """Words naming the problem the procedure treats (for the modifier 25 test)."""

    def add_modifier(self, m: str) -> None:
        if m and m not in self.modifiers:
            self.modifiers.append(m)

    def to_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "modifiers": list(self.modifiers), "units": self.units,
                "kind": self.kind, "evidence": [e.to_dict() for e in self.evidence], "rule": self.rule,
                "rationale": self.rationale, "source": self.source}
