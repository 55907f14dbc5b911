"""The review queue: answers the confidence gate flagged (`needs_review`) and nobody has reviewed yet."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Attempt, AttemptedQuestion, Question, Student


@dataclass(frozen=True)
class QueuedAnswer:
    """One queue entry: the answer, its attempt, question and student."""

    answer: AttemptedQuestion
    attempt: Attempt
    question: Question
    student: Student


def _in_queue() -> tuple[Any, Any]:
    """The queue's definition (DESIGN.md §4.2): flagged and not yet reviewed by a person."""
    return AttemptedQuestion.needs_review.is_(True), AttemptedQuestion.reviewed_at.is_(None)


async def list_review_queue(
    session: AsyncSession, *, student_ids: list[uuid.UUID] | None, limit: int, offset: int
) -> tuple[list[QueuedAnswer], int]:
    """Queued answers of these students (None = everyone), oldest first, with the total count."""
    conds = [*_in_queue()]
    if student_ids is not None:
        conds.append(Attempt.student_id.in_(student_ids))
    base = (
        select(AttemptedQuestion, Attempt, Question, Student)
        .join(Attempt, Attempt.id == AttemptedQuestion.attempt_id)
        .join(Question, Question.id == AttemptedQuestion.question_id)
        .join(Student, Student.id == Attempt.student_id)
        .where(*conds)
    )
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    stmt = (
        base.order_by(func.coalesce(AttemptedQuestion.marked_at, AttemptedQuestion.created_at),
                      AttemptedQuestion.created_at, AttemptedQuestion.id)
        .limit(limit).offset(offset)
    )
    rows = (await session.execute(stmt)).all()
    return [QueuedAnswer(aq, attempt, question, student) for aq, attempt, question, student in rows], int(total)


async def is_queued(session: AsyncSession, *, attempted_question_id: uuid.UUID) -> bool:
    """True when the answer is in the queue (flagged and not yet reviewed)."""
    stmt = select(func.count()).select_from(AttemptedQuestion).where(
        AttemptedQuestion.id == attempted_question_id, *_in_queue())
    return bool((await session.execute(stmt)).scalar_one())


async def get_answer_context(
    session: AsyncSession, *, attempted_question_id: uuid.UUID
) -> QueuedAnswer | None:
    """An answer with its attempt, question and student, whether or not it is queued."""
    stmt = (
        select(AttemptedQuestion, Attempt, Question, Student)
        .join(Attempt, Attempt.id == AttemptedQuestion.attempt_id)
        .join(Question, Question.id == AttemptedQuestion.question_id)
        .join(Student, Student.id == Attempt.student_id)
        .where(AttemptedQuestion.id == attempted_question_id)
        .execution_options(populate_existing=True)
    )
    row = (await session.execute(stmt)).first()
    return QueuedAnswer(*row) if row else None
