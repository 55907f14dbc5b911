"""The Coach on the real offline model through the compiled workflow: whole sessions, and a bounded prompt."""

from __future__ import annotations

from agents.guard import question_count
from agents.state import GraphContext
from db.repo.coaching import create_session, get_session


async def _session(sessionmaker, student, code="9708.2.2"):  # noqa: ANN001, ANN202
    async with sessionmaker() as s:
        cs = await create_session(s, student_id=student.id, topic="elasticity", struggle_description=None,
                                  syllabus_point_code=code)
        await s.commit()
    return cs.id


async def _say(graph, sessionmaker, student, sid, text):  # noqa: ANN001, ANN202
    ctx = GraphContext(sessionmaker=sessionmaker, student_id=student.id, session_id=sid)
    return await graph.ainvoke({"kind": "chat", "student_message": text},
                               config={"configurable": {"thread_id": str(sid)}}, context=ctx)


def _answers_for(code: str) -> list[str]:
    """Student sentences built from the point's own cues: one per expectation, as a student might say it."""
    from curriculum.loader import get_curriculum

    point = get_curriculum().point(code)
    return [" ".join(group[0].strip() for group in e.cues) + " I think" for e in point.expectations]


async def test_struggle_to_resolved(graph, sessionmaker, student) -> None:  # noqa: ANN001
    sid = await _session(sessionmaker, student)
    out = await _say(graph, sessionmaker, student, sid, "I don't understand price elasticity of demand")
    assert out["outcome"] == "in_progress" and question_count(out["reply"], None) >= 1
    for text in _answers_for("9708.2.2"):
        out = await _say(graph, sessionmaker, student, sid, text)
        if out["outcome"] != "in_progress":
            break
    assert out["outcome"] == "resolved"
    assert out["reply_model"] == "offline"
    async with sessionmaker() as s:
        cs = await get_session(s, session_id=sid)
    assert cs.outcome == "resolved"
    roles = [e["role"] for e in cs.session_transcript]
    assert roles == ["student", "coach"] * (len(roles) // 2)


async def test_repeated_failure_ends_needs_more_help(graph, sessionmaker, student) -> None:  # noqa: ANN001
    sid = await _session(sessionmaker, student, code="9708.1.1")
    out = None
    for _ in range(15):
        out = await _say(graph, sessionmaker, student, sid, "I don't know")
        if out["outcome"] != "in_progress":
            break
    assert out["outcome"] == "needs_more_help"


async def test_prompt_stays_bounded_as_the_session_grows(graph, sessionmaker, student) -> None:  # noqa: ANN001
    """Turn 50's prompt costs no more than 1.2 × turn 5's (DESIGN.md §10), measured on what the model receives."""
    from langchain_core.messages import AIMessage

    from agents.offline import estimate_tokens
    from tests.fakes import ScriptedChatModel

    sid = await _session(sessionmaker, student)
    replies = [AIMessage(content=f"Good thinking. What would happen to spending on good number {i}?") for i in range(50)]
    model = ScriptedChatModel(replies=replies)
    ctx = GraphContext(sessionmaker=sessionmaker, student_id=student.id, session_id=sid, model_factory=lambda r: model)
    lines = ["hmm not sure", "is it about buying less?", "I don't know", "maybe substitutes matter",
             "could be about time", "no idea really", "people react to prices in different ways"]
    for i in range(50):
        await graph.ainvoke({"kind": "chat", "student_message": lines[i % len(lines)]},
                            config={"configurable": {"thread_id": str(sid)}}, context=ctx)
    sizes = [sum(estimate_tokens(str(m.content)) for m in prompt) for prompt in model.seen]
    assert len(sizes) == 50
    assert sizes[49] <= 1.2 * sizes[4], (sizes[4], sizes[49])
    assert sizes[49] >= sizes[4] * 0.8  # the window still carries the recent conversation
