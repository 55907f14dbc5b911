"""The compiled workflow inside the API: AsyncPostgresSaver on its own psycopg pool, opened in the lifespan.

The checkpointer's `setup()` owns its tables (they stay out of alembic). One `GraphRuntime` per app.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from db.locks import MIGRATION_LOCK, await_lock
from db.urls import to_libpq
from graph.build import build_graph

log = logging.getLogger(__name__)


@dataclass
class GraphRuntime:
    """The compiled graph and the pool its checkpointer uses."""

    graph: Any
    pool: AsyncConnectionPool

    async def aclose(self) -> None:
        """Close the checkpointer's pool."""
        await self.pool.close()


async def open_runtime(db_url: str, *, max_size: int = 10) -> GraphRuntime:
    """Open a psycopg pool (autocommit, as the saver needs), set up the checkpoint tables, compile."""
    pool = AsyncConnectionPool(
        conninfo=to_libpq(db_url), min_size=1, max_size=max_size, open=False,
        # After a database restart every pooled connection is dead: check each one as it is handed out
        # (a cheap round trip) and replace it, and recycle connections hourly, so no turn fails on a stale one.
        check=AsyncConnectionPool.check_connection, max_lifetime=3600, reconnect_timeout=30,
        # Checkpoints hold derived state (the transcript of record is in coaching_sessions, committed
        # synchronously), so they need not wait for the WAL flush.
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row,
                "options": "-c synchronous_commit=off"},
    )
    await pool.open(wait=True)
    saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
    async with pool.connection() as conn:  # instances starting together set the tables up one at a time
        await await_lock(conn, MIGRATION_LOCK)
        try:
            await saver.setup()
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    return GraphRuntime(graph=build_graph().compile(checkpointer=saver), pool=pool)


async def start_runtime(state: Any) -> GraphRuntime:
    """Called by the API lifespan: compile the workflow and hang it on `app.state.graph`."""
    runtime = await open_runtime(state.db_url)
    state.graph = runtime.graph
    state.graph_runtime = runtime
    return runtime
