"""Every CHECK and FK of the seeds rejects a bad row; deleting a student cascades to everything they own."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from db.models import (
    Attempt,
    AttemptedQuestion,
    CoachingSession,
    ImprovementPlan,
    Question,
    Student,
    StudyPlan,
    Subject,
)


async def _student(session, role: str = "student") -> Student:  # noqa: ANN001
    s = Student(email=f"{uuid.uuid4().hex[:8]}@x.org", display_name="S", role=role)
    session.add(s)
    await session.flush()
    return s


async def _subject(session) -> Subject:  # noqa: ANN001
    subj = Subject(code=uuid.uuid4().hex[:6], name="Economics", level="A")
    session.add(subj)
    await session.flush()
    return subj


async def _rejects(session, obj) -> str:  # noqa: ANN001
    session.add(obj)
    with pytest.raises(IntegrityError) as info:
        await session.flush()
    await session.rollback()
    return str(info.value.orig)


async def test_invalid_outcome_rejected(session) -> None:  # noqa: ANN001
    st = await _student(session)
    msg = await _rejects(session, CoachingSession(student_id=st.id, topic="t", session_transcript=[], outcome="done"))
    assert "valid_outcome" in msg


async def test_coaching_session_requires_existing_student(session) -> None:  # noqa: ANN001
    msg = await _rejects(session, CoachingSession(student_id=uuid.uuid4(), topic="t", session_transcript=[]))
    assert "fk_student" in msg


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("status", "paused", "valid_status"),
        ("hours_per_day", 0.0, "valid_hours_per_day"),
        ("hours_per_day", 24.5, "valid_hours_per_day"),
        ("total_days", 0, "valid_total_days"),
    ],
)
async def test_study_plan_checks(session, field: str, value, constraint: str) -> None:  # noqa: ANN001
    st, subj = await _student(session), await _subject(session)
    plan = dict(
        student_id=st.id, subject_id=subj.id, exam_date=date.today() + timedelta(days=30), total_days=30,
        hours_per_day=2.0, schedule=[], status="active",
    )
    plan[field] = value
    assert constraint in await _rejects(session, StudyPlan(**plan))


async def test_study_plan_subject_fk(session) -> None:  # noqa: ANN001
    st = await _student(session)
    plan = StudyPlan(
        student_id=st.id, subject_id=uuid.uuid4(), exam_date=date.today(), total_days=1, hours_per_day=1, schedule=[]
    )
    assert "fk_subject" in await _rejects(session, plan)


async def _attempt_with_question(session):  # noqa: ANN001, ANN202
    st, subj = await _student(session), await _subject(session)
    q = Question(subject_id=subj.id, ref=f"T-{uuid.uuid4().hex[:6]}", syllabus_point_codes=["x"], kind="define",
                 text="Define x", max_marks=2, mark_scheme={})
    session.add(q)
    att = Attempt(student_id=st.id, subject_id=subj.id, total_max_marks=2)
    session.add(att)
    await session.flush()
    return st, subj, q, att


async def test_confidence_score_range_and_reviewer_fk(session) -> None:  # noqa: ANN001
    _, _, q, att = await _attempt_with_question(session)
    msg = await _rejects(session, AttemptedQuestion(attempt_id=att.id, question_id=q.id, answer="a", confidence_score=101))
    assert "valid_confidence_score" in msg
    _, _, q, att = await _attempt_with_question(session)
    msg = await _rejects(session, AttemptedQuestion(attempt_id=att.id, question_id=q.id, answer="a", reviewed_by=uuid.uuid4()))
    assert "fk_attempted_questions_reviewed_by" in msg


async def test_improvement_plan_requires_attempt(session) -> None:  # noqa: ANN001
    st = await _student(session)
    msg = await _rejects(session, ImprovementPlan(student_id=st.id, attempt_id=uuid.uuid4(), weaknesses={}, action_items=[]))
    assert "fk_attempt" in msg


async def test_defaults_match_the_seed(session) -> None:  # noqa: ANN001
    st = await _student(session)
    sid = (await session.execute(text(
        "INSERT INTO coaching_sessions (student_id, topic, session_transcript) VALUES (:s, 't', '[]') RETURNING id"
    ), {"s": st.id})).scalar_one()
    row = (await session.execute(text("SELECT outcome, created_at, updated_at FROM coaching_sessions WHERE id=:i"),
                                 {"i": sid})).one()
    assert row.outcome == "in_progress" and row.created_at is not None and row.updated_at is not None


async def test_deleting_a_student_cascades(session) -> None:  # noqa: ANN001
    st, subj, q, att = await _attempt_with_question(session)
    session.add_all([
        CoachingSession(student_id=st.id, topic="t", session_transcript=[]),
        StudyPlan(student_id=st.id, subject_id=subj.id, exam_date=date.today(), total_days=1, hours_per_day=1, schedule=[]),
        ImprovementPlan(student_id=st.id, attempt_id=att.id, weaknesses={}, action_items=[]),
        AttemptedQuestion(attempt_id=att.id, question_id=q.id, answer="a"),
    ])
    await session.commit()
    await session.execute(text("DELETE FROM students WHERE id = :i"), {"i": st.id})
    await session.commit()
    for model in (CoachingSession, StudyPlan, ImprovementPlan, Attempt):
        n = (await session.execute(select(func.count()).select_from(model).where(model.student_id == st.id))).scalar()
        assert n == 0, model.__name__
    n = (await session.execute(select(func.count()).select_from(AttemptedQuestion))).scalar()
    assert n == 0
