"""What an API instance and a worker share: engine, sessions, model factory, turn gate, compiled workflow,
job queue — opened once per process onto any attribute holder (`app.state`, or the worker's namespace)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from agents.llm import get_chat_model
from agents.llm_settings import LlmSettings
from agents.metrics import QUEUE_DEPTH
from api.jobs.queue import build_queue
from api.jobs.settings import JobSettings
from api.services.quotas import QuotaSettings
from api.services.slots import Slots
from api.services.turn_lock import TurnGate, max_concurrent_turns
from api.services.turn_runner import TurnRunner
from api.settings import ApiSettings
from db.engine import create_engine, session_factory
from db.repo.jobs import queue_depth
from db.settings import DatabaseSettings

log = logging.getLogger(__name__)


async def open_service_state(target: Any, *, url: str, settings: ApiSettings) -> Callable[[], Awaitable[None]]:
    """Fill `target` with the process's handles; returns the coroutine function that closes them."""
    from graph.runtime import start_runtime  # the graph pulls in every agent

    engine = create_engine(url)
    target.settings = settings
    target.job_settings = JobSettings()
    target.db_url = url
    target.engine = engine
    target.sessionmaker = session_factory(engine)
    # Read the LLM settings once per process; every run still gets fresh model objects.
    target.model_factory = partial(get_chat_model, settings=LlmSettings())
    db_settings = DatabaseSettings()
    target.slots = slots = Slots()
    if slots.connection_slots() > max_concurrent_turns(db_settings.pool_size, db_settings.max_overflow):
        log.warning("chat+marking+planning slots (%d) exceed half the database pool; runs may wait for "
                    "connections", slots.connection_slots())
    target.turn_gate = TurnGate(engine, slots=slots)
    target.turn_runner = TurnRunner()
    target.quotas = QuotaSettings()
    runtime = await start_runtime(target)
    target.queue = build_queue(url, settings=target.job_settings)
    await target.queue.open_async()
    target.refresh_queue_depth = partial(_refresh_queue_depth, target)

    async def close() -> None:
        await target.queue.close_async()
        await runtime.aclose()
        await engine.dispose()

    return close


async def _refresh_queue_depth(state: Any) -> None:
    """Set `teach_queue_depth` from the shared jobs table (zero for kinds/statuses with none)."""
    from db.models import JOB_KINDS

    async with state.sessionmaker() as db:
        rows = {(k, s): n for k, s, n in await queue_depth(db)}
    for kind in JOB_KINDS:
        for status in ("queued", "running"):
            QUEUE_DEPTH.labels(kind=kind, status=status).set(rows.get((kind, status), 0))
