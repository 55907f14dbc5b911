"""Study-plan orchestration behind the HTTP routes: one student's plan through the workflow, a whole class
with bounded concurrency (one failure does not sink the rest), completing a day, changing status."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agents.planner import PlanInputError, PlanRequest
from api.errors import Conflict, InvalidInput, NotFound, Unavailable
from api.schemas_planning import ClassPlanResult, PlanError, StudyPlanPublic
from db import clock
from db.models import StudyPlan
from db.repo.curriculum import get_subject
from db.repo.study_plans import change_status, get_plan_note, get_study_plan, replace_schedule
from graph.state import GraphContext
from tools.feedback import record_study_day
from tools.replan import complete_day
from tools.schedule import ScheduleInputError

log = logging.getLogger(__name__)

# The seed's transitions: only from active, only to completed or abandoned.
ALLOWED_TRANSITIONS = {"active": ("completed", "abandoned")}


def _invalid(exc: PlanInputError | ScheduleInputError) -> InvalidInput:
    return InvalidInput(str(exc), field=exc.field)


async def run_student_plan(state: Any, *, request: PlanRequest, actor_id: uuid.UUID,
                           job_item: tuple[uuid.UUID, str] | None = None) -> uuid.UUID:
    """The one planning path: the workflow's planning branch (thread `plan:<uuid4>`) for one student, with the
    app's model factory; returns the plan id. With `job_item`, the plan is stored in the same transaction
    that settles that job item. Raises the Planner's input errors and whatever else failed."""
    thread_id = f"plan:{uuid.uuid4()}"
    context = GraphContext(sessionmaker=state.sessionmaker, student_id=request.student_id, actor_id=actor_id,
                           extras={"thread_id": thread_id}, model_factory=state.model_factory, job_item=job_item)
    values = await state.graph.ainvoke(
        {"kind": "plan", "results": {"plan_request": request.to_state(), "with_note": True}},
        config={"configurable": {"thread_id": thread_id}}, context=context, durability="exit",
    )
    return uuid.UUID(values["results"]["study_plan_id"])


async def plan_for_student(state: Any, *, request: PlanRequest, actor_id: uuid.UUID) -> uuid.UUID:
    """One student's plan for an HTTP request: input errors → 422, anything else → 503."""
    try:
        return await run_student_plan(state, request=request, actor_id=actor_id)
    except (PlanInputError, ScheduleInputError) as exc:
        raise _invalid(exc) from exc
    except Exception as exc:
        log.exception("study plan failed for student %s", request.student_id)
        raise Unavailable("the Planner could not build the plan; nothing was saved — please retry") from exc


def plan_error(exc: Exception) -> PlanError:
    """A failed student's entry: the input error with its field, or an opaque internal error (logged)."""
    if isinstance(exc, PlanInputError | ScheduleInputError):
        return PlanError(code="invalid_input", message=str(exc), field=exc.field)
    return PlanError(code="internal", message="the plan could not be created; the error has been logged")


async def plan_for_class(
    state: Any, *, student_ids: list[uuid.UUID], subject_code: str, exam_date: date, hours_per_day: float,
    today: date, concurrency: int, actor_id: uuid.UUID | None = None,
) -> list[ClassPlanResult]:
    """A plan for every student, at most `concurrency` at a time, each through `run_student_plan` (the same
    graph node and model factory as a single plan). Results in the order of `student_ids`; a student whose
    plan fails gets an error entry and does not sink the rest."""
    slots = asyncio.Semaphore(max(1, concurrency))

    async def one(student_id: uuid.UUID) -> ClassPlanResult:
        request = PlanRequest(student_id=student_id, subject_code=subject_code, exam_date=exam_date,
                              hours_per_day=hours_per_day, today=today)
        async with slots:
            try:
                plan_id = await run_student_plan(state, request=request, actor_id=actor_id or student_id)
            except Exception as exc:
                if not isinstance(exc, PlanInputError | ScheduleInputError):
                    log.exception("class plan failed for student %s", student_id)
                return ClassPlanResult(student_id=student_id, status="failed", error=plan_error(exc))
        return ClassPlanResult(student_id=student_id, status="created", study_plan_id=plan_id)

    return list(await asyncio.gather(*(one(s) for s in student_ids)))


async def plan_public(db: AsyncSession, *, plan: StudyPlan) -> StudyPlanPublic:
    """The plan as the API shows it, with its subject code and note."""
    subject = await get_subject(db, subject_id=plan.subject_id)
    note = await get_plan_note(db, plan_id=plan.id)
    return StudyPlanPublic.of(plan, subject_code=subject.code if subject else "", note=note)


async def complete_plan_day(
    db: AsyncSession, *, plan_id: uuid.UUID, day: int, grades: dict[str, int], today: date,
) -> StudyPlan:
    """Mark a day done with its grades: update the plan's EFs, re-plan the remaining days, and feed the
    grades into the student's per-point SM-2 states. The caller commits (all or nothing)."""
    plan = await get_study_plan(db, plan_id=plan_id, for_update=True)
    if plan is None:
        raise NotFound("study plan not found")
    if plan.status != "active":
        raise Conflict(f"the plan is {plan.status}; only an active plan's days can be completed", field="status")
    for code in grades:
        if code not in (plan.easiness_factors or {}):
            raise InvalidInput(f"grades.{code}: not a syllabus point of this plan", field=f"grades.{code}")
    target = next((d for d in plan.schedule if d.get("day") == day), None)
    if target is None:
        raise NotFound(f"day {day} is not in this plan's schedule", field="day")
    if target.get("completed"):
        raise Conflict(f"day {day} is already completed", field="day")
    try:
        schedule, efs = complete_day(plan.schedule, plan.easiness_factors or {}, day, grades, today=today,
                                     exam_date=plan.exam_date, hours_per_day=plan.hours_per_day)
    except ScheduleInputError as exc:
        raise _invalid(exc) from exc
    await replace_schedule(db, plan_id=plan.id, schedule=schedule, easiness_factors=efs)
    await record_study_day(db, student_id=plan.student_id, plan_id=plan.id, day=day, grades=grades,
                           at=clock.now())
    return await get_study_plan(db, plan_id=plan.id)


async def change_plan_status(db: AsyncSession, *, plan_id: uuid.UUID, status: str) -> StudyPlan:
    """Apply a status transition the seed allows (active → completed | abandoned), else 409."""
    plan = await get_study_plan(db, plan_id=plan_id, for_update=True)
    if plan is None:
        raise NotFound("study plan not found")
    if status not in ALLOWED_TRANSITIONS.get(plan.status, ()):
        raise Conflict(f"cannot move a study plan from {plan.status} to {status}", field="status")
    if not await change_status(db, plan_id=plan.id, from_status=plan.status, to_status=status):
        raise Conflict("the plan changed meanwhile; reload it", field="status")
    return await get_study_plan(db, plan_id=plan.id)
