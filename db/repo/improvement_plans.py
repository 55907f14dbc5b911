"""Improvement plans: one per attempt, rebuilt after a review (progress kept), progress per action item."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ImprovementPlan

AO_KEYS = ("AO1", "AO2", "AO3")
SEVERITIES = ("low", "medium", "high")


def check_weaknesses(weaknesses: dict[str, Any]) -> None:
    """The seed's rule: keys exactly AO1/AO2/AO3, each a list of {category, examples, severity, syllabus_points}."""
    if set(weaknesses) != set(AO_KEYS):
        raise ValueError(f"weaknesses: keys must be exactly AO1, AO2, AO3, not {sorted(weaknesses)}")
    for ao, items in weaknesses.items():
        if not isinstance(items, list):
            raise ValueError(f"weaknesses.{ao}: must be a list")
        for index, item in enumerate(items):
            if item.get("severity") not in SEVERITIES:
                raise ValueError(f"weaknesses.{ao}[{index}].severity: must be one of low, medium, high")
            if not item.get("category") or not isinstance(item.get("examples"), list):
                raise ValueError(f"weaknesses.{ao}[{index}]: needs a category and a list of examples")


async def get_plan(session: AsyncSession, *, plan_id: uuid.UUID, for_update: bool = False) -> ImprovementPlan | None:
    """The plan, freshly read (optionally locked)."""
    stmt = select(ImprovementPlan).where(ImprovementPlan.id == plan_id).execution_options(populate_existing=True)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_plan_for_attempt(session: AsyncSession, *, attempt_id: uuid.UUID) -> ImprovementPlan | None:
    """The attempt's plan (the newest, should there ever be more than one)."""
    stmt = (
        select(ImprovementPlan).where(ImprovementPlan.attempt_id == attempt_id)
        .order_by(ImprovementPlan.created_at.desc()).limit(1).execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def save_plan_for_attempt(
    session: AsyncSession, *, student_id: uuid.UUID, attempt_id: uuid.UUID, weaknesses: dict[str, Any],
    action_items: list[dict[str, Any]],
) -> ImprovementPlan:
    """Create the attempt's plan, or replace its weaknesses and actions keeping recorded progress.

    An action item whose id already has progress keeps its `completed` flag; progress for ids that no
    longer exist is kept too (history is never thrown away). The caller serialises calls per attempt.
    """
    check_weaknesses(weaknesses)
    plan = await get_plan_for_attempt(session, attempt_id=attempt_id)
    if plan is None:
        plan = ImprovementPlan(student_id=student_id, attempt_id=attempt_id, weaknesses=weaknesses,
                               action_items=action_items, progress={})
        session.add(plan)
        await session.flush()
        return plan
    progress = plan.progress or {}
    plan.weaknesses = weaknesses
    plan.action_items = [
        {**item, "completed": bool((progress.get(item["id"]) or {}).get("completed")) or item.get("completed", False)}
        for item in action_items
    ]
    await session.flush()
    return plan


async def record_progress(
    session: AsyncSession, *, plan_id: uuid.UUID, action_id: str, entry: dict[str, Any]
) -> ImprovementPlan:
    """Record progress on one action item (`{started, completed, notes}`); a completion date marks it done."""
    plan = await get_plan(session, plan_id=plan_id, for_update=True)
    if plan is None:
        raise LookupError(f"improvement plan {plan_id} does not exist")
    ids = [item["id"] for item in plan.action_items]
    if action_id not in ids:
        raise KeyError(f"action_id: {action_id!r} is not an action item of this plan ({', '.join(ids)})")
    plan.progress = {**(plan.progress or {}), action_id: entry}
    plan.action_items = [
        {**item, "completed": entry.get("completed") is not None} if item["id"] == action_id else item
        for item in plan.action_items
    ]
    await session.flush()
    return plan


async def plan_resources(
    session: AsyncSession, *, subject_id: uuid.UUID, codes: list[str]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Titles of these syllabus points and, per point, the refs of the subject's questions that cover it."""
    from db.models import Question, SyllabusPoint

    if not codes:
        return {}, {}
    titles = dict((await session.execute(
        select(SyllabusPoint.code, SyllabusPoint.title).where(SyllabusPoint.code.in_(codes)))).all())
    rows = (await session.execute(
        select(Question.ref, Question.syllabus_point_codes).where(
            Question.subject_id == subject_id, Question.syllabus_point_codes.overlap(codes)
        ).order_by(Question.ref))).all()
    practice: dict[str, list[str]] = {code: [] for code in codes}
    for ref, question_codes in rows:
        for code in question_codes:
            if code in practice:
                practice[code].append(ref)
    return titles, practice
