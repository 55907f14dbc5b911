"""Async engine and session factory on asyncpg."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only

from db.settings import DatabaseSettings
from db.urls import to_asyncpg


def _ping(dbapi_connection: Any) -> bool:
    """`pool_pre_ping` in one round trip.

    SQLAlchemy's asyncpg ping wraps `SELECT ;` in BEGIN … ROLLBACK (for pgbouncer's transaction mode, which this
    service cannot use anyway: its turn locks are session-level advisory locks), three round trips on every pool
    checkout. The bare statement proves the connection alive just the same; a dead one raises the same translated
    error, so the pool still replaces it before the caller sees it.
    """
    try:
        await_only(dbapi_connection.driver_connection.fetchrow(";"))
    except Exception as error:  # noqa: BLE001 - translated (and re-raised) exactly as the dialect's own ping does
        dbapi_connection._handle_exception(error)  # noqa: SLF001
    return True


def create_engine(url: str, settings: DatabaseSettings | None = None) -> AsyncEngine:
    """An asyncpg engine for `url` (any postgres URL form)."""
    settings = settings or DatabaseSettings()
    engine = create_async_engine(
        to_asyncpg(url),
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_pre_ping=True,
        echo=settings.echo,
    )
    engine.sync_engine.dialect.do_ping = _ping  # type: ignore[method-assign]
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (API handlers read them back)."""
    return async_sessionmaker(engine, expire_on_commit=False)
