"""Serialise chat turns per coaching session, without ever starving the connection pool.

Three layers, outermost first:
1. an in-process `asyncio.Lock` per session: same-session requests queue without holding a connection;
2. a semaphore bounding concurrent turns to half the pool, so a turn holding its lock connection can always
   get a second connection for its own work (no pool deadlock under load);
3. a PostgreSQL session-level advisory lock on a dedicated autocommit connection: serialises turns across
   processes, while the turn's own transactions still commit (the student's message is stored before the
   model is called).
"""

from __future__ import annotations

import asyncio
import uuid
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_NAMESPACE = 0x7EAC  # keeps our advisory-lock keys apart from anyone else's on a shared server


def lock_key(session_id: uuid.UUID) -> int:
    """A signed 64-bit key derived from the session id."""
    return int.from_bytes(session_id.bytes[:8], "big", signed=True) ^ _NAMESPACE


class TurnGate:
    """Per-app gate for chat turns (one per process)."""

    def __init__(self, engine: AsyncEngine, *, max_concurrent: int) -> None:
        self._engine = engine
        self._slots = asyncio.Semaphore(max_concurrent)
        self._locks: weakref.WeakValueDictionary[uuid.UUID, asyncio.Lock] = weakref.WeakValueDictionary()

    def _local_lock(self, session_id: uuid.UUID) -> asyncio.Lock:
        lock = self._locks.get(session_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[session_id] = lock
        return lock

    @asynccontextmanager
    async def turn(self, session_id: uuid.UUID) -> AsyncIterator[None]:
        """Hold the session's turn for the duration of the block."""
        local = self._local_lock(session_id)
        async with local, self._slots:
            key = lock_key(session_id)
            async with self._engine.connect() as raw:
                conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
                try:
                    yield
                finally:
                    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})


def max_concurrent_turns(pool_size: int, max_overflow: int) -> int:
    """Half the pool's capacity (each turn may hold two connections at once), at least one."""
    return max(1, (pool_size + max_overflow) // 2)
