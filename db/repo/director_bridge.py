"""Writes of the analytics bridge (DESIGN.md §3.3) into the `director` schema: scorecards and scores for
marked answers, coaching sessions for closed tutoring sessions, coaching plans and targets for improvement
plans; plus the tenancy lookup (the student's class in a subject = `usecase_id`).

Ids are chosen by the caller (ULIDs). Every write is idempotent: a scorecard is keyed by its conversation, a
session by its id (insert-if-absent), a plan by its id (replaced when its improvement plan is rebuilt).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    AttemptedQuestion,
    Class,
    ClassMember,
    DirectorCoachingPlan,
    DirectorCoachingSession,
    DirectorScore,
    DirectorScorecard,
    DirectorTarget,
    Question,
)


@dataclass(frozen=True)
class Tenancy:
    """Where a student's analytics rows live: customer (organisation), profile (subject code), usecase."""

    customer: str
    profile: str
    usecase_id: str | None


async def class_of_student(session: AsyncSession, *, student_id: uuid.UUID, subject_id: uuid.UUID) -> uuid.UUID | None:
    """The student's class in this subject — the first by creation — or None when they are in none."""
    stmt = (
        select(Class.id)
        .join(ClassMember, ClassMember.class_id == Class.id)
        .where(ClassMember.student_id == student_id, Class.subject_id == subject_id)
        .order_by(Class.created_at, Class.id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def upsert_answer_scorecard(
    session: AsyncSession, *, tenancy: Tenancy, new_id: str, template_id: str, template_revision: str,
    conversation_id: str, agent_user_id: str, creator_user_id: str, submitter_user_id: str | None,
    submitted_at: datetime, ai_scored_at: datetime | None, manually_scored: bool, score: float,
    criterion_values: dict[str, float], score_ids: dict[str, str],
) -> str:
    """Write the scorecard of one marked answer and its per-criterion scores; returns the scorecard id.

    A second call for the same conversation (a human re-mark) updates that scorecard in place and replaces
    its scores; a criterion's earlier AI value is kept in `ai_value`, and `ai_scored_at` keeps the AI's time.
    """
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))").bindparams(key=f"scorecard:{conversation_id}")
    )
    existing = (await session.execute(
        select(DirectorScorecard).where(
            DirectorScorecard.customer == tenancy.customer, DirectorScorecard.profile == tenancy.profile,
            DirectorScorecard.template_id == template_id, DirectorScorecard.conversation_id == conversation_id,
        ).with_for_update().execution_options(populate_existing=True)
    )).scalar_one_or_none()
    previous_ai: dict[str, float | None] = {}
    if existing is None:
        card = DirectorScorecard(
            resource_id=new_id, customer=tenancy.customer, profile=tenancy.profile,
            conversation_id=conversation_id, agent_user_id=agent_user_id, template_id=template_id,
            template_revision=template_revision, creator_user_id=creator_user_id,
            submitter_user_id=submitter_user_id, submitted_at=submitted_at, score=score,
            ai_scored_at=ai_scored_at, manually_scored=manually_scored, usecase_id=tenancy.usecase_id,
        )
        session.add(card)
        await session.flush()
    else:
        card = existing
        old_scores = (await session.execute(
            select(DirectorScore).where(DirectorScore.scorecard_id == card.resource_id))).scalars()
        previous_ai = {s.criterion_identifier: (s.ai_value if s.ai_value is not None else
                                                (s.numeric_value if s.ai_scored else None)) for s in old_scores}
        await session.execute(delete(DirectorScore).where(DirectorScore.scorecard_id == card.resource_id))
        card.template_revision = template_revision
        card.submitter_user_id = submitter_user_id
        card.submitted_at = submitted_at
        card.score = score
        card.ai_scored_at = card.ai_scored_at or ai_scored_at
        card.manually_scored = manually_scored
        card.usecase_id = tenancy.usecase_id
        await session.flush()
    for code, value in criterion_values.items():
        session.add(DirectorScore(
            resource_id=score_ids[code], customer=tenancy.customer, profile=tenancy.profile,
            scorecard_id=card.resource_id, criterion_identifier=code, numeric_value=value,
            ai_value=value if not manually_scored else previous_ai.get(code),
            not_applicable=False, ai_scored=not manually_scored, auto_failed=False, usecase_id=tenancy.usecase_id,
        ))
    await session.flush()
    return card.resource_id


async def insert_coaching_session(
    session: AsyncSession, *, resource_id: str, tenancy: Tenancy, agent_user_id: str,
    manager_submitter_user_id: str, focus_criteria_ids: list[str], session_at: datetime,
    manager_submitted_at: datetime, coaching_plan_id: str | None = None,
) -> bool:
    """Insert a submitted director coaching session; False if one with this id already exists."""
    stmt = insert(DirectorCoachingSession).values(
        resource_id=resource_id, customer=tenancy.customer, profile=tenancy.profile, agent_user_id=agent_user_id,
        manager_submitter_user_id=manager_submitter_user_id, coaching_plan_id=coaching_plan_id,
        focus_criteria_ids=focus_criteria_ids, session_at=session_at, manager_submitted_at=manager_submitted_at,
        usecase_id=tenancy.usecase_id,
    ).on_conflict_do_nothing(index_elements=["resource_id"])
    return (await session.execute(stmt)).rowcount == 1


async def upsert_coaching_plan(
    session: AsyncSession, *, resource_id: str, tenancy: Tenancy, agent_user_id: str, creator_user_id: str,
    focus_criteria_ids: list[str], start_date: date, end_date: date | None, targets: list[dict[str, Any]],
) -> None:
    """Insert a director coaching plan with its targets (`{target_id, scorecard_template_id,
    criterion_or_chapter_id, target, qa_score}`), or — when the plan exists (its improvement plan was
    rebuilt after a review) — replace its focus, dates and targets."""
    values: dict[str, Any] = {
        "customer": tenancy.customer, "profile": tenancy.profile, "agent_user_id": agent_user_id,
        "creator_user_id": creator_user_id, "focus_criteria_ids": focus_criteria_ids, "focus_behaviors": [],
        "start_date": start_date, "end_date": end_date, "is_active": True, "usecase_id": tenancy.usecase_id,
    }
    stmt = insert(DirectorCoachingPlan).values(resource_id=resource_id, **values)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["resource_id"],
        set_={k: values[k] for k in ("focus_criteria_ids", "start_date", "end_date", "usecase_id")}))
    await session.execute(delete(DirectorTarget).where(DirectorTarget.coaching_plan_id == resource_id))
    for t in targets:
        session.add(DirectorTarget(
            customer=tenancy.customer, profile=tenancy.profile, coaching_plan_id=resource_id,
            usecase_id=tenancy.usecase_id, **t,
        ))
    await session.flush()


async def attempt_point_fractions(session: AsyncSession, *, attempt_id: uuid.UUID) -> dict[str, float]:
    """Mean fraction of marks per syllabus point over an attempt's marked answers."""
    stmt = (
        select(AttemptedQuestion.marks_awarded, Question.max_marks, Question.syllabus_point_codes)
        .join(Question, Question.id == AttemptedQuestion.question_id)
        .where(AttemptedQuestion.attempt_id == attempt_id, AttemptedQuestion.marks_awarded.is_not(None))
    )
    totals: dict[str, list[float]] = {}
    for marks, max_marks, codes in (await session.execute(stmt)).all():
        for code in codes:
            totals.setdefault(code, []).append(marks / max_marks)
    return {code: sum(v) / len(v) for code, v in totals.items()}
