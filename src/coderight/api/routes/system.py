"""Health and reference lists."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text

from ...store.db import current_revision
from ...workflow.queries import TEMPLATES
from ...workflow.security import PERMISSIONS
from ...workflow.service import REASON_CODES
from ..deps import CurrentActor
from ..schemas import Health

router = APIRouter(tags=["system"])


@router.get("/health", response_model=Health)
def health(request: Request) -> Health:
    svc = request.app.state.service
    engine = svc.factory.kw["bind"]
    with engine.connect() as c:
        c.execute(text("SELECT 1"))
    return Health(status="ok", database=engine.dialect.name, schema_revision=current_revision(engine),
                  engines=svc.engines.components())


@router.get("/reference/reason-codes", response_model=dict[str, str])
def reason_codes(who: CurrentActor) -> dict[str, str]:
    return REASON_CODES


@router.get("/reference/query-templates", response_model=dict[str, dict])
def query_templates(who: CurrentActor) -> dict[str, dict]:
    return TEMPLATES


@router.get("/reference/roles", response_model=dict[str, list[str]])
def roles(who: CurrentActor) -> dict[str, list[str]]:
    """Permission → roles allowed (the roles matrix)."""
    return {k: sorted(v) for k, v in PERMISSIONS.items()}
