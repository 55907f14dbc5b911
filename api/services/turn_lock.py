"""Serialise the runs of one coaching session (or one attempt), without ever starving the connection pool.

Three layers, outermost first:
1. an in-process `asyncio.Lock` per key: same-session requests queue without holding a connection;
2. a slot of the run's kind (`api/services/slots.py`): chat, marking and planning each have their own bound,
   so one kind never waits behind another; the connection-holding slots add up to at most half the pool,
   so a run holding its lock connection can always get a second connection for its own work;
3. a PostgreSQL session-level advisory lock on a dedicated autocommit connection: serialises runs across
   processes, while the run's own transactions still commit (the student's message is stored before the
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

from api.services.slots import SlotKind, Slots

_NAMESPACE = 0x7EAC  # keeps our advisory-lock keys apart from anyone else's on a shared server


def lock_key(session_id: uuid.UUID) -> int:
    """A signed 64-bit key derived from the session id."""
    return int.from_bytes(session_id.bytes[:8], "big", signed=True) ^ _NAMESPACE


class TurnGate:
    """Per-app gate for chat turns and marking runs (one per process)."""

    def __init__(self, engine: AsyncEngine, *, slots: Slots) -> None:
        self._engine = engine
        self.slots = slots
        self._locks: weakref.WeakValueDictionary[uuid.UUID, asyncio.Lock] = weakref.WeakValueDictionary()

    def _local_lock(self, key: uuid.UUID) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    @asynccontextmanager
    async def turn(self, key: uuid.UUID, *, kind: SlotKind = "chat") -> AsyncIterator[None]:
        """Hold `key`'s turn (a session or an attempt id) in one of `kind`'s slots for the block."""
        local = self._local_lock(key)
        async with local, self.slots.hold(kind):
            async with self._engine.connect() as raw:
                conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": lock_key(key)})
                try:
                    yield
                finally:
                    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key(key)})


def max_concurrent_turns(pool_size: int, max_overflow: int) -> int:
    """Half the pool's capacity (each run may hold two connections at once), at least one."""
    return max(1, (pool_size + max_overflow) // 2)
