"""Which database errors mean "the database is unavailable" (→ 503 with Retry-After) and which mean
"that already exists" (→ 409), whatever layer raised them (asyncpg, psycopg, SQLAlchemy, the socket).

A request that meets an outage must never be a 500: the client should wait and retry, and nothing it was
told "saved" may be unsaved. A unique or foreign-key violation from a race between two requests is the
client's conflict, not a server error.
"""

from __future__ import annotations

import asyncio

import asyncpg
import psycopg
import psycopg_pool
from sqlalchemy import exc as sa_exc

# SQLSTATE classes/codes that mean the server cannot serve us right now.
_UNAVAILABLE_PREFIXES = ("08", "57P", "53")  # connection exception, operator intervention, insufficient resources
_UNIQUE, _FOREIGN_KEY = "23505", "23503"


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, what it wraps (SQLAlchemy's `.orig`) and its causes, without loops."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or any(item is s for s in seen) or len(seen) > 20:
            continue
        seen.append(item)
        todo.extend([getattr(item, "orig", None), item.__cause__, item.__context__])
    return seen


def _sqlstate(exc: BaseException) -> str | None:
    code = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    return code if isinstance(code, str) else None


def is_database_unavailable(exc: BaseException) -> bool:
    """True when `exc` (or what it wraps) says the database could not be reached or is shutting down."""
    for item in _chain(exc):
        if isinstance(item, sa_exc.DBAPIError) and item.connection_invalidated:
            return True
        if isinstance(item, (sa_exc.TimeoutError, psycopg_pool.PoolTimeout, psycopg.OperationalError,
                             asyncpg.exceptions.PostgresConnectionError, asyncpg.exceptions.InterfaceError,
                             asyncpg.exceptions.CannotConnectNowError, ConnectionError, asyncio.TimeoutError)):
            return True
        if isinstance(item, OSError) and (not isinstance(item, FileNotFoundError) or item.filename is None):
            # refused, reset, unreachable — or the server's Unix socket is gone (it stopped); a missing file
            # that was opened by name carries its filename and is not an outage
            return True
        if (state := _sqlstate(item)) and state.startswith(_UNAVAILABLE_PREFIXES):
            return True
        if isinstance(item, sa_exc.InterfaceError) or (
                isinstance(item, sa_exc.OperationalError) and _sqlstate(item) is None):
            return True
    return False


def conflict_kind(exc: BaseException) -> str | None:
    """"unique" or "foreign_key" when `exc` is that integrity violation, else None."""
    for item in _chain(exc):
        state = _sqlstate(item)
        if state == _UNIQUE or isinstance(item, asyncpg.exceptions.UniqueViolationError):
            return "unique"
        if state == _FOREIGN_KEY or isinstance(item, asyncpg.exceptions.ForeignKeyViolationError):
            return "foreign_key"
    return None


def is_database_error(exc: BaseException) -> bool:
    """Whether `exc` came from the database layer at all."""
    return any(isinstance(i, (sa_exc.SQLAlchemyError, asyncpg.PostgresError, asyncpg.exceptions.InterfaceError,
                              psycopg.Error, psycopg_pool.PoolTimeout)) for i in _chain(exc))


# The exception classes the API maps with the rules above (each gets the same handler).
DATABASE_EXCEPTIONS: tuple[type[BaseException], ...] = (
    sa_exc.SQLAlchemyError, asyncpg.PostgresError, asyncpg.exceptions.InterfaceError, psycopg.Error,
    psycopg_pool.PoolTimeout, OSError, asyncio.TimeoutError,
)
