"""Alembic environment: a short-lived sync psycopg engine (callable from inside a running event loop),
both schemas, type comparison on."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers every table on the metadata)
from db.urls import to_libpq

config = context.config
target_metadata = SQLModel.metadata


def _include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001
    # LangGraph's checkpoint tables are owned by its own `setup()`, not by alembic.
    if type_ == "table" and name and name.startswith(("checkpoint", "procrastinate_")):
        return False  # procrastinate's tables are its own schema, applied verbatim by migration 011
    return True


def _configure(connection: Connection | None = None, **kw) -> None:  # noqa: ANN003
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_schemas=True,
        include_object=_include_object,
        version_table_schema="public",
        **kw,
    )


def run_migrations_offline() -> None:
    """Emit SQL without a connection (`alembic upgrade --sql`)."""
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over a psycopg connection."""
    url = to_libpq(config.get_main_option("sqlalchemy.url")).replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run_sync(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
elif (conn := config.attributes.get("connection")) is not None:
    _run_sync(conn)
else:
    run_migrations_online()
