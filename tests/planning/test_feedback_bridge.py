"""The SM-2 feedback loop and the analytics bridge on real Postgres: marked answers, human re-marks, closed
coaching sessions and improvement plans become topic states and director rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from db.models import (
    Attempt,
    AttemptedQuestion,
    CoachingSession,
    DirectorCoachingPlan,
    DirectorCoachingSession,
    DirectorScore,
    DirectorScorecard,
    DirectorTarget,
    ImprovementPlan,
)
from db.repo.director_templates import get_template
from db.repo.topic_states import get_topic_states
from tests.planning.history import coached, make_class, make_student, mark, question_on
from tools.coaching_close import close_session
from tools.feedback import on_answer_marked, on_improvement_plan
from tools.tenancy import organisation

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ORG = organisation()


async def _count(db, model, *conds) -> int:
    return (await db.execute(select(func.count()).select_from(model).where(*conds))).scalar_one()


async def test_marked_answer_lowers_ef_and_writes_a_scorecard_with_one_score_per_point(session) -> None:
    student = await make_student(session)
    _, class_id = await make_class(session, student_ids=[student])
    q = await question_on(session, "9708.2.2")
    answer = await mark(session, student_id=student, question=q, marks=round(q.max_marks * 0.2), at=T0)
    await session.commit()

    fraction = round(q.max_marks * 0.2) / q.max_marks
    states = await get_topic_states(session, student_id=student)
    assert set(states) == set(q.syllabus_point_codes)
    s = states["9708.2.2"]
    assert (s.ef, s.interval_days, s.repetitions, s.last_quality) == (1.96, 1, 0, 1)  # q=1: EF 2.5 → 1.96

    card = (await session.execute(select(DirectorScorecard))).scalar_one()
    template = await get_template(session, customer=ORG, profile="9708")
    assert (card.customer, card.profile, card.template_id) == (ORG, "9708", template.resource_id)
    assert card.conversation_id == str(answer) and card.agent_user_id == str(student)
    assert card.usecase_id == str(class_id)
    assert card.submitted_at == T0 and card.ai_scored_at == T0 and card.manually_scored is False
    assert card.score == pytest.approx(fraction, abs=1e-4)
    assert len(card.resource_id) == 26  # a ULID
    scores = (await session.execute(select(DirectorScore))).scalars().all()
    assert sorted(x.criterion_identifier for x in scores) == sorted(q.syllabus_point_codes)
    assert all(x.numeric_value == pytest.approx(fraction, abs=1e-4) and x.ai_scored for x in scores)


async def test_a_human_remark_updates_the_same_scorecard_and_does_not_count_twice(session) -> None:
    student = await make_student(session)
    teacher, _ = await make_class(session, student_ids=[student])
    q = await question_on(session, "9708.2.2")
    answer = await mark(session, student_id=student, question=q, marks=0, at=T0)
    await mark(session, student_id=student, question=q, marks=q.max_marks, at=T0 + timedelta(hours=5),
               answer_id=answer, manual_by=teacher)
    await mark(session, student_id=student, question=q, marks=q.max_marks, at=T0 + timedelta(hours=6),
               answer_id=answer, manual_by=teacher)  # the same decision delivered twice
    await session.commit()

    assert await _count(session, DirectorScorecard) == 1
    card = (await session.execute(select(DirectorScorecard))).scalar_one()
    assert card.manually_scored is True and card.score == 1.0
    assert card.ai_scored_at == T0  # when the AI marked it, kept through the re-mark
    assert card.submitter_user_id == str(teacher)
    scores = (await session.execute(select(DirectorScore))).scalars().all()
    assert len(scores) == len(q.syllabus_point_codes)
    assert all(x.numeric_value == 1.0 and x.ai_value == 0.0 and x.ai_scored is False for x in scores)
    # One event with the corrected grade 5, not a 0 followed by two 5s.
    s = (await get_topic_states(session, student_id=student))["9708.2.2"]
    assert (s.ef, s.repetitions, s.interval_days, s.last_quality) == (2.5, 1, 1, 5)


async def test_marks_outside_the_question_range_are_refused_and_write_nothing(session) -> None:
    student = await make_student(session)
    q = await question_on(session, "9708.2.2")
    with pytest.raises(ValueError, match="marks_awarded"):
        await on_answer_marked(session, attempted_question_id=uuid.uuid4(), student_id=student, question_id=q.id,
                               marks_awarded=q.max_marks + 1, max_marks=q.max_marks,
                               syllabus_point_codes=list(q.syllabus_point_codes), marked_at=T0,
                               manually_scored=False, scorer_id=None)
    assert await get_topic_states(session, student_id=student) == {}
    assert await _count(session, DirectorScorecard) == 0


async def test_closing_a_session_grades_its_topic_and_submits_a_director_session(session) -> None:
    student = await make_student(session)
    teacher, class_id = await make_class(session, student_ids=[student])
    ai_session = CoachingSession(student_id=student, topic="elasticity", syllabus_point_code="9708.2.2",
                                 session_transcript=[])
    teacher_session = CoachingSession(student_id=student, topic="surplus", syllabus_point_code="9708.2.6",
                                      session_transcript=[])
    session.add_all([ai_session, teacher_session])
    await session.commit()

    assert await close_session(session, session_id=ai_session.id, outcome="resolved") is True
    assert await close_session(session, session_id=teacher_session.id, outcome="refer_to_teacher",
                               closed_by=teacher) is True
    assert await close_session(session, session_id=ai_session.id, outcome="needs_more_help") is False
    await session.commit()

    states = await get_topic_states(session, student_id=student)
    assert (states["9708.2.2"].last_quality, states["9708.2.2"].repetitions) == (4, 1)  # resolved → 4
    assert (states["9708.2.6"].last_quality, states["9708.2.6"].ef) == (1, 1.96)  # refer_to_teacher → 1

    template = await get_template(session, customer=ORG, profile="9708")
    rows = {r.focus_criteria_ids[0]: r for r in (await session.execute(select(DirectorCoachingSession))).scalars()}
    assert set(rows) == {f"{template.resource_id}/9708.2.2", f"{template.resource_id}/9708.2.6"}
    ai_row = rows[f"{template.resource_id}/9708.2.2"]
    closed = await session.get(CoachingSession, ai_session.id)
    assert ai_row.manager_submitter_user_id == "coach-agent"
    assert ai_row.agent_user_id == str(student) and ai_row.usecase_id == str(class_id)
    assert ai_row.session_at == closed.updated_at == ai_row.manager_submitted_at
    assert rows[f"{template.resource_id}/9708.2.6"].manager_submitter_user_id == str(teacher)


async def test_a_session_with_no_syllabus_point_grades_nothing(session) -> None:
    student = await make_student(session)
    await coached(session, student_id=student, code=None, outcome="resolved", at=T0)
    await session.commit()
    assert await get_topic_states(session, student_id=student) == {}
    assert await _count(session, DirectorCoachingSession) == 0


async def test_improvement_plan_becomes_one_coaching_plan_with_targets(session) -> None:
    student = await make_student(session)
    _, class_id = await make_class(session, student_ids=[student])
    q = await question_on(session, "9708.2.2")
    attempt = Attempt(student_id=student, subject_id=q.subject_id, status="marked", total_max_marks=q.max_marks,
                      total_marks_awarded=1)
    session.add(attempt)
    await session.flush()
    session.add(AttemptedQuestion(attempt_id=attempt.id, question_id=q.id, answer="...", marks_awarded=1))
    plan = ImprovementPlan(
        student_id=student, attempt_id=attempt.id, created_at=T0,
        weaknesses={"AO3": [{"category": "No evaluation", "examples": [], "severity": "high",
                             "syllabus_points": ["9708.2.2"]}]},
        action_items=[{"id": "action-1", "action": "Write an evaluation paragraph", "target_weakness": "AO3",
                       "due_date": "2026-03-20", "completed": False, "resources": []}],
    )
    session.add(plan)
    await session.commit()

    await on_improvement_plan(session, plan_id=plan.id)
    await on_improvement_plan(session, plan_id=plan.id)  # idempotent
    await session.commit()

    template = await get_template(session, customer=ORG, profile="9708")
    cp = (await session.execute(select(DirectorCoachingPlan))).scalar_one()
    assert cp.focus_criteria_ids == [f"{template.resource_id}/9708.2.2"]
    assert (cp.agent_user_id, cp.usecase_id, cp.creator_user_id) == (str(student), str(class_id), "planner-agent")
    assert (cp.start_date.isoformat(), cp.end_date.isoformat()) == ("2026-03-02", "2026-03-20")
    target = (await session.execute(select(DirectorTarget))).scalar_one()
    current = 1 / q.max_marks
    assert target.criterion_or_chapter_id == "9708.2.2" and target.coaching_plan_id == cp.resource_id
    assert target.qa_score == pytest.approx(current, abs=1e-4)
    assert target.target == round(max(0.6, current + 0.2), 2)

    # A review rebuilds the improvement plan in place: the same director plan follows it.
    plan.weaknesses = {"AO1": [{"category": "Definitions", "examples": [], "severity": "medium",
                                "syllabus_points": ["9708.2.1"]}]}
    await on_improvement_plan(session, plan_id=plan.id)
    await session.commit()
    cp = (await session.execute(select(DirectorCoachingPlan).execution_options(populate_existing=True))).scalar_one()
    assert cp.focus_criteria_ids == [f"{template.resource_id}/9708.2.1"]
    targets = (await session.execute(select(DirectorTarget))).scalars().all()
    assert [(t.criterion_or_chapter_id, t.qa_score, t.target) for t in targets] == [("9708.2.1", None, 0.6)]
