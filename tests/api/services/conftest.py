"""Fixtures for the reliability suite: accounts created straight in the test database, sessions over HTTP."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.api.conftest import Account


async def _make_account(db_url: str, role: str) -> Account:
    from db.engine import create_engine, session_factory
    from db.repo.accounts import create_account, issue_token

    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as s:
            email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
            acct = await create_account(s, email=email, display_name=email.split("@")[0], role=role)
            token = await issue_token(s, account_id=acct.id)
            await s.commit()
    finally:
        await engine.dispose()
    return Account(id=acct.id, email=email, role=role, token=token)


@pytest.fixture
def accounts(db_url: str):  # noqa: ANN201
    """`await accounts("student", 5)` → five student accounts with tokens, in the test's database."""

    async def _make(role: str = "student", n: int = 1) -> list[Account]:
        return list(await asyncio.gather(*[_make_account(db_url, role) for _ in range(n)]))

    return _make


async def transcripts(db_url: str) -> dict[uuid.UUID, list[tuple[str, str]]]:
    """Every session's transcript as (role, content) pairs, read straight from the database."""
    from sqlalchemy import text

    from db.engine import create_engine

    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT id, session_transcript FROM coaching_sessions"))).all()
    finally:
        await engine.dispose()
    return {r.id: [(e["role"], e["content"]) for e in r.session_transcript] for r in rows}


@pytest.fixture(scope="module")
def fake_provider():  # noqa: ANN201
    """A real OpenAI-compatible HTTP server (tests/llm/fake_openai_server.py) for this module's live servers."""
    from tests.llm.fake_openai_server import FakeOpenAI

    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


def provider_env(server, **extra: str) -> dict[str, str]:  # noqa: ANN001
    """Environment for a live server whose Coach talks to `server`."""
    return {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "dummy", "TEACH_LLM_MODEL": "fake-tutor-1",
            "TEACH_LLM_TIMEOUT_SECONDS": "10", "TEACH_LLM_MAX_ATTEMPTS": "2", **extra}


@pytest.fixture(scope="module")
def module_db_url(pg_server_url: str, pg_template: str):  # noqa: ANN201
    """A fresh migrated database shared by one module's tests (for a live server started once per module)."""
    from tests import pg

    name = pg.clone_database(pg_server_url, pg_template)
    yield pg.with_database(pg_server_url, name)
    pg.drop_database(pg_server_url, name)
