"""PostgreSQL advisory-lock keys shared across processes (one place, so no two uses collide), and how to wait
for the schema lock without deadlocking.

Why waiters poll with `pg_try_advisory_lock` instead of blocking in `pg_advisory_lock`: the checkpointer's
setup() runs `CREATE INDEX CONCURRENTLY`, which waits for every statement running in the database to finish.
A process blocked inside `pg_advisory_lock` is such a statement, and it waits for the lock holder, who waits
for the index: a deadlock PostgreSQL cannot see (the holder's wait is in the application). Seen with four
processes starting together on one database. A poll between short statements never holds a snapshot.
"""

import asyncio
import time

# Schema changes: alembic upgrades and the LangGraph checkpointer's setup(), one process at a time.
MIGRATION_LOCK = 0x7EAC_0011

# Between tries: short enough that a second instance starts promptly, long enough not to hammer the server.
POLL_SECONDS = 0.1
TRY_SQL = "SELECT pg_try_advisory_lock(%s) AS got"


def _got(row: object) -> bool:
    return bool(row["got"] if isinstance(row, dict) else row[0])  # type: ignore[index]


def wait_for_lock(conn: object, key: int = MIGRATION_LOCK) -> None:
    """Take session advisory lock `key` on a sync psycopg connection (autocommit), polling until it is free."""
    while not _got(conn.execute(TRY_SQL, (key,)).fetchone()):  # type: ignore[attr-defined]
        time.sleep(POLL_SECONDS)


async def await_lock(conn: object, key: int = MIGRATION_LOCK) -> None:
    """Take session advisory lock `key` on an async psycopg connection (autocommit), polling until free."""
    while not _got(await (await conn.execute(TRY_SQL, (key,))).fetchone()):  # type: ignore[attr-defined]
        await asyncio.sleep(POLL_SECONDS)
