"""Benchmark: class-plan job throughput with 1 and with 2 worker processes, side by side in one run.

    python -m evals.benchmarks.job_throughput [--classes 4] [--students 30] [--repeat 3]

On a scratch database (the embedded server, or DATABASE_URL's server; dropped afterwards) it seeds a teacher
with `--classes` classes of `--students` students, starts one `teach serve --no-worker` and N `teach worker`
processes (each running one job at a time, `TEACH_JOBS_WORKER_CONCURRENCY=1`), posts one class-plan job per
class at once and waits until all are done. Throughput = plans stored / (last job's finish − first job's
creation), from the jobs' own timestamps. Each worker count is measured `--repeat` times; the table shows
medians and the 2-worker / 1-worker ratio. Offline Planner; the load generator shares the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import psycopg

from db.urls import resolve_libpq_url, with_database
from migrations.runner import upgrade


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _seed(url: str, classes: int, students: int) -> tuple[str, list[str]]:
    from curriculum.sync import sync_curriculum
    from db.engine import create_engine, session_factory
    from db.repo.accounts import add_class_member, create_account, create_class, issue_token
    from db.repo.curriculum import get_subject_by_code
    from tools.tenancy import organisation

    engine = create_engine(url)
    try:
        async with session_factory(engine)() as db:
            await sync_curriculum(db, organisation=organisation())
            subject = await get_subject_by_code(db, code="9708")
            t = await create_account(db, email=f"jb-{uuid.uuid4().hex[:6]}@x.org", display_name="T", role="teacher")
            ids = []
            for c in range(classes):
                klass = await create_class(db, name=f"jb{c}", subject_id=subject.id, teacher_id=t.id)
                for i in range(students):
                    s = await create_account(db, email=f"jb{c}-{i}-{uuid.uuid4().hex[:6]}@x.org",
                                             display_name=f"S{i}", role="student")
                    await add_class_member(db, class_id=klass.id, student_id=s.id)
                ids.append(str(klass.id))
            token = await issue_token(db, account_id=t.id)
            await db.commit()
            return token, ids
    finally:
        await engine.dispose()


def _spawn(argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "api.cli", *argv], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _wait_ready(url: str, db_url: str, workers: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(db_url) as conn:
                live = conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()[0]
            if live >= workers and httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except (httpx.HTTPError, psycopg.Error):
            pass
        time.sleep(0.3)
    raise RuntimeError("API or workers did not start")


async def _run_jobs(base: str, token: str, class_ids: list[str]) -> tuple[float, int]:
    headers = {"Authorization": f"Bearer {token}"}
    exam = (datetime.now(UTC).date() + timedelta(days=90)).isoformat()
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        jobs = []
        for cid in class_ids:
            r = await client.post("/v1/jobs/class-plans", headers=headers, json={
                "class_ids": [cid], "subject_code": "9708", "exam_date": exam, "hours_per_day": 3})
            r.raise_for_status()
            jobs.append(r.json()["id"])
        finished = []
        for job in jobs:
            while True:
                body = (await client.get(f"/v1/jobs/{job}", headers=headers)).json()
                if body["status"] in ("succeeded", "failed", "cancelled"):
                    finished.append(body)
                    break
                await asyncio.sleep(0.05)
    if any(b["status"] != "succeeded" or b["progress"]["failed"] for b in finished):
        raise SystemExit(f"a job failed: {[b['progress'] for b in finished]}")
    start = min(datetime.fromisoformat(b["created_at"]) for b in finished)
    end = max(datetime.fromisoformat(b["finished_at"]) for b in finished)
    return (end - start).total_seconds(), sum(b["progress"]["done"] for b in finished)


def _measure(db_url: str, token: str, class_ids: list[str], workers: int, repeat: int) -> list[float]:
    env = {**os.environ, "DATABASE_URL": db_url, "TEACH_LLM_OFFLINE": "1", "TEACH_LOG_LEVEL": "WARNING",
           "TEACH_JOBS_WORKER_CONCURRENCY": "1", "TEACH_JOBS_POLL_SECONDS": "0.2"}
    port = _free_port()
    procs = [_spawn(["serve", "--no-worker", "--port", str(port)], env)]
    procs += [_spawn(["worker"], env) for _ in range(workers)]
    base = f"http://127.0.0.1:{port}"
    rates = []
    try:
        _wait_ready(base, db_url, workers)
        asyncio.run(_run_jobs(base, token, class_ids[:1]))  # warm-up
        for _ in range(repeat):
            seconds, plans = asyncio.run(_run_jobs(base, token, class_ids))
            rates.append(plans / seconds)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
        with psycopg.connect(db_url, autocommit=True) as conn:  # the next worker count starts with none live
            conn.execute("DELETE FROM procrastinate_workers")
    return rates


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, prepare the scratch database, measure 1 and 2 workers, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--classes", type=int, default=4)
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    server = resolve_libpq_url()
    scratch = f"teach_jobbench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{scratch}"')  # type: ignore[arg-type]
    url = with_database(server, scratch)
    try:
        upgrade(url)
        token, class_ids = asyncio.run(_seed(url, args.classes, args.students))
        results = {w: _measure(url, token, class_ids, w, args.repeat) for w in (1, 2)}
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')  # type: ignore[arg-type]
    med = {w: statistics.median(r) for w, r in results.items()}
    print(f"{'workers':>7} {'plans/s median':>15} {'runs':>30}")
    for w, r in results.items():
        print(f"{w:>7} {med[w]:>15.1f} {', '.join(f'{x:.1f}' for x in r):>30}")
    print(f"ratio 2 workers / 1 worker: {med[2] / med[1]:.2f}  ({args.classes} jobs × {args.students} students "
          "per run, offline Planner, one job per worker at a time)")


if __name__ == "__main__":
    main()
