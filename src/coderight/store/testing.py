"""Test support for the store: a throw-away database on each backend.

PostgreSQL: `CODERIGHT_TEST_POSTGRES_URL` (default: the loopback server,
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) is the maintenance connection;
`scratch_postgres()` creates a database with a random name, yields its URL, and drops it.
An unreachable server is an error (`PostgresUnavailable`), never a silent skip.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .db import normalize_url

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class PostgresUnavailable(RuntimeError):
    pass


def admin_url() -> str:
    return normalize_url(os.environ.get("CODERIGHT_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL))


@contextmanager
def scratch_postgres(prefix: str = "coderight_test") -> Iterator[str]:
    base = make_url(admin_url())
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # noqa: BLE001 - re-raised with the reason and the fix
        admin.dispose()
        raise PostgresUnavailable(
            f"PostgreSQL tests need a server: could not create a scratch database through "
            f"{base.render_as_string(hide_password=True)} ({type(e).__name__}: {str(e).splitlines()[0]}). "
            "Start PostgreSQL on loopback or set CODERIGHT_TEST_POSTGRES_URL.") from None
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
