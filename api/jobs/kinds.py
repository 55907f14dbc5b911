"""What one item of each job kind does. Each handler settles its item (`job_items` pending → done).

- `class_plan` — item = a student id: that student's plan through the one planning path
  (`api.services.planning.run_student_plan`: the graph's planning branch, the app's model factory), the plan
  stored in the same transaction that settles the item;
- `mark_attempts` — item = a stored attempt id: the marking workflow for it (thread = attempt id,
  checkpointed after every step). A run interrupted by a crash resumes from its checkpoint instead of
  starting again, and a finished (or human-review-paused) run is never run twice; the item is settled with
  the attempt's marks;
- `eval_run` — item = a persona: its scenarios on the job's points, played on the job's scratch database
  (never the serving one), scored; the scratch database is dropped when the job ends;
- `judge_sessions` — item = a closed session id: the LLM judge's six session labels for its transcript
  (`evals.judge.judge_session`, the configured endpoint with no offline fallback), stored in its
  `session_evals.judge` with the judge's coverage (scored / 6) in the transaction that settles the item. A
  dimension the judge could not label stays unscored with the reason; it never fails the item.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import date
from typing import Any

from agents.planner import PlanInputError, PlanRequest
from agents.state import GraphContext
from db.models import JobItem
from db.repo import jobs as repo
from tools.schedule import ScheduleInputError

log = logging.getLogger(__name__)


class ItemInputError(ValueError):
    """The item's input is wrong (retrying cannot help); `.field` names it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


async def class_plan(state: Any, job: Any, item: JobItem) -> None:
    """One student's study plan."""
    from api.services.planning import run_student_plan

    p = job.params
    request = PlanRequest(student_id=uuid.UUID(item.key), subject_code=p["subject_code"],
                          exam_date=date.fromisoformat(p["exam_date"]), hours_per_day=float(p["hours_per_day"]),
                          today=date.fromisoformat(p["today"]))
    try:
        await run_student_plan(state, request=request, actor_id=job.created_by, job_item=(job.id, item.key))
    except (PlanInputError, ScheduleInputError) as exc:
        raise ItemInputError(str(exc), field=exc.field) from exc


async def mark_attempt(state: Any, job: Any, item: JobItem) -> None:
    """Mark one stored attempt (or finish marking it), then settle the item with its marks."""
    from db.repo.attempts import get_attempt, list_answers

    attempt_id = uuid.UUID(item.key)
    async with state.sessionmaker() as db:
        attempt = await get_attempt(db, attempt_id=attempt_id)
    if attempt is None:
        raise ItemInputError(f"attempt {attempt_id} no longer exists", field="attempt_id")
    config = {"configurable": {"thread_id": str(attempt_id)}}
    context = GraphContext(sessionmaker=state.sessionmaker, student_id=attempt.student_id, attempt_id=attempt_id,
                           actor_id=job.created_by, model_factory=state.model_factory)
    async with state.turn_gate.turn(attempt_id):  # the same serialisation as marking over HTTP
        snapshot = await state.graph.aget_state(config)
        if not snapshot.values:
            await state.graph.ainvoke({"kind": "mark"}, config=config, context=context, durability="sync")
        elif snapshot.next and not getattr(snapshot, "interrupts", ()):
            log.info("resuming the marking of attempt %s from its checkpoint", attempt_id)
            await state.graph.ainvoke(None, config=config, context=context, durability="sync")
        # else: finished, or paused for a human review — nothing to run again
    async with state.sessionmaker() as db:
        attempt = await get_attempt(db, attempt_id=attempt_id)
        answers = await list_answers(db, attempt_id=attempt_id)
        result = {"attempt_id": str(attempt_id), "student_id": str(attempt.student_id), "status": attempt.status,
                  "total_marks_awarded": attempt.total_marks_awarded, "total_max_marks": attempt.total_max_marks,
                  "answers": [{"id": str(a.id), "marks_awarded": a.marks_awarded,
                               "needs_review": bool(getattr(a, "needs_review", False))} for a in answers]}
        await repo.settle_item(db, job_id=job.id, key=item.key, status="done", result=result)
        await db.commit()


async def eval_persona(state: Any, job: Any, item: JobItem) -> None:
    """One persona's scenarios on the job's points, on the job's scratch database."""
    from agents.llm import offline_chat_model
    from api.scratch import ensure_scratch_database
    from db.engine import create_engine, session_factory
    from evals.report import build_report
    from evals.runner import run_suite
    from evals.scenarios import SCENARIOS

    scenario = SCENARIOS.get(item.key)
    if scenario is None:
        raise ItemInputError(f"unknown persona {item.key!r}", field="personas")
    url = await asyncio.to_thread(ensure_scratch_database, state.db_url, eval_database_name(job.id))
    engine = create_engine(url)
    try:
        offline = job.params.get("offline", True)
        runs = await run_suite(session_factory(engine), scenarios=[scenario], codes=list(job.params["points"]),
                               model_factory=(lambda role: offline_chat_model()) if offline else state.model_factory)
    finally:
        await engine.dispose()
    report = build_report(runs, {"persona": item.key, "points": job.params["points"]})
    persona = report["personas"].get(item.key, {})
    result = {"persona": item.key, "runs": persona.get("runs", len(runs)), "passed": persona.get("passed"),
              "outcomes": persona.get("outcomes"),
              "failures": [{"syllabus_point": f["syllabus_point"], "error": f["error"],
                            "conditions": [c["name"] for c in f.get("conditions", []) if not c.get("passed", True)]}
                           for f in report.get("failures", [])]}
    async with state.sessionmaker() as db:
        await repo.settle_item(db, job_id=job.id, key=item.key, status="done", result=result)
        await db.commit()


async def judge_session_item(state: Any, job: Any, item: JobItem) -> None:
    """The LLM judge on one closed session; its labels and coverage go into the session's stored eval."""
    from sqlalchemy import update

    from db import clock
    from db.models import CoachingSession
    from db.models.evals import SessionEval
    from evals.judge import judge_chat_model, judge_session
    from evals.session_transcript import TranscriptError, point_for
    from evals.sources import transcript_of_session
    from evals.structured import MethodLadder

    session_id = uuid.UUID(item.key)
    async with state.sessionmaker() as db:
        cs = await db.get(CoachingSession, session_id)
        row = await db.get(SessionEval, session_id)
    if cs is None or row is None:
        raise ItemInputError(f"session {session_id} no longer exists", field="session_id")
    try:
        transcript = transcript_of_session(cs)
    except TranscriptError as exc:
        raise ItemInputError(str(exc), field="session_id") from exc
    factory = getattr(state, "judge_model_factory", None) or judge_chat_model
    chat_model = factory()
    labels = await asyncio.to_thread(judge_session, transcript, point_for(transcript.syllabus_point),
                                     chat_model=chat_model, ladder=MethodLadder())
    scored = sum(1 for r in labels if r.get("value") is not None)
    model = getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None) or type(chat_model).__name__
    judge = {"session": labels, "model": str(model), "coverage": {"scored": scored, "total": len(labels)},
             "job_id": str(job.id)}
    async with state.sessionmaker() as db:
        await db.execute(update(SessionEval).where(SessionEval.session_id == session_id)
                         .values(judge=judge, judged_at=clock.now()))
        await repo.settle_item(db, job_id=job.id, key=item.key, status="done",
                               result={"session_id": item.key, "coverage": judge["coverage"],
                                       "labels": {r["key"]: r.get("value") for r in labels}})
        await db.commit()


def eval_database_name(job_id: uuid.UUID) -> str:
    """The scratch database of an eval job."""
    return f"teach_evaljob_{job_id.hex}"


async def drop_eval_database(state: Any, job: Any) -> None:
    """When an eval job ends: its scratch database goes."""
    from api.scratch import drop_scratch_database

    await asyncio.to_thread(drop_scratch_database, state.db_url, eval_database_name(job.id))


HANDLERS = {"class_plan": class_plan, "mark_attempts": mark_attempt, "eval_run": eval_persona,
            "judge_sessions": judge_session_item}
ON_END = {"eval_run": drop_eval_database}
