"""Provider queries, claims and exports, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from ..deps import CurrentActor, Svc
from ..schemas import (
    AuditOut,
    ClaimOut,
    DecisionOut,
    Page,
    QueryAnswerIn,
    QueryAnswerOut,
    QueryOut,
    VersionIn,
)

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/queries/{query_id}", response_model=QueryOut, tags=["queries"])
def get_query(query_id: Id, who: CurrentActor, svc: Svc) -> QueryOut:
    return QueryOut.model_validate(svc.get_query(who, query_id))


@router.get("/queries/{query_id}/decisions", response_model=list[DecisionOut], tags=["queries"])
def query_decisions(query_id: Id, who: CurrentActor, svc: Svc) -> list[DecisionOut]:
    """The code decisions this query's answer led to."""
    return [DecisionOut.model_validate(d) for d in svc.query_links(who, query_id)]


@router.post("/queries/{query_id}/send", response_model=QueryOut, tags=["queries"])
def send_query(query_id: Id, body: VersionIn, who: CurrentActor, svc: Svc) -> QueryOut:
    return QueryOut.model_validate(svc.query_transition(who, query_id, "sent", body.version))


@router.post("/queries/{query_id}/answer", response_model=QueryAnswerOut, tags=["queries"])
def answer_query(query_id: Id, body: QueryAnswerIn, who: CurrentActor, svc: Svc) -> QueryAnswerOut:
    """Record the provider's answer, and the code decisions it led to (linked to this query)."""
    out = svc.answer_query(who, query_id, body.version, body.answer, body.answered_by, body.encounter_version,
                           [d.model_dump() for d in body.decisions])
    return QueryAnswerOut.model_validate(out, from_attributes=True)


@router.post("/queries/{query_id}/close", response_model=QueryOut, tags=["queries"])
def close_query(query_id: Id, body: VersionIn, who: CurrentActor, svc: Svc) -> QueryOut:
    return QueryOut.model_validate(svc.query_transition(who, query_id, "closed", body.version))


@router.get("/claims/{claim_id}", response_model=ClaimOut, tags=["claims"])
def claim(claim_id: Id, who: CurrentActor, svc: Svc) -> ClaimOut:
    return ClaimOut.model_validate(svc.claim(who, claim_id))


@router.get("/claims/{claim_id}/export", tags=["claims"],
            responses={200: {"content": {"application/edi-x12": {}, "application/fhir+json": {}}}})
def export(claim_id: Id, who: CurrentActor, svc: Svc,
           format: Literal["837p", "fhir"] = "837p") -> Response:
    """The claim as an X12 837P interchange or a FHIR R4 Claim."""
    body = svc.export(who, claim_id, format)
    media = "application/edi-x12" if format == "837p" else "application/fhir+json"
    return Response(body, media_type=media)


@router.get("/audit", response_model=Page[AuditOut], tags=["audit"])
def audit_log(who: CurrentActor, svc: Svc,
              encounter_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
              user_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
              username: Annotated[str | None, Query(max_length=64)] = None,
              action: Annotated[str | None, Query(max_length=48)] = None,
              since: datetime | None = None, until: datetime | None = None,
              limit: Annotated[int, Query(ge=1, le=500)] = 100,
              offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Page[AuditOut]:
    """The append-only audit log (read-only for every role)."""
    rows, total = svc.audit_log(who, encounter_id=encounter_id, user_id=user_id, username=username,
                                action=action, since=since, until=until, limit=limit, offset=offset)
    return Page[AuditOut](items=[AuditOut.model_validate(r) for r in rows], total=total, limit=limit,
                          offset=offset)
