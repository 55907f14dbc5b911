"""`teach worker`: run background jobs (class/cohort plans, marking runs, eval runs) from the shared queue.

Migrates first (guarded by the migration lock, so workers and API instances can start together), then
runs until SIGINT/SIGTERM. Start as many as the machine(s) allow; they share the one PostgreSQL database.
"""

from __future__ import annotations

import argparse
import asyncio
from types import SimpleNamespace


async def _work(url: str, concurrency: int | None) -> None:
    from api.jobs.worker import run_worker, worker_name
    from api.service_state import open_service_state
    from api.settings import ApiSettings

    state = SimpleNamespace()
    close = await open_service_state(state, url=url, settings=ApiSettings())
    if concurrency:
        state.job_settings.worker_concurrency = concurrency
    try:
        await run_worker(state, name=worker_name("worker"), install_signal_handlers=True)
    finally:
        await close()


def _worker(args: argparse.Namespace) -> int:
    from api.commands.common import database_url, migrate
    from api.observability import install_logging

    install_logging()
    url = database_url()
    migrate(url)
    asyncio.run(_work(url, args.concurrency))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Mount `worker`."""
    p = sub.add_parser("worker", help="run background jobs from the shared queue")
    p.add_argument("--concurrency", type=int, default=None, help="jobs at once (TEACH_JOBS_WORKER_CONCURRENCY)")
    p.set_defaults(func=_worker)
