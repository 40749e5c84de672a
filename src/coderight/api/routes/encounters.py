"""Ingest, worklist, encounters, notes, suggestions, review decisions, finalize."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from ...workflow.service import WorklistFilter
from ..deps import CurrentActor, Svc
from ..schemas import (
    AssignIn,
    ClaimOut,
    DecisionsIn,
    DecisionsOut,
    DocumentOut,
    EncounterDetail,
    EncounterOut,
    IngestOut,
    Page,
    QueryIn,
    QueryOut,
    SuggestOut,
    VersionIn,
)

router = APIRouter(tags=["encounters"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
MAX_INGEST_BYTES = 50 * 1024 * 1024

_INGEST_BODY = {"requestBody": {"required": True, "content": {
    "application/x-ndjson": {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}},
    "application/fhir+json": {"schema": {"type": "object"}},
    "application/edi-x12": {"schema": {"type": "string"}},
    "text/plain": {"schema": {"type": "string"}},
}}}


@router.post("/ingest", response_model=IngestOut, openapi_extra=_INGEST_BODY)
async def ingest(request: Request, who: CurrentActor, svc: Svc,
                 format: Annotated[Literal["jsonl", "csv", "fhir", "x12"] | None,
                                   Query(description="default: sniffed from the content")] = None) -> IngestOut:
    """Notes with encounter metadata (JSONL, CSV), a FHIR R4 Bundle, or an X12 837P.
    Idempotent by source id; each encounter in its own transaction; rejects with reasons."""
    who.require("ingest")
    raw = await request.body()
    if len(raw) > MAX_INGEST_BYTES:
        from ...workflow.errors import Invalid
        raise Invalid(f"body larger than {MAX_INGEST_BYTES} bytes")
    try:
        data = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        from ...workflow.errors import Invalid
        raise Invalid("the body must be UTF-8 text") from None
    from starlette.concurrency import run_in_threadpool

    report = await run_in_threadpool(svc.ingest, who, data, format, request.headers.get("content-type", ""))
    return IngestOut(**report.to_dict())


@router.get("/worklist", response_model=Page[EncounterOut])
def worklist(who: CurrentActor, svc: Svc,
             setting: Literal["outpatient", "inpatient"] | None = None,
             specialty: Annotated[str | None, Query(max_length=64)] = None,
             provider: Annotated[str | None, Query(max_length=128)] = None,
             payer: Annotated[str | None, Query(max_length=128)] = None,
             status: Literal["new", "suggested", "in_review", "query_pending", "ready", "finalized"] | None = None,
             assigned_to: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
             order: Literal["priority", "money", "risk", "service_date", "id"] = "priority",
             limit: Annotated[int, Query(ge=1, le=200)] = 50,
             offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Page[EncounterOut]:
    """Encounters to code, by default most money at stake × denial risk first."""
    f = WorklistFilter(setting, specialty, provider, payer, status, assigned_to)
    rows, total = svc.worklist(who, f, order, limit, offset)
    return Page[EncounterOut](items=[EncounterOut.model_validate(r) for r in rows], total=total,
                              limit=limit, offset=offset)


@router.get("/encounters/{encounter_id}", response_model=EncounterDetail)
def encounter(encounter_id: Id, who: CurrentActor, svc: Svc) -> EncounterDetail:
    """The encounter, its latest suggestions, decisions in force, queries and claims (no note text)."""
    return EncounterDetail.model_validate(svc.encounter(who, encounter_id), from_attributes=True)


@router.get("/encounters/{encounter_id}/documents/{document_id}", response_model=DocumentOut)
def document(encounter_id: Id, document_id: Id, who: CurrentActor, svc: Svc) -> DocumentOut:
    """The note text. Every read is written to the audit log."""
    return DocumentOut.model_validate(svc.document(who, encounter_id, document_id))


@router.post("/encounters/{encounter_id}/suggest", response_model=SuggestOut)
def suggest(encounter_id: Id, who: CurrentActor, svc: Svc) -> SuggestOut:
    """Run the engines; store the run (engine and data versions) and its suggestions."""
    return SuggestOut.model_validate(svc.suggest(who, encounter_id), from_attributes=True)


@router.post("/encounters/{encounter_id}/decisions", response_model=DecisionsOut)
def decide(encounter_id: Id, body: DecisionsIn, who: CurrentActor, svc: Svc) -> DecisionsOut:
    """Accept / modify / reject suggestions, or add codes. 409 when the encounter changed since
    `version`."""
    out = svc.decide(who, encounter_id, body.version, [d.model_dump() for d in body.decisions])
    return DecisionsOut.model_validate(out, from_attributes=True)


@router.post("/encounters/{encounter_id}/assign", response_model=EncounterOut)
def assign(encounter_id: Id, body: AssignIn, who: CurrentActor, svc: Svc) -> EncounterOut:
    return EncounterOut.model_validate(svc.assign(who, encounter_id, body.user_id, body.version))


@router.post("/encounters/{encounter_id}/queries", response_model=QueryOut, status_code=201)
def create_query(encounter_id: Id, body: QueryIn, who: CurrentActor, svc: Svc) -> QueryOut:
    """Draft a provider query from a non-leading template."""
    return QueryOut.model_validate(svc.create_query(who, encounter_id, body.template, body.topic,
                                                    body.options, body.provider))


@router.post("/encounters/{encounter_id}/finalize", response_model=ClaimOut, status_code=201)
def finalize(encounter_id: Id, body: VersionIn, who: CurrentActor, svc: Svc) -> ClaimOut:
    """Build the claim from the accepted codes and run the edits. 409 if codes are undecided,
    a query is unanswered, or the encounter changed since `version`."""
    return ClaimOut.model_validate(svc.finalize(who, encounter_id, body.version))
