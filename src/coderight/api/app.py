"""The FastAPI application: `create_app(settings)`; settings come from the environment at the
rim (`coderight serve`, `uvicorn coderight.api.app:from_env --factory`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import FastAPI

from ..store.db import make_engine, session_factory, upgrade
from ..workflow.engines import Engines
from ..workflow.service import CodingService
from . import errors
from .routes import auth, encounters, system, work

log = logging.getLogger("coderight.api")


@dataclass(frozen=True)
class ApiSettings:
    database_url: str
    migrate: bool = True
    """Run the Alembic migrations to head at start-up (the embedded default does)."""


def create_app(settings: ApiSettings, codebook=None, engines=None) -> FastAPI:
    if settings.migrate:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    if engines is None:
        if codebook is None:
            from ..codesets.codebook import Codebook

            codebook = Codebook()
        engines = Engines(codebook)
    app = FastAPI(title="Coderight coding service", version="1", summary=(
        "AI drafts, a coder reviews and signs off, and the practice can prove it in an audit."))
    app.state.service = CodingService(session_factory(engine), engines)
    app.state.engine = engine
    errors.install(app)
    for r in (system.router, auth.router, encounters.router, work.router):
        app.include_router(r)
    return app


def from_env() -> FastAPI:
    """`uvicorn --factory coderight.api.app:from_env` (CODERIGHT_DATABASE_URL, CODERIGHT_CACHE_DIR)."""
    from ..settings import Settings

    return create_app(ApiSettings(Settings.from_env().database_url))
