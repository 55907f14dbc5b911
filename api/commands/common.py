"""Helpers shared by subcommands: the database URL, migrations, a one-off session."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import create_engine, session_factory
from db.urls import resolve_libpq_url

T = TypeVar("T")


def database_url() -> str:
    """DATABASE_URL, or the embedded server (started on first use)."""
    return resolve_libpq_url()


def migrate(url: str) -> None:
    """Bring the schema to head."""
    from migrations.runner import upgrade

    upgrade(url)


def prepare_database() -> str:
    """Resolve the database, migrate it and load the curriculum; returns its URL. Call outside the event loop."""
    from api.commands.migrate import load_curriculum

    url = database_url()
    migrate(url)
    load_curriculum(url)
    return url


async def with_session(url: str, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `fn(session)` in one transaction, committed if it returns."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            result = await fn(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


def run_in_session(url: str, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Synchronous wrapper of `with_session` for command handlers."""
    return asyncio.run(with_session(url, fn))
