"""Improvement plans: read one, and record progress on its action items."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from api.access import ensure_can_view_student
from api.deps import CurrentUser, SessionDep
from api.errors import InvalidInput, NotFound
from api.schemas_marking import ImprovementPlanPublic, ProgressUpdate
from db.models import ImprovementPlan, Student
from db.repo.improvement_plans import get_plan, record_progress

router = APIRouter(prefix="/v1/improvement-plans", tags=["improvement plans"])


async def _load(session: SessionDep, user: Student, plan_id: uuid.UUID) -> ImprovementPlan:
    plan = await get_plan(session, plan_id=plan_id)
    if plan is None:
        raise NotFound("improvement plan not found")
    await ensure_can_view_student(session, viewer=user, student_id=plan.student_id, what="improvement plan")
    return plan


@router.get("/{plan_id}")
async def read_plan(plan_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> ImprovementPlanPublic:
    """Weaknesses (AO1/AO2/AO3), action items and progress (the student, their teachers, admins)."""
    return ImprovementPlanPublic.of(await _load(session, user, plan_id))


@router.patch("/{plan_id}/progress")
async def update_progress(
    plan_id: uuid.UUID, body: ProgressUpdate, session: SessionDep, user: CurrentUser
) -> ImprovementPlanPublic:
    """Record progress on one action item: `{action_id, started?, completed?, notes?}`; a completion date
    marks the item completed, none marks it open again."""
    plan = await _load(session, user, plan_id)
    if body.started and body.completed and body.completed < body.started:
        raise InvalidInput("completed must not be before started", field="completed")
    if body.action_id not in {item["id"] for item in plan.action_items}:
        ids = ", ".join(item["id"] for item in plan.action_items) or "none"
        raise InvalidInput(f"{body.action_id!r} is not an action item of this plan (items: {ids})",
                           field="action_id")
    entry = {
        "started": body.started.isoformat() if body.started else None,
        "completed": body.completed.isoformat() if body.completed else None,
        "notes": body.notes,
    }
    plan = await record_progress(session, plan_id=plan.id, action_id=body.action_id, entry=entry)
    return ImprovementPlanPublic.of(plan)
