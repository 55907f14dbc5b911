"""Test databases: one migrated template per test run, cloned into a fresh database for every test.

Cloning a template costs ~25 ms, so each test gets its own database (real commits, concurrency, the
checkpointer) and nothing leaks between tests. The server is DATABASE_URL's when set, else the embedded one.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import psycopg

from db.settings import DatabaseSettings
from db.urls import resolve_libpq_url, with_database  # noqa: F401  (re-exported)

REPO = Path(__file__).resolve().parents[1]


def server_url() -> str:
    """libpq URL of the server tests run against (its default database)."""
    settings = DatabaseSettings()
    if not settings.url:
        # Tests keep their own embedded data directory so they never touch a user's data.
        settings = DatabaseSettings(data_dir=Path(os.environ.get("TEACH_TEST_PGDATA", REPO / ".teach" / "pgdata-test")))
    return resolve_libpq_url(settings)


def admin_execute(url: str, sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def create_template(url: str) -> str:
    """Create and migrate a uniquely named template database; returns its name."""
    from migrations.runner import upgrade

    name = f"teach_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin_execute(url, f'CREATE DATABASE "{name}"')
    upgrade(with_database(url, name))
    asyncio.run(_load_curriculum(with_database(url, name)))
    return name


async def _load_curriculum(url: str) -> None:
    """Every test database starts with the bundled curriculum, as a served database does."""
    from curriculum.sync import sync_curriculum
    from db.engine import create_engine, session_factory
    from tools.tenancy import organisation

    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            await sync_curriculum(session, organisation=organisation())
            await session.commit()
    finally:
        await engine.dispose()


def clone_database(url: str, template: str) -> str:
    """A fresh database cloned from `template`; returns its name."""
    name = f"teach_t_{uuid.uuid4().hex[:12]}"
    admin_execute(url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def drop_database(url: str, name: str) -> None:
    """Drop a test database, disconnecting anyone still attached."""
    admin_execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
