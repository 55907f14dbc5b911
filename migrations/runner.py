"""Run alembic programmatically against a given database URL.

`upgrade` holds a PostgreSQL advisory lock (`MIGRATION_LOCK`) while it runs, so several instances starting
together on one database migrate one after another: the first applies the revisions, the others then find
the schema at head and do nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent
from db.locks import MIGRATION_LOCK, wait_for_lock  # noqa: E402


@contextmanager
def migration_lock(url: str) -> Iterator[None]:
    """Hold the database's migration lock (session-level, on its own connection) for the block."""
    import psycopg

    from db.urls import to_libpq

    with psycopg.connect(to_libpq(url), autocommit=True) as conn:
        wait_for_lock(conn, MIGRATION_LOCK)
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))


def alembic_config(url: str) -> Config:
    """An alembic Config for our scripts, pointed at `url` (any postgres URL form)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`, one migrating process at a time."""
    with migration_lock(url):
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Revert migrations down to `revision`."""
    command.downgrade(alembic_config(url), revision)
