"""One run of a job: settle every pending item once, honour cancellation, end the job.

Exactly-once per item, across retries, recovered runs and concurrent runs:
- each item runs under a session-level advisory lock on its (job, key) held on a dedicated connection, so
  two runs of one job never work on the same item at once (a run that cannot take the lock leaves the item
  to the run holding it);
- inside the lock the item's state is read again: only a `pending` item is worked on;
- the item is settled (`pending → done`) in the same transaction as its effect where the effect is one
  transaction (a study plan, see agents.planner.plan_save); where it is a workflow of several transactions
  (marking), the workflow's own checkpoint says whether it already ran, and the item is settled after it.
A failing item is retried with exponential backoff (`TEACH_JOBS_ITEM_ATTEMPTS`), then recorded as failed with
its error; a failure outside any item (the database away) fails the run, and the queue retries the run
with backoff — items already settled are skipped.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text

from agents.metrics import JOB_ITEMS, JOB_SECONDS, JOBS
from api.jobs.kinds import HANDLERS, ON_END, ItemInputError
from api.jobs.settings import JobSettings
from api.observability import bind
from db.models import JobItem
from db.repo import jobs as repo

log = logging.getLogger(__name__)
_NAMESPACE = 0x10B5  # apart from the turn gate's and migration 010's advisory-lock keys


def item_lock_key(job_id: uuid.UUID, key: str) -> int:
    """A signed 64-bit advisory-lock key for one item."""
    digest = hashlib.blake2b(f"{job_id}/{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True) ^ _NAMESPACE


@asynccontextmanager
async def item_lock(engine: Any, job_id: uuid.UUID, key: str) -> AsyncIterator[bool]:
    """Try to hold the item's advisory lock for the block; yields whether it was taken."""
    async with engine.connect() as raw:
        conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
        k = item_lock_key(job_id, key)
        taken = bool((await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": k})).scalar())
        try:
            yield taken
        finally:
            if taken:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": k})


async def run_job(state: Any, job_id: uuid.UUID, *, settings: JobSettings) -> str | None:
    """Run (or resume) the job; returns its final status, or None when it was not runnable or not finished
    here (another run still holds some of its items)."""
    async with state.sessionmaker() as db:
        job = await repo.start_run(db, job_id=job_id)
        await db.commit()
    if job is None:
        return None
    handler = HANDLERS[job.kind]
    async with state.sessionmaker() as db:
        pending = await repo.list_items(db, job_id=job_id, status="pending")
    slots = asyncio.Semaphore(max(1, settings.item_concurrency))

    async def one(item: JobItem) -> None:
        async with slots:
            async with state.sessionmaker() as db:
                if await repo.cancel_requested(db, job_id=job_id):
                    return
            async with item_lock(state.engine, job_id, item.key) as taken:
                if not taken:
                    return
                async with state.sessionmaker() as db:
                    if await repo.item_status(db, job_id=job_id, key=item.key) != "pending":
                        return
                await _run_item(state, job, item, handler, settings)

    with bind(job_id=str(job_id)):
        await asyncio.gather(*(one(item) for item in pending))
        return await _end(state, job, settings)


async def _run_item(state: Any, job: Any, item: JobItem, handler: Any, settings: JobSettings) -> None:
    delay = settings.item_backoff_seconds
    for attempt in range(1, max(1, settings.item_attempts) + 1):
        try:
            await handler(state, job, item)
            JOB_ITEMS.labels(kind=job.kind, status="done").inc()
            return
        except repo.ItemAlreadySettled:
            return
        except ItemInputError as exc:  # the same input fails the same way: no retry
            await _fail_item(state, job, item, {"code": "invalid_input", "message": str(exc), "field": exc.field})
            return
        except Exception as exc:
            log.warning("job %s item %s failed (try %d): %s", job.id, item.key, attempt, exc, exc_info=True)
            if attempt >= settings.item_attempts:
                await _fail_item(state, job, item, {"code": "internal", "message": f"{type(exc).__name__}: "
                                                    "the item failed after retries; the error has been logged"})
                return
            async with state.sessionmaker() as db:
                await repo.count_attempt(db, job_id=job.id, key=item.key)
                await db.commit()
            await asyncio.sleep(delay)
            delay *= 2


async def _fail_item(state: Any, job: Any, item: JobItem, error: dict[str, Any]) -> None:
    JOB_ITEMS.labels(kind=job.kind, status="failed").inc()
    async with state.sessionmaker() as db:
        try:
            await repo.settle_item(db, job_id=job.id, key=item.key, status="failed", error=error)
            await db.commit()
        except repo.ItemAlreadySettled:
            await db.rollback()


async def _end(state: Any, job: Any, settings: JobSettings) -> str | None:
    async with state.sessionmaker() as db:
        if await repo.cancel_requested(db, job_id=job.id):
            await repo.cancel_pending_items(db, job_id=job.id)
            status = "cancelled"
        else:
            p = await repo.progress(db, job_id=job.id)
            if p.pending:
                return None  # another run holds the rest; it ends the job
            status = "failed" if p.total and p.failed == p.total else "succeeded"
        ended = await repo.finish(db, job_id=job.id, status=status)
        fresh = await repo.get_job(db, job_id=job.id)
        await db.commit()
    if ended:
        if (hook := ON_END.get(job.kind)) is not None:
            try:
                await hook(state, job)
            except Exception:  # the job's outcome stands; a leftover scratch database is only disk
                log.warning("end hook of job %s failed", job.id, exc_info=True)
        JOBS.labels(kind=job.kind, status=status).inc()
        if fresh is not None and fresh.started_at and fresh.finished_at:
            JOB_SECONDS.labels(kind=job.kind).observe((fresh.finished_at - fresh.started_at).total_seconds())
        log.info("job %s (%s) %s", job.id, job.kind, status)
    return status


async def run_from_queue(context: Any, job_id: uuid.UUID, *, settings: JobSettings) -> None:
    """The queue task's body: run the job with the worker's service state; on the run's last allowed
    failure, record the job as failed (so it never stays `running`)."""
    state = context.additional_context["state"]
    started = time.perf_counter()
    log.info("job %s started on %s (queue attempt %d)", job_id, context.worker_name, context.job.attempts + 1)
    try:
        await run_job(state, job_id, settings=settings)
    except Exception as exc:
        final = context.job.attempts + 1 >= settings.job_attempts
        log.exception("job %s run failed after %.1fs%s", job_id, time.perf_counter() - started,
                      " (giving up)" if final else " (the queue retries it)")
        if final:
            async with state.sessionmaker() as db:
                if await repo.finish(db, job_id=job_id, status="failed", error=f"{type(exc).__name__}: {exc}"):
                    JOBS.labels(kind="unknown", status="failed").inc()
                await db.commit()
        raise
