"""Property-based fuzz of the OpenAPI (schemathesis): no input makes the service answer 500,
on SQLite and on PostgreSQL. Bounded: a fixed number of examples per operation."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from coderight.demo import encounters_jsonl

EXAMPLES = 12


@pytest.fixture(scope="session")
def seeded(app, tokens):
    """Some real encounters, suggestions and a query, so ids in the fuzzed paths hit rows."""
    from coderight.workflow.security import SYSTEM, Actor

    svc = app.state.service
    svc.ingest(SYSTEM, encounters_jsonl(), "jsonl")
    coder = Actor(None, "fuzz", "coder")
    rows, _ = svc.worklist(coder, __import__("coderight.workflow.service", fromlist=["x"]).WorklistFilter(),
                           limit=3)
    for e in rows:
        svc.suggest(coder, e.id)
    return tokens


@pytest.fixture(scope="session")
def api_schema(app, seeded):
    return schemathesis.openapi.from_asgi("/openapi.json", app)


ROLE_BY_PATH = [("/users", "admin"), ("/audit", "auditor"), ("/ingest", "manager"), ("/assign", "manager"),
                ("/queries", "cdi"), ("/claims", "coder"), ("/encounters", "coder")]


def role_for(path: str) -> str:
    return next((role for prefix, role in ROLE_BY_PATH if prefix in path), "coder")


def _runner(op, token: str, failures: list[str]):
    @given(case=op.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
        response = case.call()
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}")
        elif response.status_code >= 400:
            try:
                body = json.loads(response.text)
            except ValueError:
                body = None
            if not isinstance(body, dict) or set(body) != {"error"}:
                failures.append(f"{case.method} {case.formatted_path}: error body {response.text[:200]}")
    return run


def test_no_input_makes_a_500(api_schema, seeded):
    """Every operation, EXAMPLES generated cases each; each error answered with the one error body."""
    ops = [r.ok() for r in api_schema.get_all_operations()]
    assert len(ops) >= 20
    failures: list[str] = []
    for op in ops:
        _runner(op, seeded[role_for(op.path)], failures)()
    assert not failures, "\n".join(failures[:20])
