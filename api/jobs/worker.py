"""Job workers: `teach worker` (its own process) and the in-process worker `teach serve` starts.

A worker is procrastinate's, fed the process's service state (`additional_context["state"]`), plus a
recovery loop: a job still `doing` on a worker that stopped sending heartbeats (killed with `kill -9`, its
machine gone) is put back on the queue after `TEACH_JOBS_STALLED_AFTER_SECONDS`, and any worker picks it up
again; the run skips the items already settled (api.jobs.runner).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from dataclasses import dataclass
from typing import Any

from api.jobs.queue import QUEUE

log = logging.getLogger(__name__)


async def recover_stalled_jobs(state: Any) -> int:
    """Put every job of a dead worker back on the queue; returns how many were."""
    settings = state.job_settings
    manager = state.queue.job_manager
    await manager.prune_stalled_workers(settings.stalled_after_seconds)
    count = 0
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=settings.stalled_after_seconds):
        try:
            await manager.retry_job(job)
            count += 1
            log.warning("job %s (queue id %s) was running on a dead worker; queued again", job.task_kwargs.get(
                "job_id"), job.id)
        except Exception:  # another worker recovered it first
            log.debug("stalled job %s already recovered", job.id, exc_info=True)
    return count


async def _recovery_loop(state: Any) -> None:
    while True:
        try:
            await recover_stalled_jobs(state)
        except Exception:
            log.warning("stalled-job recovery failed; trying again", exc_info=True)
        await asyncio.sleep(state.job_settings.recover_every_seconds)


async def run_worker(state: Any, *, name: str, install_signal_handlers: bool = False) -> None:
    """Run jobs until cancelled (or, with signal handlers, until SIGINT/SIGTERM)."""
    settings = state.job_settings
    recovery = asyncio.create_task(_recovery_loop(state), name="teach-job-recovery")
    try:
        await state.queue.run_worker_async(
            queues=[QUEUE], name=name, concurrency=settings.worker_concurrency, wait=True,
            additional_context={"state": state}, install_signal_handlers=install_signal_handlers,
            update_heartbeat_interval=settings.heartbeat_seconds,
            stalled_worker_timeout=settings.stalled_after_seconds,
            fetch_job_polling_interval=settings.poll_seconds, delete_jobs="successful",
        )
    finally:
        recovery.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await recovery


@dataclass
class BackgroundWorker:
    """A worker task inside a running event loop (the API's in-process worker)."""

    task: asyncio.Task

    async def stop(self) -> None:
        """Stop taking jobs; a job in flight is cancelled and picked up again by the next worker."""
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task


def worker_name(prefix: str) -> str:
    """`<prefix>@<host>:<pid>` — shows in logs which process ran a job."""
    return f"{prefix}@{socket.gethostname()}:{os.getpid()}"


def start_background_worker(state: Any, *, name: str) -> BackgroundWorker:
    """Start `run_worker` as a task of the current loop."""
    return BackgroundWorker(asyncio.create_task(run_worker(state, name=worker_name(name)), name="teach-worker"))
