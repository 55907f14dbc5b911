"""The Coach branch of the compiled workflow, with a scripted model (ToolNode round trip) and offline."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage

from agents.state import GraphContext
from db.repo.coaching import create_session, get_session
from tests.fakes import ScriptedChatModel


async def _open(sessionmaker, student, code: str | None = "9708.2.2", topic: str = "elasticity"):  # noqa: ANN001, ANN202
    async with sessionmaker() as s:
        cs = await create_session(s, student_id=student.id, topic=topic, struggle_description=None,
                                  syllabus_point_code=code)
        await s.commit()
    return cs.id


async def _turn(graph, sessionmaker, student, session_id, text, factory=None):  # noqa: ANN001, ANN202
    ctx = GraphContext(sessionmaker=sessionmaker, student_id=student.id, session_id=session_id, model_factory=factory)
    return await graph.ainvoke({"kind": "chat", "student_message": text},
                               config={"configurable": {"thread_id": str(session_id)}}, context=ctx)


async def test_scripted_tool_call_round_trip_records_outcome(graph, sessionmaker, student) -> None:  # noqa: ANN001
    sid = await _open(sessionmaker, student)
    model = ScriptedChatModel(replies=[
        AIMessage(content="", tool_calls=[{"name": "lookup_syllabus_point", "args": {"code": "9708.2.2"}, "id": "c1"}]),
        AIMessage(content="", tool_calls=[{"name": "record_session_outcome",
                                           "args": {"outcome": "resolved", "summary": "explained PED"}, "id": "c2"}]),
        AIMessage(content="Well done — you explained it in your own words."),
    ])
    out = await _turn(graph, sessionmaker, student, sid, "PED is how much quantity demanded responds to price",
                      factory=lambda role: model)
    assert out["reply"] == "Well done — you explained it in your own words."
    assert out["outcome"] == "resolved"
    # the ToolNode really ran the lookup: the second model call saw its result
    tool_msgs = [m for m in model.seen[1] if m.type == "tool"]
    assert tool_msgs and "9708.2.2" in tool_msgs[0].content
    async with sessionmaker() as s:
        cs = await get_session(s, session_id=sid)
    assert cs.outcome == "resolved"
    assert [e["role"] for e in cs.session_transcript] == ["student", "coach"]
    assert cs.session_transcript[0]["timestamp"].endswith("Z")


async def test_student_message_is_stored_even_when_the_model_fails(graph, sessionmaker, student) -> None:  # noqa: ANN001
    sid = await _open(sessionmaker, student)
    model = ScriptedChatModel(replies=[])  # raises on first call
    with pytest.raises(AssertionError, match="ran out of replies"):
        await _turn(graph, sessionmaker, student, sid, "help me please", factory=lambda role: model)
    async with sessionmaker() as s:
        cs = await get_session(s, session_id=sid)
    assert [e["content"] for e in cs.session_transcript] == ["help me please"]


async def test_tool_ids_come_from_context_not_the_model(graph, sessionmaker, student) -> None:  # noqa: ANN001
    other = await _open(sessionmaker, student)
    sid = await _open(sessionmaker, student)
    model = ScriptedChatModel(replies=[
        AIMessage(content="", tool_calls=[{"name": "refer_to_teacher", "args": {"reason": "asked for a human"},
                                           "id": "c1"}]),
        AIMessage(content="I've let your teacher know."),
    ])
    out = await _turn(graph, sessionmaker, student, sid, "can I talk to my teacher?", factory=lambda role: model)
    assert out["outcome"] == "refer_to_teacher"
    async with sessionmaker() as s:
        assert (await get_session(s, session_id=sid)).referral_reason == "asked for a human"
        assert (await get_session(s, session_id=other)).outcome == "in_progress"
