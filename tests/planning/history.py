"""Building a student's tutoring history for bridge and efficiency tests: accounts, a class, marked answers
and closed sessions, with back-dated timestamps, all written through the real feedback functions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CoachingSession, Question
from db.repo.accounts import add_class_member, create_account, create_class
from db.repo.curriculum import get_subject_by_code
from tools.feedback import on_answer_marked, on_session_closed


async def make_student(db: AsyncSession, name: str = "Sam") -> uuid.UUID:
    """A student account."""
    acct = await create_account(db, email=f"{name.lower()}-{uuid.uuid4().hex[:6]}@x.org", display_name=name,
                                role="student")
    return acct.id


async def make_class(db: AsyncSession, *, student_ids: list[uuid.UUID]) -> tuple[uuid.UUID, uuid.UUID]:
    """A teacher and a 9708 class holding the students; returns (teacher id, class id)."""
    teacher = await create_account(db, email=f"t-{uuid.uuid4().hex[:6]}@x.org", display_name="Ms T",
                                   role="teacher")
    subject = await get_subject_by_code(db, code="9708")
    klass = await create_class(db, name="A2", subject_id=subject.id, teacher_id=teacher.id)
    for sid in student_ids:
        await add_class_member(db, class_id=klass.id, student_id=sid)
    return teacher.id, klass.id


async def question_on(db: AsyncSession, code: str) -> Question:
    """A bundled question covering `code` (the one with the fewest points, so scores stay focused)."""
    rows = (await db.execute(select(Question).where(Question.syllabus_point_codes.contains([code])))).scalars().all()
    assert rows, f"the curriculum has no question on {code}"
    return min(rows, key=lambda q: (len(q.syllabus_point_codes), q.ref))


async def mark(db: AsyncSession, *, student_id: uuid.UUID, question: Question, marks: int, at: datetime,
               answer_id: uuid.UUID | None = None, manual_by: uuid.UUID | None = None) -> uuid.UUID:
    """One marked answer (an attempted-question id is all the bridge keys on)."""
    answer_id = answer_id or uuid.uuid4()
    await on_answer_marked(
        db, attempted_question_id=answer_id, student_id=student_id, question_id=question.id, marks_awarded=marks,
        max_marks=question.max_marks, syllabus_point_codes=list(question.syllabus_point_codes), marked_at=at,
        manually_scored=manual_by is not None, scorer_id=str(manual_by) if manual_by else None,
    )
    return answer_id


async def coached(db: AsyncSession, *, student_id: uuid.UUID, code: str | None, outcome: str, at: datetime,
                  closed_by: uuid.UUID | None = None) -> uuid.UUID:
    """A coaching session on `code` that closed at `at` with `outcome`."""
    cs = CoachingSession(student_id=student_id, topic=code or "general", syllabus_point_code=code,
                         session_transcript=[], outcome=outcome, created_at=at, updated_at=at)
    db.add(cs)
    await db.flush()
    await on_session_closed(db, session_id=cs.id, student_id=student_id, syllabus_point_code=code, outcome=outcome,
                            closed_at=at, closed_by=closed_by)
    return cs.id
