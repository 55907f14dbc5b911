"""Liveness and readiness. Readiness names what is down (the database, the checkpointer) in plain words."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import StateDep
from api.errors import Unavailable

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)
_CHECK_SECONDS = 2.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


async def _database(state: object) -> str:
    async with state.engine.connect() as conn:  # type: ignore[attr-defined]
        return str((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar())


async def _checkpointer(state: object) -> None:
    runtime = getattr(state, "graph_runtime", None)
    if runtime is None:
        raise RuntimeError("the workflow is not started")
    async with runtime.pool.connection(timeout=_CHECK_SECONDS) as conn:
        await conn.execute("SELECT 1")


@router.get("/readyz", responses={503: {"description": "something the service needs is down (named)"}})
async def readyz(state: StateDep) -> dict[str, str]:
    """Ready when the database answers (schema migrated) and the checkpointer's pool can reach it."""
    down: list[str] = []
    version = "unknown"
    try:
        version = await asyncio.wait_for(_database(state), _CHECK_SECONDS)
    except Exception as exc:  # any failure to reach the database means not ready
        log.warning("readiness: database check failed: %r", exc)
        down.append("database (cannot connect or not migrated)")
    try:
        await asyncio.wait_for(_checkpointer(state), _CHECK_SECONDS)
    except Exception as exc:
        log.warning("readiness: checkpointer check failed: %r", exc)
        down.append("checkpointer (workflow state store unreachable)")
    if down:
        raise Unavailable("not ready: " + "; ".join(down) + " is down", field="database")
    return {"status": "ready", "schema": version, "database": "ok", "checkpointer": "ok"}
