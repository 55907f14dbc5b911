"""Attempts and attempted questions: store answers, record marks and reviews, keep the attempt's totals."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Attempt, AttemptedQuestion, Question


async def create_attempt(
    session: AsyncSession, *, student_id: uuid.UUID, subject_id: uuid.UUID, answers: list[tuple[uuid.UUID, str]],
    max_marks: int,
) -> Attempt:
    """Insert an attempt in `marking` with one attempted question per (question_id, answer), in order."""
    attempt = Attempt(student_id=student_id, subject_id=subject_id, status="marking", total_max_marks=max_marks)
    session.add(attempt)
    await session.flush()
    for position, (question_id, answer) in enumerate(answers):
        session.add(AttemptedQuestion(attempt_id=attempt.id, question_id=question_id, position=position,
                                      answer=answer))
    await session.flush()
    return attempt


async def get_attempt(session: AsyncSession, *, attempt_id: uuid.UUID, for_update: bool = False) -> Attempt | None:
    """The attempt, freshly read (optionally locked for the rest of the transaction)."""
    stmt = select(Attempt).where(Attempt.id == attempt_id).execution_options(populate_existing=True)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_answers(session: AsyncSession, *, attempt_id: uuid.UUID) -> list[AttemptedQuestion]:
    """The attempt's answers in the order they were submitted."""
    stmt = (
        select(AttemptedQuestion).where(AttemptedQuestion.attempt_id == attempt_id)
        .order_by(AttemptedQuestion.position).execution_options(populate_existing=True)
    )
    return list((await session.execute(stmt)).scalars())


async def list_answers_with_questions(
    session: AsyncSession, *, attempt_id: uuid.UUID
) -> list[tuple[AttemptedQuestion, Question]]:
    """The attempt's answers, each with its question, in submission order."""
    stmt = (
        select(AttemptedQuestion, Question).join(Question, Question.id == AttemptedQuestion.question_id)
        .where(AttemptedQuestion.attempt_id == attempt_id).order_by(AttemptedQuestion.position)
        .execution_options(populate_existing=True)
    )
    return [(aq, q) for aq, q in (await session.execute(stmt)).all()]


async def get_answer(
    session: AsyncSession, *, attempted_question_id: uuid.UUID, for_update: bool = False
) -> AttemptedQuestion | None:
    """One attempted question, freshly read (optionally locked)."""
    stmt = (
        select(AttemptedQuestion).where(AttemptedQuestion.id == attempted_question_id)
        .execution_options(populate_existing=True)
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def record_marking(
    session: AsyncSession, *, attempted_question_id: uuid.UUID, marks_awarded: int, max_marks: int,
    marking_feedback: dict[str, Any], confidence_score: int, needs_review: bool, marked_at: datetime,
) -> AttemptedQuestion:
    """Store a mark, its feedback and the confidence gate's verdict on an answer."""
    if not 0 <= marks_awarded <= max_marks:
        raise ValueError(f"marks_awarded: {marks_awarded} is outside 0..{max_marks}")
    if not 0 <= confidence_score <= 100:
        raise ValueError(f"confidence_score: {confidence_score} is outside 0..100")
    aq = await get_answer(session, attempted_question_id=attempted_question_id, for_update=True)
    if aq is None:
        raise LookupError(f"attempted question {attempted_question_id} does not exist")
    aq.marks_awarded = marks_awarded
    aq.marking_feedback = marking_feedback
    aq.confidence_score = confidence_score
    aq.needs_review = needs_review
    aq.marked_at = marked_at
    await session.flush()
    return aq


async def record_review(
    session: AsyncSession, *, attempted_question_id: uuid.UUID, marks_awarded: int, max_marks: int,
    review: dict[str, Any], confidence_score: int | None, reviewed_by: uuid.UUID | None,
    reviewed_at: datetime | None,
) -> AttemptedQuestion:
    """Settle a queued answer: the decided mark, `review` added to its feedback, `needs_review` cleared.

    A human review sets `reviewed_by`/`reviewed_at`; the Reviewer agent (no account) leaves them empty and
    is named in `marking_feedback.review.by`.
    """
    if not 0 <= marks_awarded <= max_marks:
        raise ValueError(f"marks_awarded: {marks_awarded} is outside 0..{max_marks}")
    aq = await get_answer(session, attempted_question_id=attempted_question_id, for_update=True)
    if aq is None:
        raise LookupError(f"attempted question {attempted_question_id} does not exist")
    feedback = dict(aq.marking_feedback or {})
    feedback["review"] = review
    aq.marking_feedback = feedback
    aq.marks_awarded = marks_awarded
    if confidence_score is not None:
        aq.confidence_score = confidence_score
    aq.needs_review = False
    aq.reviewed_by = reviewed_by
    aq.reviewed_at = reviewed_at
    await session.flush()
    return aq


async def add_feedback_entry(
    session: AsyncSession, *, attempted_question_id: uuid.UUID, key: str, value: Any
) -> None:
    """Set one key of an answer's `marking_feedback` (e.g. the Reviewer's second marking)."""
    aq = await get_answer(session, attempted_question_id=attempted_question_id, for_update=True)
    if aq is None:
        raise LookupError(f"attempted question {attempted_question_id} does not exist")
    aq.marking_feedback = {**(aq.marking_feedback or {}), key: value}
    await session.flush()


async def refresh_attempt_totals(session: AsyncSession, *, attempt_id: uuid.UUID, marked_at: datetime) -> Attempt:
    """Recompute the attempt's total and status from its answers.

    Status: `awaiting_review` while any answer is queued for a human; otherwise `reviewed` if any answer was
    reviewed (by the Reviewer agent or a person), else `marked`; `marking` while an answer has no mark yet.
    """
    attempt = await get_attempt(session, attempt_id=attempt_id, for_update=True)
    if attempt is None:
        raise LookupError(f"attempt {attempt_id} does not exist")
    answers = await list_answers(session, attempt_id=attempt_id)
    if any(a.marks_awarded is None for a in answers):
        attempt.status = "marking"
    elif any(a.needs_review for a in answers):
        attempt.status = "awaiting_review"
    elif any((a.marking_feedback or {}).get("review") for a in answers):
        attempt.status = "reviewed"
    else:
        attempt.status = "marked"
    attempt.total_marks_awarded = sum(a.marks_awarded or 0 for a in answers)
    if attempt.status != "marking":
        attempt.marked_at = attempt.marked_at or marked_at
    await session.flush()
    return attempt
