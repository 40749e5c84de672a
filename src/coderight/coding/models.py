"""The result of coding one encounter: typed, JSON-ready, with room for E/M and procedures."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Evidence(BaseModel):
    start: int
    end: int
    text: str
    section: str = ""


class Diagnosis(BaseModel):
    code: str
    title: str
    rank: int = 0
    confidence: float = 0.0
    evidence: list[Evidence] = Field(default_factory=list)
    rationale: list[str] = Field(default_factory=list)
    """Index path walked, tabular notes applied, guideline units that changed the code."""
    index_path: list[str] = Field(default_factory=list)
    guideline: list[str] = Field(default_factory=list)
    status: str = "affirmed"
    """affirmed, uncertain (coded as established: inpatient), historical, family."""


class SetAside(BaseModel):
    """A mention the documentation does not let us code, and why (negated, uncertain in an
    outpatient note, hypothetical, integral symptom, …)."""

    code: str
    text: str
    reason: str
    evidence: list[Evidence] = Field(default_factory=list)


class Query(BaseModel):
    """A documentation query: non-leading (open or multiple choice with 'other' and 'clinically
    undetermined'), never about payment."""

    kind: str
    """acuity, type, laterality, stage, severity, linkage, etiology, clinical_validation, …"""
    question: str
    options: list[str] = Field(default_factory=list)
    codes_at_stake: list[str] = Field(default_factory=list)
    current_code: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    basis: list[str] = Field(default_factory=list)
    """Why the query is raised: the guideline or practice brief, and what was looked for."""


class CodingResult(BaseModel):
    id: str = ""
    setting: str = "outpatient"
    diagnoses: list[Diagnosis] = Field(default_factory=list)
    queries: list[Query] = Field(default_factory=list)
    set_aside: list[SetAside] = Field(default_factory=list)
    em: Any | None = None
    """Evaluation and management level (added by the E/M engine)."""
    procedures: list[Any] = Field(default_factory=list)
    """Procedure codes (added by the procedure engine)."""
    data_versions: dict[str, str] = Field(default_factory=dict)
    error: str | None = None

    def codes(self) -> list[str]:
        return [d.code for d in self.diagnoses]

    def to_record(self) -> dict:
        """One line of the batch output."""
        rec: dict[str, Any] = {"id": self.id}
        if self.error:
            rec["error"] = self.error
        rec["diagnoses"] = [
            {"code": d.code, "title": d.title, "rank": d.rank, "confidence": d.confidence,
             "evidence": [{"start": e.start, "end": e.end, "text": e.text} for e in d.evidence],
             "rationale": d.rationale}
            for d in self.diagnoses
        ]
        rec["queries"] = [q.model_dump() for q in self.queries]
        rec["set_aside"] = [s.model_dump() for s in self.set_aside]
        rec["data_version"] = self.data_versions
        return rec
