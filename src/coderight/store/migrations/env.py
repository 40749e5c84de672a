"""Alembic environment: the URL comes from the config (set by `store.db.alembic_config`) or
from CODERIGHT_DATABASE_URL when run as `alembic -c alembic.ini upgrade head`."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import pool

from coderight.store.db import make_engine, normalize_url
from coderight.store.models import Base

try:
    config = context.config
except AttributeError:  # imported outside an Alembic run (e.g. pytest --doctest-modules)
    config = None
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url or url == "env":
        url = os.environ.get("CODERIGHT_DATABASE_URL", "sqlite:///coderight.db")
    return normalize_url(url)


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=_url().startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if config is None:
    pass
elif context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
