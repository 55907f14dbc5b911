"""Jobs and their items: create, read with progress, start/finish a run, settle an item once, cancel.

An item moves `pending → done | failed | cancelled` exactly once: every transition is a conditional UPDATE
(`WHERE status = 'pending'`), so of two runs racing for one item only one can settle it, and a caller that
writes the item's effect in the same transaction rolls the effect back when it lost (`ItemAlreadySettled`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Job, JobItem

TERMINAL = ("succeeded", "failed", "cancelled")


class ItemAlreadySettled(Exception):  # noqa: N818 — a state, not a failure of the caller's making
    """The item was settled by another run; the caller's transaction must roll back."""


@dataclass(frozen=True)
class Progress:
    """Counts of a job's items by state."""

    total: int
    done: int
    failed: int
    cancelled: int

    @property
    def pending(self) -> int:
        """Items not settled yet."""
        return self.total - self.done - self.failed - self.cancelled


async def create_job(db: AsyncSession, *, kind: str, created_by: uuid.UUID, params: dict[str, Any],
                     item_keys: list[str]) -> Job:
    """A queued job with one pending item per key (keys unique within the job). The caller commits."""
    job = Job(kind=kind, created_by=created_by, params=params, total=len(item_keys), status="queued")
    db.add(job)
    await db.flush()
    db.add_all(JobItem(job_id=job.id, key=key, seq=i) for i, key in enumerate(item_keys))
    await db.flush()
    return job


async def set_queue_job_id(db: AsyncSession, *, job_id: uuid.UUID, queue_job_id: int) -> None:
    """Remember the queue engine's id of the job (for operators)."""
    await db.execute(update(Job).where(Job.id == job_id).values(queue_job_id=queue_job_id))


async def get_job(db: AsyncSession, *, job_id: uuid.UUID) -> Job | None:
    """The job, freshly read."""
    stmt = select(Job).where(Job.id == job_id).execution_options(populate_existing=True)
    return (await db.execute(stmt)).scalar_one_or_none()


async def list_items(db: AsyncSession, *, job_id: uuid.UUID, status: str | None = None) -> list[JobItem]:
    """The job's items in creation order, optionally only those in `status`."""
    stmt = select(JobItem).where(JobItem.job_id == job_id).order_by(JobItem.seq)
    if status is not None:
        stmt = stmt.where(JobItem.status == status)
    return list((await db.execute(stmt.execution_options(populate_existing=True))).scalars())


async def progress(db: AsyncSession, *, job_id: uuid.UUID) -> Progress:
    """Item counts by state (one aggregate; no counters to keep in step)."""
    row = (await db.execute(
        select(func.count(), func.count().filter(JobItem.status == "done"),
               func.count().filter(JobItem.status == "failed"), func.count().filter(JobItem.status == "cancelled"))
        .where(JobItem.job_id == job_id))).one()
    return Progress(total=row[0], done=row[1], failed=row[2], cancelled=row[3])


async def start_run(db: AsyncSession, *, job_id: uuid.UUID) -> Job | None:
    """Begin (or resume, after a crash) a run: queued/running → running. None if the job is finished."""
    stmt = (update(Job).where(Job.id == job_id, Job.status.in_(("queued", "running")))
            .values(status="running", runs=Job.runs + 1, started_at=func.coalesce(Job.started_at, func.now()))
            .returning(Job.id))
    if (await db.execute(stmt)).scalar_one_or_none() is None:
        return None
    return await get_job(db, job_id=job_id)


async def settle_item(db: AsyncSession, *, job_id: uuid.UUID, key: str, status: str,
                      result: dict[str, Any] | None = None, error: dict[str, Any] | None = None) -> None:
    """pending → `status` with its result or error; raises ItemAlreadySettled if it was not pending."""
    stmt = (update(JobItem).where(JobItem.job_id == job_id, JobItem.key == key, JobItem.status == "pending")
            .values(status=status, result=result, error=error, updated_at=func.now(),
                    attempts=JobItem.attempts + 1).returning(JobItem.key))
    if (await db.execute(stmt)).scalar_one_or_none() is None:
        raise ItemAlreadySettled(f"{job_id}/{key}")


async def count_attempt(db: AsyncSession, *, job_id: uuid.UUID, key: str) -> int:
    """One more failed try of a still-pending item; returns the tries so far."""
    stmt = (update(JobItem).where(JobItem.job_id == job_id, JobItem.key == key, JobItem.status == "pending")
            .values(attempts=JobItem.attempts + 1, updated_at=func.now()).returning(JobItem.attempts))
    return int((await db.execute(stmt)).scalar_one_or_none() or 0)


async def item_status(db: AsyncSession, *, job_id: uuid.UUID, key: str) -> str | None:
    """The item's current state."""
    stmt = select(JobItem.status).where(JobItem.job_id == job_id, JobItem.key == key)
    return (await db.execute(stmt)).scalar_one_or_none()


async def cancel_requested(db: AsyncSession, *, job_id: uuid.UUID) -> bool:
    """Whether someone asked to cancel the job."""
    return bool((await db.execute(select(Job.cancel_requested).where(Job.id == job_id))).scalar_one_or_none())


async def request_cancel(db: AsyncSession, *, job_id: uuid.UUID) -> None:
    """Ask to cancel: a queued job is cancelled at once; a running one stops before its next item."""
    await db.execute(update(Job).where(Job.id == job_id, Job.status.in_(("queued", "running")))
                     .values(cancel_requested=True))
    cancelled = (await db.execute(
        update(Job).where(Job.id == job_id, Job.status == "queued")
        .values(status="cancelled", finished_at=func.now()).returning(Job.id))).scalar_one_or_none()
    if cancelled is not None:
        await cancel_pending_items(db, job_id=job_id)


async def cancel_pending_items(db: AsyncSession, *, job_id: uuid.UUID) -> None:
    """Every still-pending item → cancelled."""
    await db.execute(update(JobItem).where(JobItem.job_id == job_id, JobItem.status == "pending")
                     .values(status="cancelled", updated_at=func.now()))


async def finish(db: AsyncSession, *, job_id: uuid.UUID, status: str, error: str | None = None) -> bool:
    """running/queued → a terminal `status`; False when the job was already finished."""
    stmt = (update(Job).where(Job.id == job_id, Job.status.in_(("queued", "running")))
            .values(status=status, error=error, finished_at=func.now()).returning(Job.id))
    return (await db.execute(stmt)).scalar_one_or_none() is not None


async def queue_depth(db: AsyncSession) -> list[tuple[str, str, int]]:
    """(kind, status, count) of unfinished jobs."""
    rows = await db.execute(text("SELECT kind, status, count(*) FROM jobs WHERE status IN ('queued', 'running') "
                                 "GROUP BY kind, status"))
    return [(r[0], r[1], int(r[2])) for r in rows]
