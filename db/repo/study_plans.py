"""Study plans (seed 000) and their prose notes: create, read (optionally locked), re-plan, change status."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db import clock
from db.models import StudyPlan, StudyPlanNote


async def create_study_plan(
    session: AsyncSession, *, student_id: uuid.UUID, subject_id: uuid.UUID, exam_date: date, total_days: int,
    hours_per_day: float, schedule: list[dict[str, Any]], easiness_factors: dict[str, float],
) -> StudyPlan:
    """Insert an `active` plan."""
    plan = StudyPlan(
        student_id=student_id, subject_id=subject_id, exam_date=exam_date, total_days=total_days,
        hours_per_day=hours_per_day, schedule=schedule, easiness_factors=easiness_factors, status="active",
    )
    session.add(plan)
    await session.flush()
    return plan


async def get_study_plan(session: AsyncSession, *, plan_id: uuid.UUID, for_update: bool = False) -> StudyPlan | None:
    """The plan, freshly read; `for_update` locks the row until the transaction ends."""
    stmt = select(StudyPlan).where(StudyPlan.id == plan_id).execution_options(populate_existing=True)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def replace_schedule(
    session: AsyncSession, *, plan_id: uuid.UUID, schedule: list[dict[str, Any]],
    easiness_factors: dict[str, float],
) -> None:
    """Store a re-planned schedule and its updated easiness factors."""
    await session.execute(
        update(StudyPlan).where(StudyPlan.id == plan_id)
        .values(schedule=schedule, easiness_factors=easiness_factors, updated_at=clock.now())
    )


async def change_status(session: AsyncSession, *, plan_id: uuid.UUID, from_status: str, to_status: str) -> bool:
    """Move the plan from `from_status` to `to_status`; False if it was not in `from_status` (no change)."""
    result = await session.execute(
        update(StudyPlan).where(StudyPlan.id == plan_id, StudyPlan.status == from_status)
        .values(status=to_status, updated_at=clock.now())
    )
    return result.rowcount == 1


async def save_plan_note(
    session: AsyncSession, *, plan_id: uuid.UUID, rationale: str, activity_suggestions: list[dict[str, Any]],
    model: str, offline: bool,
) -> None:
    """Insert or replace the plan's rationale and activity suggestions."""
    values = {"rationale": rationale, "activity_suggestions": activity_suggestions, "model": model,
              "offline": offline}
    stmt = insert(StudyPlanNote).values(study_plan_id=plan_id, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["study_plan_id"], set_=values))


async def get_plan_note(session: AsyncSession, *, plan_id: uuid.UUID) -> StudyPlanNote | None:
    """The plan's prose notes, if any were written."""
    stmt = select(StudyPlanNote).where(StudyPlanNote.study_plan_id == plan_id).execution_options(
        populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()
