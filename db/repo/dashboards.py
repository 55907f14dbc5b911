"""Read-only queries behind the student home and the teacher's views: a student's plans, attempts and
improvement plans; marks per (syllabus point, student) for a heatmap; coaching outcomes per point; the
answers behind one cell; sessions a teacher should look at."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import any_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Attempt,
    AttemptedQuestion,
    CoachingSession,
    ImprovementPlan,
    Question,
    Student,
    StudyPlan,
)


async def student_study_plans(db: AsyncSession, *, student_id: uuid.UUID, limit: int = 20) -> list[StudyPlan]:
    """The student's study plans, newest first."""
    stmt = (select(StudyPlan).where(StudyPlan.student_id == student_id)
            .order_by(StudyPlan.created_at.desc(), StudyPlan.id).limit(limit))
    return list((await db.execute(stmt)).scalars())


async def student_attempts(db: AsyncSession, *, student_id: uuid.UUID, limit: int = 10) -> list[Attempt]:
    """The student's attempts, newest first."""
    stmt = (select(Attempt).where(Attempt.student_id == student_id)
            .order_by(Attempt.created_at.desc(), Attempt.id).limit(limit))
    return list((await db.execute(stmt)).scalars())


async def student_improvement_plans(db: AsyncSession, *, student_id: uuid.UUID,
                                    limit: int = 5) -> list[ImprovementPlan]:
    """The student's improvement plans, newest first."""
    stmt = (select(ImprovementPlan).where(ImprovementPlan.student_id == student_id)
            .order_by(ImprovementPlan.created_at.desc(), ImprovementPlan.id).limit(limit))
    return list((await db.execute(stmt)).scalars())


@dataclass(frozen=True)
class MarkCell:
    code: str
    student_id: uuid.UUID
    marks: int
    max_marks: int
    answers: int


async def marks_by_point_and_student(db: AsyncSession, *, student_ids: list[uuid.UUID],
                                     since: datetime) -> list[MarkCell]:
    """Sum of marks, of maximum marks and the number of marked answers per (syllabus point, student), for
    answers marked since `since` (a question on two points counts for both)."""
    if not student_ids:
        return []
    code = func.unnest(Question.syllabus_point_codes).label("code")
    inner = (select(code, Attempt.student_id, AttemptedQuestion.marks_awarded, Question.max_marks)
             .join(Attempt, Attempt.id == AttemptedQuestion.attempt_id)
             .join(Question, Question.id == AttemptedQuestion.question_id)
             .where(Attempt.student_id.in_(student_ids), AttemptedQuestion.marks_awarded.is_not(None),
                    AttemptedQuestion.marked_at >= since)).subquery()
    stmt = (select(inner.c.code, inner.c.student_id, func.sum(inner.c.marks_awarded), func.sum(inner.c.max_marks),
                   func.count()).group_by(inner.c.code, inner.c.student_id))
    return [MarkCell(c, s, int(m), int(mx), int(n)) for c, s, m, mx, n in (await db.execute(stmt)).all()]


async def outcomes_by_point(db: AsyncSession, *, student_ids: list[uuid.UUID],
                            since: datetime) -> dict[str, dict[str, int]]:
    """Coaching sessions per syllabus point and outcome since `since`."""
    if not student_ids:
        return {}
    stmt = (select(CoachingSession.syllabus_point_code, CoachingSession.outcome, func.count())
            .where(CoachingSession.student_id.in_(student_ids), CoachingSession.syllabus_point_code.is_not(None),
                   CoachingSession.created_at >= since)
            .group_by(CoachingSession.syllabus_point_code, CoachingSession.outcome))
    out: dict[str, dict[str, int]] = {}
    for point, outcome, n in (await db.execute(stmt)).all():
        out.setdefault(point, {})[outcome] = int(n)
    return out


@dataclass(frozen=True)
class CellAnswer:
    attempt_id: uuid.UUID
    answer_id: uuid.UUID
    student_id: uuid.UUID
    student_name: str
    question_ref: str
    marks: int
    max_marks: int
    marked_at: datetime | None
    needs_review: bool


async def answers_for_point(db: AsyncSession, *, student_ids: list[uuid.UUID], code: str,
                            since: datetime, limit: int = 200) -> list[CellAnswer]:
    """The marked answers behind one heatmap cell, newest first."""
    if not student_ids:
        return []
    stmt = (select(Attempt.id, AttemptedQuestion.id, Student.id, Student.display_name, Question.ref,
                   AttemptedQuestion.marks_awarded, Question.max_marks, AttemptedQuestion.marked_at,
                   AttemptedQuestion.needs_review)
            .join(Attempt, Attempt.id == AttemptedQuestion.attempt_id)
            .join(Question, Question.id == AttemptedQuestion.question_id)
            .join(Student, Student.id == Attempt.student_id)
            .where(Attempt.student_id.in_(student_ids), AttemptedQuestion.marks_awarded.is_not(None),
                   AttemptedQuestion.marked_at >= since, code == any_(Question.syllabus_point_codes))
            .order_by(AttemptedQuestion.marked_at.desc().nulls_last(), AttemptedQuestion.id).limit(limit))
    return [CellAnswer(*row) for row in (await db.execute(stmt)).all()]


async def sessions_to_check(db: AsyncSession, *, student_ids: list[uuid.UUID],
                            limit: int = 200) -> list[tuple[CoachingSession, Student]]:
    """Sessions that may need a teacher: referred, needing more help, or any whose transcript the caller
    will scan for injection attempts or guarded replies (only sessions with student messages), newest first."""
    if not student_ids:
        return []
    stmt = (select(CoachingSession, Student).join(Student, Student.id == CoachingSession.student_id)
            .where(CoachingSession.student_id.in_(student_ids),
                   or_(CoachingSession.outcome.in_(("refer_to_teacher", "needs_more_help")),
                       func.jsonb_array_length(CoachingSession.session_transcript) > 0))
            .order_by(CoachingSession.updated_at.desc(), CoachingSession.id).limit(limit))
    return [(cs, s) for cs, s in (await db.execute(stmt)).all()]


async def list_questions(db: AsyncSession) -> list[Question]:
    """Every question of the bank, by reference."""
    return list((await db.execute(select(Question).order_by(Question.ref))).scalars())
