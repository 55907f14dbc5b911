"""The procrastinate app: one task, `teach.run_job(job_id)`, on queue `jobs`, with retries and backoff.

The task only carries the id of a `jobs` row; what to do and how far it got live in `jobs`/`job_items`, so a
retried or recovered run continues where the last one stopped. `lock=<job id>`: the queue never runs two
executions of one job at once (a second, recovered execution waits for the first's row to leave `doing`).
"""

from __future__ import annotations

import uuid
from typing import Any

import procrastinate
from procrastinate import PsycopgConnector, RetryStrategy

from api.jobs.settings import JobSettings
from db.urls import to_libpq

QUEUE = "jobs"
TASK = "teach.run_job"


def build_queue(db_url: str, *, settings: JobSettings | None = None, max_pool: int = 4) -> procrastinate.App:
    """A procrastinate app on `db_url` (not opened) with the `run_job` task registered."""
    settings = settings or JobSettings()
    app = procrastinate.App(connector=PsycopgConnector(conninfo=to_libpq(db_url), min_size=1, max_size=max_pool))

    @app.task(name=TASK, queue=QUEUE, pass_context=True,
              retry=RetryStrategy(max_attempts=settings.job_attempts, exponential_wait=settings.job_backoff_seconds))
    async def run_job(context: procrastinate.JobContext, job_id: str) -> None:
        from api.jobs.runner import run_from_queue

        await run_from_queue(context, uuid.UUID(job_id), settings=settings)

    return app


async def enqueue(queue: procrastinate.App, job_id: uuid.UUID) -> int:
    """Put a created job on the queue; returns the queue's own job id."""
    task: Any = queue.tasks[TASK]
    return int(await task.configure(lock=str(job_id)).defer_async(job_id=str(job_id)))
