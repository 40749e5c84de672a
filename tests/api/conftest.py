"""API fixtures: one app per backend (SQLite file and a scratch PostgreSQL database), the real
engines over the session codebook, and a token per role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('api-sqlite') / 'coderight.db'}"
        return
    from coderight.store.testing import PostgresUnavailable, scratch_postgres

    try:
        with scratch_postgres("coderight_api") as url:
            yield url
    except PostgresUnavailable as e:
        pytest.fail(str(e))


@pytest.fixture(scope="session")
def app(db_url, codebook):
    from coderight.api.app import ApiSettings, create_app

    app = create_app(ApiSettings(db_url), codebook=codebook)
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="session")
def tokens(app) -> dict[str, str]:
    """A user and a token per role (username = role)."""
    from coderight.store.db import transaction
    from coderight.workflow import security

    out = {}
    with transaction(app.state.service.factory) as s:
        for role in security.ROLES:
            user = security.create_user(s, f"t-{role}", "test-password-1", role, f"Test {role}")
            out[role] = security.issue_token(s, user, "test")
    return out


@pytest.fixture(scope="session")
def client(app) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="session")
def auth(tokens):
    def headers(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}
    return headers
