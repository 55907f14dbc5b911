"""Background runs that outlive their request: a turn finishes whether or not its client stays connected.

A chat turn is started here as its own task; the request only waits for it (shielded), so a client that
disconnects — an SSE stream closed, a proxy timing out — never cancels the turn: its reply is produced and
stored, and a reconnecting client (same Idempotency-Key, or reading the session) gets it. On shutdown
(SIGTERM) the lifespan stops accepting new runs and waits for the ones in flight.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from api.errors import Unavailable

log = logging.getLogger(__name__)
T = TypeVar("T")


class TurnRunner:
    """The process's in-flight runs."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self.accepting = True

    def start(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run `work` as a task of its own (kept referenced until it ends)."""
        if not self.accepting:
            work.close()
            raise Unavailable("the service is restarting; nothing was saved — please retry in a moment")
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.debug("background run ended with %r", task.exception())

    @property
    def in_flight(self) -> int:
        """Runs not yet finished."""
        return len(self._tasks)

    async def drain(self, timeout: float) -> int:
        """Stop accepting runs and wait up to `timeout` seconds for those in flight; returns how many remain."""
        self.accepting = False
        if self._tasks:
            log.info("waiting for %d in-flight turn(s) to finish", len(self._tasks))
            await asyncio.wait(set(self._tasks), timeout=timeout)
        return len(self._tasks)
