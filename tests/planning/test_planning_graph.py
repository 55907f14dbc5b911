"""The workflow's planning branch: plan_entry → [plan_note] → plan_save, with the real graph and database."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from langchain_core.messages import AIMessage
from sqlalchemy import func, select

from agents.planner import PlanInputError, PlanRequest
from db.models import LlmCall, StudyPlanNote
from db.repo.study_plans import get_plan_note, get_study_plan
from graph.routers import route_planning_after_entry
from graph.state import GraphContext
from tests.fakes import ScriptedChatModel

TODAY = date(2026, 5, 4)


def _inputs(student_id: uuid.UUID, *, with_note: bool = True, exam: date = TODAY + timedelta(days=45)) -> dict:
    request = PlanRequest(student_id=student_id, subject_code="9708", exam_date=exam, hours_per_day=3, today=TODAY)
    return {"kind": "plan", "results": {"plan_request": request.to_state(), "with_note": with_note}}


async def test_a_plan_run_stores_the_schedule_and_the_models_note(graph, sessionmaker, student) -> None:
    reply = AIMessage(content="", tool_calls=[{"name": "PlanRationale", "id": "c1", "args": {
        "rationale": "Weakest topics first, reviews spaced out.",
        "activity_suggestions": [
            {"syllabus_point": "9708.2.2", "suggestion": "Draw elastic and inelastic demand curves."},
            {"syllabus_point": "9999.9.9", "suggestion": "An invented topic that must be dropped."},
        ]}}], usage_metadata={"input_tokens": 300, "output_tokens": 40, "total_tokens": 340})
    model = ScriptedChatModel(replies=[reply])
    ctx = GraphContext(sessionmaker=sessionmaker, student_id=student.id, model_factory=lambda role: model,
                       extras={"thread_id": "plan:test"})
    out = await graph.ainvoke(_inputs(student.id), config={"configurable": {"thread_id": "plan:test"}}, context=ctx)
    plan_id = uuid.UUID(out["results"]["study_plan_id"])
    async with sessionmaker() as db:
        plan = await get_study_plan(db, plan_id=plan_id)
        note = await get_plan_note(db, plan_id=plan_id)
        calls = (await db.execute(select(LlmCall))).scalars().all()
    assert plan.student_id == student.id and plan.exam_date == TODAY + timedelta(days=45)
    assert plan.schedule == out["results"]["plan_draft"]["schedule"] and plan.schedule[0]["date"] == "2026-05-04"
    assert note.rationale == "Weakest topics first, reviews spaced out." and note.model == "scripted"
    assert [s["syllabus_point"] for s in note.activity_suggestions] == ["9708.2.2"]
    assert [(c.agent, c.input_tokens, c.thread_id) for c in calls] == [("planner", 300, "plan:test")]
    assert "<plan_request>" in model.seen[0][-1].content


async def test_without_a_note_the_model_is_never_asked(graph, sessionmaker, student) -> None:
    model = ScriptedChatModel(replies=[])
    ctx = GraphContext(sessionmaker=sessionmaker, student_id=student.id, model_factory=lambda role: model)
    out = await graph.ainvoke(_inputs(student.id, with_note=False), config={"configurable": {"thread_id": "p2"}},
                              context=ctx)
    assert out["results"]["study_plan_id"] and model.seen == []
    async with sessionmaker() as db:
        assert (await db.execute(select(func.count()).select_from(StudyPlanNote))).scalar_one() == 0


async def test_a_request_for_someone_else_or_a_past_exam_is_refused(graph, sessionmaker, student) -> None:
    ctx = GraphContext(sessionmaker=sessionmaker, student_id=student.id)
    with pytest.raises(ValueError, match="student_id"):
        await graph.ainvoke(_inputs(uuid.uuid4()), config={"configurable": {"thread_id": "p3"}}, context=ctx)
    with pytest.raises(PlanInputError) as err:
        await graph.ainvoke(_inputs(student.id, exam=TODAY), config={"configurable": {"thread_id": "p4"}},
                            context=ctx)
    assert err.value.field == "exam_date"


def test_the_router_raises_on_the_unexpected() -> None:
    assert route_planning_after_entry({"results": {"plan_draft": {}, "with_note": True}}) == "plan_note"
    assert route_planning_after_entry({"results": {"plan_draft": {}, "with_note": False}}) == "plan_save"
    with pytest.raises(ValueError):
        route_planning_after_entry({"results": {}})
    with pytest.raises(ValueError):
        route_planning_after_entry({"results": {"plan_draft": {}, "with_note": "yes"}})
