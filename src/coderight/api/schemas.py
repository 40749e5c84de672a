"""Request and response bodies (Pydantic): the API's OpenAPI contract, apart from the tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class ORM(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class ErrorBody(BaseModel):
    code: str
    message: str
    detail: dict[str, Any] = {}


class Error(BaseModel):
    error: ErrorBody


# ---------------------------------------------------------------- auth and users
class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    username: str
    role: str


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=8, max_length=256)
    role: Literal["coder", "cdi", "auditor", "manager", "admin"]
    full_name: str = Field("", max_length=120)


class UserOut(ORM):
    id: int
    username: str
    full_name: str
    role: str
    active: bool


class TokenIn(BaseModel):
    name: str = Field("", max_length=64)
    days: int | None = Field(30, ge=1, le=3650)


class Me(BaseModel):
    user_id: int | None
    username: str
    role: str
    permissions: list[str]


# ---------------------------------------------------------------- encounters
class EncounterOut(ORM):
    id: int
    source_id: str
    setting: str
    specialty: str | None
    provider: str | None
    payer: str | None
    service_date: date | None
    discharge_date: date | None
    status: str
    money_at_stake: float
    denial_risk: float
    billed_amount: float
    billed_codes: dict[str, Any]
    assigned_to: int | None
    version: int
    updated_at: datetime


class DocumentMeta(ORM):
    id: int
    source_id: str
    kind: str
    sha256: str


class DocumentOut(DocumentMeta):
    encounter_id: int
    text: str


class Evidence(BaseModel):
    start: int | None = None
    end: int | None = None
    text: str | None = None


class SuggestionOut(ORM):
    id: int
    kind: str
    code: str
    origin: str
    title: str
    rank: int
    confidence: float
    evidence: list[Evidence]
    rationale: str


class RunOut(ORM):
    id: int
    engine_version: str
    data_versions: dict[str, Any]
    started_at: datetime
    duration_ms: float
    queries: list[dict[str, Any]]


class DecisionOut(ORM):
    id: int
    suggestion_id: int | None
    kind: str
    code: str
    action: str
    final_code: str | None
    reason_code: str | None
    note: str
    query_id: int | None
    sequence: int | None
    user_id: int
    created_at: datetime


class QueryOut(ORM):
    id: int
    encounter_id: int
    status: str
    template: str
    topic: str
    question: str
    options: list[str]
    provider: str | None
    answer: str | None
    answered_by: str | None
    created_by: int
    created_at: datetime
    sent_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    version: int


class FindingOut(ORM):
    rule_id: str
    family: str
    severity: str
    message: str
    fix: str
    source: str
    line_no: int | None


class ClaimLineOut(ORM):
    line_no: int
    code: str
    modifiers: list[str]
    units: float
    charge: float
    dx_pointers: list[int]
    service_date: date | None


class ClaimOut(ORM):
    id: int
    encounter_id: int
    status: str
    payer: str | None
    total_charge: float
    diagnoses: list[str]
    engine_version: str
    created_at: datetime
    lines: list[ClaimLineOut]
    findings: list[FindingOut]


class EncounterDetail(BaseModel):
    encounter: EncounterOut
    documents: list[DocumentMeta]
    run: RunOut | None
    suggestions: list[SuggestionOut]
    decisions: list[DecisionOut]
    queries: list[QueryOut]
    claims: list[ClaimOut]


class SuggestOut(BaseModel):
    encounter: EncounterOut
    run: RunOut
    suggestions: list[SuggestionOut]


class DecisionIn(BaseModel):
    action: Literal["accept", "modify", "reject", "add"]
    suggestion_id: int | None = Field(None, ge=1, le=2**31 - 1)
    kind: Literal["dx", "px", "em"] | None = None
    code: str | None = Field(None, max_length=16)
    final_code: str | None = Field(None, max_length=16)
    reason_code: str | None = Field(None, max_length=32)
    note: str = Field("", max_length=2000)
    sequence: int | None = Field(None, ge=1, le=99)


class DecisionsIn(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1, description="the encounter version the decisions are based on")
    decisions: list[DecisionIn] = Field(min_length=1, max_length=200)


class DecisionsOut(BaseModel):
    encounter: EncounterOut
    decisions: list[DecisionOut]


class VersionIn(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1)


class AssignIn(VersionIn):
    user_id: int | None = Field(None, ge=1, le=2**31 - 1)


class QueryIn(BaseModel):
    template: str = Field(max_length=64)
    topic: str = Field(min_length=1, max_length=200)
    options: list[str] = Field(default_factory=list, max_length=10)
    provider: str | None = Field(None, max_length=128)


class QueryAnswerIn(VersionIn):
    answer: str = Field(min_length=1, max_length=4000)
    answered_by: str | None = Field(None, max_length=128)
    encounter_version: int | None = Field(None, ge=1, le=2**31 - 1,
                                          description="needed with decisions: the encounter version")
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=50,
                                        description="code decisions the answer led to (linked to the query)")


class QueryAnswerOut(BaseModel):
    query: QueryOut
    decisions: list[DecisionOut]


class IngestOut(BaseModel):
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    rejected: list[dict[str, Any]]
    counts: dict[str, int]


class AuditOut(ORM):
    id: int
    at: datetime
    user_id: int | None
    username: str | None
    role: str | None
    action: str
    object_type: str
    object_id: str | None
    encounter_id: int | None
    client: str | None
    detail: dict[str, Any]


class Health(BaseModel):
    status: str
    database: str
    schema_revision: str | None
    engines: dict[str, str]
