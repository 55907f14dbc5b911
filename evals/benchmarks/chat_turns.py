"""Benchmark: offline Coach chat turns over real HTTP with Postgres writes.

Starts `teach`'s app under uvicorn on 127.0.0.1 (a fresh database on the embedded server unless
--database-url is given), then measures
  1. the median latency of single turns, one student at a time, and
  2. turns per second with N concurrent students (each posting its next message as soon as it gets a reply).
Prints a table. Targets (DESIGN.md §10): ≤ 15 ms median per turn; ≥ 100 turns/s with 50 students on 2 cores.

    python -m evals.benchmarks.chat_turns [--students 50] [--turns 400] [--seconds 10]
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
from contextlib import contextmanager

import httpx

MESSAGES = [
    "I don't really get it", "people buy less when the price goes up", "is it about how much they react?",
    "maybe it depends on substitutes", "I'm not sure", "it's the percentage change in quantity over price",
    "necessities are different I think", "what about over a longer time?",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """User+system CPU of a process and its children so far (Linux /proc), in seconds."""
    total = 0.0
    pids = [pid] + [int(p) for p in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    for p in pids:
        fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@contextmanager
def _server(db_url: str, port: int, workers: int):  # noqa: ANN202
    # Quotas off: the benchmark measures throughput, and its students post far faster than a person can.
    env = {**os.environ, "DATABASE_URL": db_url, "TEACH_LLM_OFFLINE": "1", "TEACH_QUOTA_STUDENT_TURNS_PER_MINUTE": "0",
           "TEACH_QUOTA_STUDENT_SESSIONS_PER_HOUR": "0", "TEACH_QUOTA_CLASS_TURNS_PER_MINUTE": "0"}
    code = (
        "import uvicorn; "
        f"uvicorn.run('api.app:create_app', factory=True, host='127.0.0.1', port={port}, workers={workers}, "
        "log_level='warning', access_log=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not become ready")
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


async def _students(db_url: str, n: int) -> list[str]:
    from db.engine import create_engine, session_factory
    from db.repo.accounts import create_account, issue_token

    engine = create_engine(db_url)
    tokens = []
    async with session_factory(engine)() as s:
        for i in range(n):
            acct = await create_account(s, email=f"bench-{i}-{uuid.uuid4().hex[:6]}@x.org", display_name=f"B{i}",
                                        role="student")
            tokens.append(await issue_token(s, account_id=acct.id))
        await s.commit()
    await engine.dispose()
    return tokens


async def _open(client: httpx.AsyncClient, token: str) -> tuple[dict, str]:
    headers = {"Authorization": f"Bearer {token}"}
    r = await client.post("/v1/coaching-sessions", json={"topic": "price elasticity of demand",
                                                         "syllabus_point": "9708.2.2"}, headers=headers)
    r.raise_for_status()
    return headers, f"/v1/coaching-sessions/{r.json()['id']}/messages"


async def _latency(base: str, token: str, turns: int) -> list[float]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        headers, url = await _open(client, token)
        samples = []
        for i in range(turns):
            t0 = time.perf_counter()
            r = await client.post(url, json={"content": MESSAGES[i % len(MESSAGES)]}, headers=headers)
            samples.append((time.perf_counter() - t0) * 1000)
            r.raise_for_status()
            if r.json()["outcome"] != "in_progress":  # the Coach closed the session: the student opens another
                headers, url = await _open(client, token)
        return samples


async def _throughput(base: str, tokens: list[str], seconds: float) -> tuple[int, float, int]:
    limits = httpx.Limits(max_connections=len(tokens) + 5)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        opened = [await _open(client, t) for t in tokens]
        done, errors = 0, 0
        stop = time.perf_counter() + seconds

        async def student(headers: dict, url: str, token: str) -> None:
            nonlocal done, errors
            i = 0
            while time.perf_counter() < stop:
                r = await client.post(url, json={"content": MESSAGES[i % len(MESSAGES)]}, headers=headers)
                if r.status_code == 200:
                    done += 1
                    if r.json()["outcome"] != "in_progress":
                        headers, url = await _open(client, token)
                else:
                    errors += 1
                i += 1

        t0 = time.perf_counter()
        await asyncio.gather(*[student(h, u, t) for (h, u), t in zip(opened, tokens)])
        return done, time.perf_counter() - t0, errors


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=50)
    ap.add_argument("--turns", type=int, default=300, help="sequential turns for the latency measurement")
    ap.add_argument("--seconds", type=float, default=10.0, help="duration of the concurrency measurement")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = ap.parse_args(argv)

    from tests import pg

    server = args.database_url or pg.server_url()
    template = pg.create_template(server)
    name = pg.clone_database(server, template)
    db_url = pg.with_database(server, name)
    try:
        tokens = asyncio.run(_students(db_url, args.students))
        with _server(db_url, _free_port(), args.workers) as (base, pid):
            asyncio.run(_latency(base, tokens[0], 20))  # warm-up
            lat = asyncio.run(_latency(base, tokens[0], args.turns))
            cpu0 = _cpu_seconds(pid)
            done, elapsed, errors = asyncio.run(_throughput(base, tokens, args.seconds))
            server_cpu_ms = (_cpu_seconds(pid) - cpu0) * 1000 / max(done, 1)
    finally:
        pg.drop_database(server, name)
        pg.drop_database(server, template)
    lat.sort()
    p95 = lat[int(len(lat) * 0.95) - 1]
    rate = done / elapsed
    print(f"{'measure':<44}{'value':>12}{'target':>12}")
    print(f"{'median turn latency, 1 student (ms)':<44}{statistics.median(lat):>12.1f}{'≤ 15':>12}")
    print(f"{'p95 turn latency, 1 student (ms)':<44}{p95:>12.1f}{'':>12}")
    print(f"{f'turns/s with {args.students} concurrent students':<44}{rate:>12.1f}{'≥ 100':>12}")
    print(f"{'turns completed / errors':<44}{f'{done} / {errors}':>12}")
    print(f"{'server CPU per turn under load (ms)':<44}{server_cpu_ms:>12.1f}")
    print(f"{'server-only capacity on 2 cores (turns/s)':<44}{2000 / server_cpu_ms:>12.0f}{'':>12}")
    print(f"(uvicorn workers: {args.workers}; the load generator shares the same 2 cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
