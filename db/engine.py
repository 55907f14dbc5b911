"""Async engine and session factory on asyncpg."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from db.settings import DatabaseSettings
from db.urls import to_asyncpg


def create_engine(url: str, settings: DatabaseSettings | None = None) -> AsyncEngine:
    """An asyncpg engine for `url` (any postgres URL form)."""
    settings = settings or DatabaseSettings()
    return create_async_engine(
        to_asyncpg(url),
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_pre_ping=True,
        echo=settings.echo,
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (API handlers read them back)."""
    return async_sessionmaker(engine, expire_on_commit=False)
