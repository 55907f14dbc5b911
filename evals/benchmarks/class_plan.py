"""Benchmark: a whole class's study plans on the offline model (DESIGN.md §10: 30 students ≤ 1 s).

    python -m evals.benchmarks.class_plan [--students 30] [--repeat 7] [--hours 3] [--days 90]
                                          [--database-url URL]

Without `--database-url` it creates a scratch database on the embedded server (or DATABASE_URL's server),
migrates it, loads the curriculum and drops it afterwards. It creates a teacher, a 9708 class of
`--students` students, and gives each student a few marked answers through the real feedback loop so their
easiness factors differ. Each run is exactly what `POST /v1/classes/{id}/study-plans` (and each item of a
class-plan job) does after access checks (`api.services.planning.plan_for_class`): per student, the
workflow's planning branch (the same graph nodes and model factory as a single plan, Postgres checkpointer):
read the EFs, build the SM-2 schedule, write the offline Planner's rationale, store plan + note + usage. The table
shows the median (and min/max) of `--repeat` runs after one warm-up, per concurrency level.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import psycopg
from sqlalchemy import func, select

from agents.llm import offline_chat_model
from api.services.planning import plan_for_class
from api.settings import ApiSettings
from curriculum.sync import sync_curriculum
from db.engine import create_engine, session_factory
from db.models import Question, StudyPlan
from db.repo.accounts import add_class_member, create_account, create_class
from db.repo.curriculum import get_subject_by_code
from db.urls import resolve_libpq_url, with_database
from migrations.runner import upgrade
from tools.feedback import on_answer_marked
from tools.tenancy import organisation

TARGET_MS = 1000.0


async def _seed(make, students: int) -> list[uuid.UUID]:
    """A class of students with varied marking history; returns their ids."""
    async with make() as db:
        await sync_curriculum(db, organisation=organisation())
        subject = await get_subject_by_code(db, code="9708")
        teacher = await create_account(db, email=f"bench-t-{uuid.uuid4().hex[:6]}@x.org", display_name="T",
                                       role="teacher")
        klass = await create_class(db, name="bench", subject_id=subject.id, teacher_id=teacher.id)
        questions = list((await db.execute(select(Question).order_by(Question.ref))).scalars())
        ids = []
        now = datetime.now(UTC)
        for i in range(students):
            s = await create_account(db, email=f"bench-s{i}-{uuid.uuid4().hex[:6]}@x.org", display_name=f"S{i}",
                                     role="student")
            await add_class_member(db, class_id=klass.id, student_id=s.id)
            for k in range(4):  # deterministic spread of marks over different questions
                q = questions[(i * 7 + k * 13) % len(questions)]
                await on_answer_marked(
                    db, attempted_question_id=uuid.uuid4(), student_id=s.id, question_id=q.id,
                    marks_awarded=(i + k * 3) % (q.max_marks + 1), max_marks=q.max_marks,
                    syllabus_point_codes=list(q.syllabus_point_codes), marked_at=now - timedelta(days=10 - k),
                    manually_scored=False, scorer_id=None)
            ids.append(s.id)
        await db.commit()
    return ids


async def _measure(url: str, students: int, repeat: int, hours: float, days: int,
                   levels: list[int]) -> list[dict[str, float]]:
    from graph.runtime import open_runtime

    engine = create_engine(url)
    make = session_factory(engine)
    runtime = await open_runtime(url)
    state = SimpleNamespace(sessionmaker=make, graph=runtime.graph, model_factory=lambda role: offline_chat_model())
    try:
        ids = await _seed(make, students)
        today = datetime.now(UTC).date()
        rows = []
        for concurrency in levels:
            async def run(concurrency: int = concurrency) -> float:
                t = time.perf_counter()
                results = await plan_for_class(
                    state, student_ids=ids, subject_code="9708", exam_date=today + timedelta(days=days),
                    hours_per_day=hours, today=today, concurrency=concurrency)
                elapsed = (time.perf_counter() - t) * 1000
                failed = [r for r in results if r.status != "created"]
                if failed:
                    raise SystemExit(f"{len(failed)} plans failed: {failed[0].error}")
                return elapsed

            await run()  # warm-up
            times = [await run() for _ in range(repeat)]
            rows.append({"concurrency": concurrency, "median": statistics.median(times), "min": min(times),
                         "max": max(times)})
        async with make() as db:
            total = (await db.execute(select(func.count()).select_from(StudyPlan))).scalar_one()
        print(f"({total} plans stored in total)", file=sys.stderr)
        return rows
    finally:
        await runtime.aclose()
        await engine.dispose()


def _report(rows: list[dict[str, float]], students: int, setting: int) -> None:
    print(f"{'students':>8} {'concurrency':>11} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'ms/student':>10}")
    for r in rows:
        mark = " (setting)" if r["concurrency"] == setting else ""
        print(f"{students:>8} {int(r['concurrency']):>11} {r['median']:>10.1f} {r['min']:>8.1f} {r['max']:>8.1f} "
              f"{r['median'] / students:>10.1f}{mark}")
    at_setting = next((r for r in rows if r["concurrency"] == setting), rows[-1])
    if students >= 30:
        verdict = "met" if at_setting["median"] <= TARGET_MS else "NOT met"
        print(f"target 30-student class plan ≤ {TARGET_MS:.0f} ms offline: {verdict}")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, prepare the database, measure, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--hours", type=float, default=3.0, help="hours_per_day")
    p.add_argument("--days", type=int, default=90, help="days until the exam")
    p.add_argument("--database-url", default=None, help="use this database instead of a scratch one")
    args = p.parse_args(argv)
    if args.students < 1 or args.repeat < 1 or args.days < 2:
        p.error("--students and --repeat must be positive, --days at least 2")
    setting = ApiSettings().class_plan_concurrency
    levels = sorted({1, setting, max(setting * 2, 8)})

    scratch = None
    server = resolve_libpq_url()
    if args.database_url:
        url = args.database_url
    else:
        scratch = f"teach_planbench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{scratch}"')  # type: ignore[arg-type]
        url = with_database(server, scratch)
    try:
        upgrade(url)
        rows = asyncio.run(_measure(url, args.students, args.repeat, args.hours, args.days, levels))
        _report(rows, args.students, setting)
        print(f"(hours_per_day {args.hours}, exam in {args.days} days, offline Planner)", file=sys.stderr)
    finally:
        if scratch:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
