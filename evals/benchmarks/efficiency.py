"""Benchmark: set-based coaching efficiency vs the seed's one-query-per-window approach (DESIGN.md §10).

    python -m evals.benchmarks.efficiency [--sessions 10000] [--database-url URL] [--repeat 7] [--explain]

Without `--database-url` it creates a scratch database on the embedded server (or DATABASE_URL's server),
migrates it, loads generated data (`evals.benchmarks.efficiency_data`, COPY) and drops it afterwards.
With `--database-url` it uses that database as is: migrates it and loads data only if it has no coaching
sessions (so a loaded database can be re-measured quickly).

Both approaches run in the same process on the same data, after one warm-up each; the table shows the
median of the repetitions, and the run fails loudly if the two disagree on any group. A second table shows
what the triggers that make the read fast cost a writer (`evals.benchmarks.efficiency_writes`).
Targets: set-based ≤ 100 ms median at 10k sessions; ≥ 50× faster than the per-window approach.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
import uuid

import asyncpg
import psycopg
from sqlalchemy import text

from db.engine import create_engine, session_factory
from db.urls import resolve_libpq_url, with_database
from evals.benchmarks.efficiency_baseline import seed_approach
from evals.benchmarks.efficiency_data import ANCHOR, CUSTOMER, PROFILE, SPAN_DAYS, generate
from evals.benchmarks.efficiency_writes import write_cost
from migrations.runner import upgrade
from tools.efficiency import EfficiencySettings, retrieve_efficiency_stats
from tools.efficiency_sql import EFFICIENCY_ROWS_SQL
from tools.efficiency_stats import GroupBy

GROUP_BY = [GroupBy.COACHING_SESSION_SUBMITTER.value]
START = ANCHOR.replace(year=ANCHOR.year - 1)
END = ANCHOR


def _prepare(url: str, sessions: int) -> dict[str, int] | None:
    upgrade(url)
    with psycopg.connect(url, autocommit=True) as conn:
        (n,) = conn.execute("SELECT count(*) FROM director.coaching_sessions").fetchone()  # type: ignore[misc]
        if n:
            print(f"reusing {n} existing coaching sessions", file=sys.stderr)
            return None
        t = time.perf_counter()
        counts = generate(conn, sessions=sessions)
        print(f"generated {counts} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        return counts


def _explain(url: str, now_cutoff: object) -> None:
    sql = re.sub(r"(?<!:):(\w+)", r"%(\1)s", EFFICIENCY_ROWS_SQL)
    params = {"customer": CUSTOMER, "profile": PROFILE, "start": START, "end": END, "usecase_ids": None,
              "users": None, "age_cutoff": now_cutoff}
    with psycopg.connect(url) as conn:
        conn.execute("SET jit = off")
        for (line,) in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params):  # type: ignore[arg-type]
            print(line)


def _cpu_seconds(pids: list[int]) -> float | None:
    """User+system CPU of these server backends (local server on Linux only), plus this process's own."""
    total = os.times().user + os.times().system
    try:
        for pid in pids:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None
    return total


def _same(a: list, b: list) -> bool:
    if [g.key for g in a] != [g.key for g in b]:
        return False
    for g, h in zip(a, b):
        if (g.total_sessions, g.valid_rows, g.after_conversations) != (h.total_sessions, h.valid_rows,
                                                                          h.after_conversations):
            return False
        if (g.coaching_efficiency is None) != (h.coaching_efficiency is None):
            return False
        if g.coaching_efficiency is not None and abs(g.coaching_efficiency - h.coaching_efficiency) > 1e-9:
            return False
    return True


async def _measure(url: str, repeat: int, baseline_repeat: int, concurrency: int) -> dict[str, float]:
    settings = EfficiencySettings()
    engine = create_engine(url)
    make = session_factory(engine)

    cpu: dict[str, list[float]] = {"set": [], "seed": []}

    async def set_based(record: bool = False) -> list:
        async with make() as s:
            pid = (await s.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            before, t = _cpu_seconds([pid]), time.perf_counter()
            groups = await retrieve_efficiency_stats(
                s, customer=CUSTOMER, profile=PROFILE, start=START, end=END, usecase_ids=None, users=None,
                group_by=GROUP_BY, now=ANCHOR, settings=settings)
            if record:
                fast.append((time.perf_counter() - t) * 1000)
                after = _cpu_seconds([pid])
                if before is not None and after is not None:
                    cpu["set"].append((after - before) * 1000)
            return groups

    fast: list[float] = []
    slow: list[float] = []
    pool = await asyncpg.create_pool(url, min_size=concurrency, max_size=concurrency)

    pids = [r["pid"] for r in await asyncio.gather(*(_pid(pool) for _ in range(concurrency)))]

    async def baseline(record: bool = False) -> tuple[list, int]:
        before, t = _cpu_seconds(pids), time.perf_counter()
        out = await seed_approach(
            pool, customer=CUSTOMER, profile=PROFILE, start=START, end=END, now=ANCHOR, group_by=GROUP_BY,
            auto_min=settings.auto_min_conversations, manual_min=settings.manual_min_conversations,
            min_age_days=settings.min_session_age_days, concurrency=concurrency)
        if record:
            slow.append((time.perf_counter() - t) * 1000)
            after = _cpu_seconds(pids)
            if before is not None and after is not None:
                cpu["seed"].append((after - before) * 1000)
        return out

    try:
        ours = await set_based()  # warm-up (and the result to compare)
        theirs, queries = await baseline()
        if not _same(ours, theirs):
            raise SystemExit("set-based and per-window results differ: benchmark invalid")
        for _ in range(repeat):
            await set_based(record=True)
        for _ in range(baseline_repeat):
            await baseline(record=True)
    finally:
        await pool.close()
        await engine.dispose()
    valid = sum(g.valid_rows for g in ours)
    sessions = sum(g.total_sessions for g in ours)
    med = lambda xs: statistics.median(xs) if xs else float("nan")
    return {"sessions": sessions, "valid_rows": valid, "queries": queries,
            "set_ms": med(fast), "seed_ms": med(slow), "set_cpu": med(cpu["set"]), "seed_cpu": med(cpu["seed"])}


async def _pid(pool: asyncpg.Pool) -> asyncpg.Record:
    async with pool.acquire() as conn:
        await asyncio.sleep(0.05)  # hold it, so each call gets a different connection
        return await conn.fetchrow("SELECT pg_backend_pid() AS pid")


def _report(r: dict[str, float], sessions_arg: int) -> None:
    ratio = r["seed_ms"] / r["set_ms"]
    # /proc counts CPU in clock ticks (10 ms): a small run can show 0 ms, which has no ratio.
    cpu_ratio = r["seed_cpu"] / r["set_cpu"] if r["set_cpu"] else float("nan")
    print(f"{'sessions':>9} {'valid rows':>10} {'QA queries':>11} {'set-based ms':>13} {'per-window ms':>14} "
          f"{'ratio':>7} {'set CPU ms':>11} {'per-window CPU ms':>18} {'CPU ratio':>10}")
    print(f"{int(r['sessions']):>9} {int(r['valid_rows']):>10} {int(r['queries']):>11} {r['set_ms']:>13.1f} "
          f"{r['seed_ms']:>14.1f} {ratio:>6.1f}x {r['set_cpu']:>11.0f} {r['seed_cpu']:>18.0f} {cpu_ratio:>9.1f}x")
    print("(ms = median wall clock; CPU = server backends + this process, from /proc; nan if not local)")
    if sessions_arg >= 10_000:
        ok_time, ok_ratio = r["set_ms"] <= 100, ratio >= 50
        print(f"target ≤ 100 ms: {'met' if ok_time else 'NOT met'}; target ≥ 50×: {'met' if ok_ratio else 'NOT met'}")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, prepare the database, measure both approaches, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=10_000)
    p.add_argument("--database-url", default=None, help="use this database instead of a scratch one")
    p.add_argument("--repeat", type=int, default=7, help="repetitions of the set-based query")
    p.add_argument("--baseline-repeat", type=int, default=3, help="repetitions of the per-window approach")
    p.add_argument("--concurrency", type=int, default=15)
    p.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the statement")
    args = p.parse_args(argv)
    if args.sessions < 1:
        p.error("--sessions must be positive")

    scratch = None
    if args.database_url:
        url = args.database_url
    else:
        server = resolve_libpq_url()
        scratch = f"teach_effbench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{scratch}"')  # type: ignore[arg-type]
        url = with_database(server, scratch)
    try:
        _prepare(url, args.sessions)
        if args.explain:
            from datetime import timedelta

            _explain(url, ANCHOR - timedelta(days=EfficiencySettings().min_session_age_days))
        result = asyncio.run(_measure(url, args.repeat, args.baseline_repeat, args.concurrency))
        _report(result, args.sessions)
        writes = write_cost(url)
        print(f"\nwrite cost, one scorecard + its scores inside a coached window ({int(writes['cards'])} cards, "
              "median ms):")
        print(f"{'no triggers':>12} {'mirror (009)':>13} {'mirror + windows (010)':>23}")
        print(f"{writes['none']:>12.2f} {writes['mirror']:>13.2f} {writes['both']:>23.2f}")
        print(f"(data: {SPAN_DAYS} days of scores; group by {GROUP_BY[0]})", file=sys.stderr)
    finally:
        if scratch:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
