"""Conversions between the URL forms our three clients want (SQLAlchemy+asyncpg, libpq/psycopg)."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from db.embedded import embedded_libpq_url
from db.settings import DatabaseSettings


def resolve_libpq_url(settings: DatabaseSettings | None = None) -> str:
    """The configured server's libpq URL, starting the embedded server when DATABASE_URL is unset."""
    settings = settings or DatabaseSettings()
    if settings.url:
        return to_libpq(settings.url)
    return embedded_libpq_url(settings.data_dir)


def to_libpq(url: str) -> str:
    """`postgresql+asyncpg://…` → `postgresql://…` (psycopg, pg_dump, the checkpointer)."""
    u = make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def to_asyncpg(url: str) -> str:
    """Any postgres URL → the SQLAlchemy asyncpg form."""
    u = make_url(url)
    return u.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def with_database(url: str, database: str) -> str:
    """The same server, another database name."""
    return make_url(url).set(database=database).render_as_string(hide_password=False)
