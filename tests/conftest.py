"""Shared fixtures: a fresh migrated PostgreSQL database per test, sessions, the app and an HTTP client."""

from __future__ import annotations

import os
import warnings
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import HealthCheck, settings

# Property tests must not flake on a loaded CI machine: no per-example deadline, and in CI a fixed example
# sequence (a failure found locally is still replayed from the local example database).
settings.register_profile("ci", derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

from tests import pg  # noqa: E402


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """libpq URL of the PostgreSQL server under test (embedded unless DATABASE_URL is set)."""
    return pg.server_url()


@pytest.fixture(scope="session")
def pg_template(pg_server_url: str) -> Iterator[str]:
    """A database migrated to head, used as the template for every test's database."""
    name = pg.create_template(pg_server_url)
    yield name
    pg.drop_database(pg_server_url, name)


@pytest.fixture
def db_url(pg_server_url: str, pg_template: str) -> Iterator[str]:
    """libpq URL of a fresh, migrated database owned by this test alone."""
    name = pg.clone_database(pg_server_url, pg_template)
    yield pg.with_database(pg_server_url, name)
    pg.drop_database(pg_server_url, name)


@pytest.fixture
async def engine(db_url: str):  # noqa: ANN201
    """Async engine on the test's database."""
    from db.engine import create_engine

    eng = create_engine(db_url)
    yield eng
    await eng.dispose()


@pytest.fixture
async def session(engine) -> AsyncIterator:  # noqa: ANN001
    """An AsyncSession on the test's database (commit freely: the database is dropped afterwards)."""
    from db.engine import session_factory

    async with session_factory(engine)() as s:
        yield s
