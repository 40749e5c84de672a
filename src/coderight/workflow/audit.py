"""The audit trail: every read of a note and every change, who, what, when, from where.

Entries are only ever inserted (the database refuses UPDATE and DELETE on `audit_log`).
They record identifiers and codes, never note text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..store.models import AuditEntry
from .security import Actor


def record(session: Session, actor: Actor, action: str, object_type: str, object_id=None,
           encounter_id: int | None = None, **detail) -> AuditEntry:
    entry = AuditEntry(user_id=actor.user_id, username=actor.username, role=actor.role, action=action,
                       object_type=object_type, object_id=None if object_id is None else str(object_id),
                       encounter_id=encounter_id, client=actor.client, detail=detail)
    session.add(entry)
    return entry


def search(session: Session, *, encounter_id: int | None = None, user_id: int | None = None,
           username: str | None = None, action: str | None = None, since: datetime | None = None,
           until: datetime | None = None, limit: int = 50, offset: int = 0) -> tuple[list[AuditEntry], int]:
    q = select(AuditEntry)
    if encounter_id is not None:
        q = q.where(AuditEntry.encounter_id == encounter_id)
    if user_id is not None:
        q = q.where(AuditEntry.user_id == user_id)
    if username:
        q = q.where(AuditEntry.username == username)
    if action:
        q = q.where(AuditEntry.action == action)
    if since:
        q = q.where(AuditEntry.at >= since)
    if until:
        q = q.where(AuditEntry.at < until)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(q.order_by(AuditEntry.id).limit(limit).offset(offset)).all()
    return list(rows), total
