"""The store on SQLite and PostgreSQL: migrations from empty, seeded roles, the append-only
audit log enforced by the database itself, and optimistic locking."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from coderight.store.db import alembic_config, current_revision, make_engine, session_factory, upgrade
from coderight.store.models import AuditEntry, Base, Encounter

TABLES = {"patients", "encounters", "documents", "suggestion_runs", "suggestions", "review_decisions",
          "queries", "claims", "claim_lines", "findings", "users", "roles", "api_tokens", "audit_log"}


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    from coderight.store.testing import PostgresUnavailable, scratch_postgres

    try:
        with scratch_postgres("coderight_store") as url:
            yield url
    except PostgresUnavailable as e:
        pytest.fail(str(e))


@pytest.fixture
def engine(db_url):
    upgrade(db_url)
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def test_migrations_create_every_table_and_match_the_models(engine, db_url):
    from alembic import command

    assert TABLES <= set(inspect(engine).get_table_names())
    assert current_revision(engine) == "0001"
    with engine.connect() as c:
        assert sorted(r[0] for r in c.execute(text("SELECT name FROM roles"))) == \
            ["admin", "auditor", "cdi", "coder", "manager"]
    # the migration and the models agree (no pending autogenerate diff)
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    assert diff == []
    # down and up again
    engine.dispose()
    command.downgrade(alembic_config(db_url), "base")
    assert not (TABLES & set(inspect(engine).get_table_names()))
    upgrade(db_url)
    assert TABLES <= set(inspect(engine).get_table_names())


def test_audit_log_is_append_only_in_the_database(engine):
    factory = session_factory(engine)
    with factory() as s, s.begin():
        s.add(AuditEntry(action="note.read", object_type="document", object_id="1", username="a", detail={}))
    for stmt in ("UPDATE audit_log SET username = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as c:
            c.execute(text(stmt))
    with factory() as s:
        rows = s.scalars(select(AuditEntry)).all()
        assert [(r.username, r.action) for r in rows] == [("a", "note.read")]
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as c:
            c.execute(text("TRUNCATE audit_log"))


def test_optimistic_locking_refuses_a_stale_write(engine):
    factory = session_factory(engine)
    with factory() as s, s.begin():
        s.add(Encounter(source_id="LOCK-1", status="new", billed_codes={}))
    a, b = factory(), factory()
    ea = a.scalar(select(Encounter).where(Encounter.source_id == "LOCK-1"))
    eb = b.scalar(select(Encounter).where(Encounter.source_id == "LOCK-1"))
    a.commit()  # both read version 1 and end their read transactions, as two HTTP requests do
    b.commit()
    ea.status = "in_review"
    a.commit()
    eb.status = "finalized"
    with pytest.raises(StaleDataError):
        b.commit()
    b.rollback()
    a.close()
    b.close()
    with factory() as s:
        e = s.scalar(select(Encounter).where(Encounter.source_id == "LOCK-1"))
        assert (e.status, e.version) == ("in_review", 2)


def test_sqlite_runs_in_wal_mode(tmp_path):
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    upgrade(url)
    eng = make_engine(url)
    with eng.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    eng.dispose()


def test_unreachable_postgres_fails_with_a_clear_message(monkeypatch):
    from coderight.store.testing import PostgresUnavailable, scratch_postgres

    monkeypatch.setenv("CODERIGHT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:1/postgres")
    with pytest.raises(PostgresUnavailable, match="PostgreSQL tests need a server"), scratch_postgres():
        pass
