"""SQLAlchemy 2 models: the coding service's tables.

Minimum necessary: a patient is a source id, a sex and a birth date (what the edits and
groupers need); no names, addresses or identifiers beyond the source system's key.

Schema changes go through Alembic (`store/migrations/versions/`), never `create_all` in
production: the initial migration creates every table below plus the audit-log triggers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


# Encounter workflow states, in order.
ENCOUNTER_STATUSES = ("new", "suggested", "in_review", "query_pending", "ready", "finalized")
QUERY_STATUSES = ("draft", "sent", "answered", "closed")
REVIEW_ACTIONS = ("accept", "modify", "reject", "add")


class Role(Base):
    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    description: Mapped[str] = mapped_column(String(200), default="")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    role: Mapped[Role] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored (tokens are 256-bit random)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship(lazy="joined")


class Patient(Base):
    __tablename__ = "patients"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str] = mapped_column(String(128), unique=True)
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[date | None] = mapped_column(Date)


class Encounter(Base):
    __tablename__ = "encounters"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str] = mapped_column(String(128), unique=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    setting: Mapped[str] = mapped_column(String(16), default="outpatient")
    specialty: Mapped[str | None] = mapped_column(String(64), index=True)
    provider: Mapped[str | None] = mapped_column(String(128), index=True)
    payer: Mapped[str | None] = mapped_column(String(128), index=True)
    service_date: Mapped[date | None] = mapped_column(Date)
    discharge_date: Mapped[date | None] = mapped_column(Date)
    billed_codes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Codes the source already carried (837 HI/SV1, FHIR Condition/Procedure/Claim)."""
    billed_amount: Mapped[float] = mapped_column(Float, default=0.0)
    money_at_stake: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    denial_risk: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    patient: Mapped[Patient | None] = relationship(lazy="joined")
    documents: Mapped[list[Document]] = relationship(back_populates="encounter", order_by="Document.id")

    __mapper_args__ = {"version_id_col": version}


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    source_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(64), default="progress note")
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    encounter: Mapped[Encounter] = relationship(back_populates="documents")
    __table_args__ = (UniqueConstraint("encounter_id", "source_id"),)


class SuggestionRun(Base):
    __tablename__ = "suggestion_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    engine_version: Mapped[str] = mapped_column(String(64))
    data_versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    queries: Mapped[list[Any]] = mapped_column(default=list)
    """Documentation gaps the engine proposed querying (topic, question, options)."""


class Suggestion(Base):
    __tablename__ = "suggestions"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("suggestion_runs.id"), index=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # dx, px, em
    code: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(16), default="engine")
    """'engine' (found in the note) or 'billed' (on the source claim, not found by the engine)."""
    title: Mapped[str] = mapped_column(String(400), default="")
    rank: Mapped[int] = mapped_column(Integer, default=0)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    rationale: Mapped[str] = mapped_column(Text, default="")


class Query(Base):
    """A provider query: draft → sent → answered → closed."""

    __tablename__ = "queries"
    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    template: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(200), default="")
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[Any]] = mapped_column(default=list)
    provider: Mapped[str | None] = mapped_column(String(128))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(128))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class ReviewDecision(Base):
    """A coder's decision on one code: the latest per (encounter, code key) is in force."""

    __tablename__ = "review_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    suggestion_id: Mapped[int | None] = mapped_column(ForeignKey("suggestions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(16))
    """The code decided on (the suggested one, or the coder-added one)."""
    action: Mapped[str] = mapped_column(String(16))
    final_code: Mapped[str | None] = mapped_column(String(16))
    """The code that goes on the claim (None when rejected)."""
    reason_code: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    query_id: Mapped[int | None] = mapped_column(ForeignKey("queries.id"), index=True)
    """The provider query whose answer led to this decision."""
    sequence: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    superseded_by: Mapped[int | None] = mapped_column(Integer)


class Claim(Base):
    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="final")
    payer: Mapped[str | None] = mapped_column(String(128))
    total_charge: Mapped[float] = mapped_column(Float, default=0.0)
    diagnoses: Mapped[list[Any]] = mapped_column(default=list)
    engine_version: Mapped[str] = mapped_column(String(64), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lines: Mapped[list[ClaimLine]] = relationship(order_by="ClaimLine.line_no", lazy="selectin")
    findings: Mapped[list[Finding]] = relationship(order_by="Finding.id", lazy="selectin")


class ClaimLine(Base):
    __tablename__ = "claim_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(16))
    modifiers: Mapped[list[Any]] = mapped_column(default=list)
    units: Mapped[float] = mapped_column(Float, default=1)
    charge: Mapped[float] = mapped_column(Float, default=0.0)
    dx_pointers: Mapped[list[Any]] = mapped_column(default=list)
    service_date: Mapped[date | None] = mapped_column(Date)


class Finding(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    family: Mapped[str] = mapped_column(String(32), default="")
    severity: Mapped[str] = mapped_column(String(32), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    fix: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    line_no: Mapped[int | None] = mapped_column(Integer)


class AuditEntry(Base):
    """Append-only: database triggers reject UPDATE and DELETE (see the initial migration)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(48), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    encounter_id: Mapped[int | None] = mapped_column(Integer, index=True)
    client: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


Index("ix_review_current", ReviewDecision.encounter_id, ReviewDecision.superseded_by)
