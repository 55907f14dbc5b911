"""Separate concurrency bounds per kind of work, so one kind can never take another's slots.

Chat turns, marking runs, planning runs and transcript scoring each get their own semaphore (sizes are
settings). Sixteen slow markings therefore queue behind the marking slots while students' chat keeps its own.
Slots are per process; each slot of chat, marking and planning may hold two database connections (the turn
lock and the work), so their sum should stay within half the connection pool.

    async with app.state.slots.hold("marking"):
        ...
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SlotKind = Literal["chat", "marking", "planning", "scoring"]
KINDS: tuple[SlotKind, ...] = ("chat", "marking", "planning", "scoring")


class SlotSettings(BaseSettings):
    """Concurrent runs per kind of work in one process (env TEACH_SLOTS_CHAT, …)."""

    model_config = SettingsConfigDict(env_prefix="TEACH_SLOTS_", extra="ignore")

    chat: int = Field(default=8, ge=1)
    marking: int = Field(default=4, ge=1)
    planning: int = Field(default=2, ge=1)
    scoring: int = Field(default=2, ge=1)


class Slots:
    """One semaphore per kind of work."""

    def __init__(self, settings: SlotSettings | None = None) -> None:
        settings = settings or SlotSettings()
        self.limits: dict[SlotKind, int] = {kind: getattr(settings, kind) for kind in KINDS}
        self._semaphores = {kind: asyncio.Semaphore(limit) for kind, limit in self.limits.items()}

    @asynccontextmanager
    async def hold(self, kind: SlotKind) -> AsyncIterator[None]:
        """Run the block in one of `kind`'s slots (waiting for one if all are busy)."""
        if kind not in self._semaphores:
            raise ValueError(f"unknown kind of work {kind!r}; expected one of {', '.join(KINDS)}")
        async with self._semaphores[kind]:
            yield

    def in_use(self, kind: SlotKind) -> int:
        """How many of `kind`'s slots are taken right now."""
        return self.limits[kind] - self._semaphores[kind]._value  # noqa: SLF001 - asyncio has no public getter

    def connection_slots(self) -> int:
        """Slots whose runs hold database connections (chat, marking, planning)."""
        return self.limits["chat"] + self.limits["marking"] + self.limits["planning"]
