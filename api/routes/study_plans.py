"""Study plans: generate (one student through the workflow, or a whole class), read, complete a day
(EF update and re-plan), change status (active → completed | abandoned)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, status

from agents.planner import PlanRequest
from api.access import ensure_can_view_student
from api.deps import CurrentUser, SessionDep, StateDep, TeacherUser
from api.errors import Forbidden, InvalidInput, NotFound
from api.schemas_planning import (
    ClassPlanCreate,
    ClassPlanResponse,
    DayComplete,
    StatusUpdate,
    StudyPlanCreate,
    StudyPlanPublic,
    utc_today,
)
from api.services.planning import (
    change_plan_status,
    complete_plan_day,
    plan_for_class,
    plan_for_student,
    plan_public,
)
from db.models import Student, StudyPlan
from db.repo import accounts
from db.repo.curriculum import get_subject_by_code
from db.repo.study_plans import get_study_plan

router = APIRouter(prefix="/v1", tags=["study plans"])


async def _load_plan(session: SessionDep, user: Student, plan_id: uuid.UUID) -> StudyPlan:
    plan = await get_study_plan(session, plan_id=plan_id)
    if plan is None:
        raise NotFound("study plan not found")
    await ensure_can_view_student(session, viewer=user, student_id=plan.student_id, what="study plan")
    return plan


async def _check_subject(session: SessionDep, code: str) -> None:
    if await get_subject_by_code(session, code=code) is None:
        raise InvalidInput(f"subject_code: unknown subject {code!r}", field="subject_code")


@router.post("/study-plans", status_code=status.HTTP_201_CREATED)
async def create_study_plan(body: StudyPlanCreate, session: SessionDep, state: StateDep,
                            user: CurrentUser) -> StudyPlanPublic:
    """Generate a plan: a student for themself, a teacher for a student in their class, or an admin."""
    if user.role == "examiner":
        raise Forbidden("examiners cannot create study plans")
    target = await accounts.get_account(session, account_id=body.student_id)
    if target is None or target.role != "student":
        raise NotFound("student not found")
    await ensure_can_view_student(session, viewer=user, student_id=target.id, what="student")
    await _check_subject(session, body.subject_code)
    await session.commit()  # release this request's connection while the workflow runs
    request = PlanRequest(student_id=target.id, subject_code=body.subject_code, exam_date=body.exam_date,
                          hours_per_day=body.hours_per_day, today=utc_today())
    async with state.slots.hold("planning"):  # planning's own slots: never chat's or marking's
        plan_id = await plan_for_student(state, request=request, actor_id=user.id)
    return await plan_public(session, plan=await get_study_plan(session, plan_id=plan_id))


@router.post("/classes/{class_id}/study-plans")
async def create_class_plans(class_id: uuid.UUID, body: ClassPlanCreate, session: SessionDep, state: StateDep,
                             user: TeacherUser) -> ClassPlanResponse:
    """A plan for every student of the class (the class's teacher or an admin), with a per-student result."""
    klass = await accounts.get_class(session, class_id=class_id)
    if klass is None or (user.role != "admin" and klass.teacher_id != user.id):
        raise NotFound("class not found")
    await _check_subject(session, body.subject_code)
    members = await accounts.list_class_members(session, class_id=klass.id)
    await session.commit()
    async with state.slots.hold("planning"):
        results = await _class_plans(state, members, body)
    failures = [r for r in results if r.status == "failed"]
    fields = {r.error.field for r in failures if r.error}
    if results and len(failures) == len(results) and len(fields) == 1 and None not in fields:
        # Every student failed on the same input field: that is a bad request, not N separate failures.
        raise InvalidInput(failures[0].error.message, field=fields.pop())
    return ClassPlanResponse(class_id=klass.id, subject_code=body.subject_code, created=len(results) - len(failures),
                             failed=len(failures), results=results)


async def _class_plans(state: StateDep, members: list[Student], body: ClassPlanCreate) -> list:
    return await plan_for_class(
        state, student_ids=[m.id for m in members], subject_code=body.subject_code,
        exam_date=body.exam_date, hours_per_day=body.hours_per_day, today=utc_today(),
        concurrency=state.settings.class_plan_concurrency,
    )


@router.get("/study-plans/{plan_id}")
async def read_study_plan(plan_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> StudyPlanPublic:
    """The plan with its schedule, easiness factors and note (the student, their teachers, admins)."""
    return await plan_public(session, plan=await _load_plan(session, user, plan_id))


@router.post("/study-plans/{plan_id}/days/{day}/complete")
async def complete_day(plan_id: uuid.UUID, day: Annotated[int, Path(ge=1)], body: DayComplete,
                       session: SessionDep, user: CurrentUser) -> StudyPlanPublic:
    """Record a studied day with a grade 0..5 per topic: EFs update and the remaining days are re-planned."""
    await _load_plan(session, user, plan_id)
    plan = await complete_plan_day(session, plan_id=plan_id, day=day, grades=dict(body.grades), today=utc_today())
    return await plan_public(session, plan=plan)


@router.patch("/study-plans/{plan_id}")
async def update_status(plan_id: uuid.UUID, body: StatusUpdate, session: SessionDep,
                        user: CurrentUser) -> StudyPlanPublic:
    """Change status: only active → completed | abandoned (anything else is 409)."""
    await _load_plan(session, user, plan_id)
    return await plan_public(session, plan=await change_plan_status(session, plan_id=plan_id, status=body.status))
