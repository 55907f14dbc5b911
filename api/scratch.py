"""Scratch databases on the configured server: created, migrated and given the curriculum; dropped after.

`teach eval run` plays its simulated students here by default (and eval jobs always do), so evals never
write into the serving database's sessions or analytics.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from db.urls import to_libpq, with_database


def _admin(server_url: str, sql: str) -> None:
    with psycopg.connect(to_libpq(server_url), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def ensure_scratch_database(server_url: str, name: str) -> str:
    """Create `name` on `server_url`'s server if it is missing, migrate it, load the curriculum; its URL.

    Safe to call from several workers at once (the creation race is settled by the server; migrations and
    the curriculum load are idempotent and guarded by the migration lock)."""
    from api.commands.common import migrate
    from api.commands.migrate import load_curriculum

    try:
        _admin(server_url, f'CREATE DATABASE "{name}"')
    except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
        pass
    url = with_database(to_libpq(server_url), name)
    migrate(url)
    load_curriculum(url)
    return url


def drop_scratch_database(server_url: str, name: str) -> None:
    """Drop `name`, disconnecting anyone still on it."""
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_database(server_url: str, *, prefix: str = "teach_scratch") -> Iterator[str]:
    """A fresh migrated database with the curriculum for the block; dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    url = ensure_scratch_database(server_url, name)
    try:
        yield url
    finally:
        drop_scratch_database(server_url, name)
