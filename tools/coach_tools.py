"""LangChain tools the Coach model may call. Ids (student, session) come from the runtime context, never
from the model's arguments, so a model cannot read or close another student's session."""

from __future__ import annotations

import json
from typing import Literal

from langchain_core.tools import tool
from langgraph.prebuilt import ToolRuntime

from db.repo.curriculum import get_syllabus_point
from db.repo.performance import recent_coaching_outcomes, recent_marked_answers, weakest_points
from tools.coaching_close import close_session


@tool
async def lookup_syllabus_point(code: str, runtime: ToolRuntime) -> str:
    """Look up a syllabus point by its code (for example "9708.2.2") to see its title, key terms, the key ideas
    a student should reach, common misconceptions and a real-world context. Use it as background for your
    questions; never read definitions or key ideas out to the student."""
    async with runtime.context.sessionmaker() as db:
        point = await get_syllabus_point(db, code=code.strip())
    if point is None:
        return json.dumps({"error": f"no syllabus point {code!r}"})
    content = point.content
    return json.dumps({
        "code": point.code, "title": point.title,
        "key_terms": [t["term"] for t in content.get("key_terms", [])],
        "key_ideas": [e["idea"] for e in content.get("expectations", [])],
        "misconceptions": [m["statement"] for m in content.get("misconceptions", [])],
        "context": content.get("context", ""),
    })


@tool
async def get_student_performance(runtime: ToolRuntime) -> str:
    """Get this student's recent marked answers (marks by syllabus point), their weakest syllabus points and
    the outcomes of their recent coaching sessions. Takes no arguments: it always refers to the student you
    are tutoring."""
    ctx = runtime.context
    async with ctx.sessionmaker() as db:
        answers = await recent_marked_answers(db, student_id=ctx.student_id, limit=20)
        outcomes = await recent_coaching_outcomes(db, student_id=ctx.student_id)
    return json.dumps({"recent_answers": answers[:10], "weakest_points": weakest_points(answers),
                       "recent_sessions": outcomes})


@tool
async def record_session_outcome(outcome: Literal["resolved", "needs_more_help"], summary: str,
                                 runtime: ToolRuntime) -> str:
    """Close this coaching session. Use outcome "resolved" when the student has expressed every key idea in
    their own words, or "needs_more_help" when they are still stuck after repeated attempts. `summary` is one
    line on what the student showed. After this, send a short closing message."""
    ctx = runtime.context
    async with ctx.sessionmaker() as db:
        closed = await close_session(db, session_id=ctx.session_id, outcome=outcome)
        await db.commit()
    if not closed:
        return "The session was already closed; no change."
    return f"Session closed as {outcome}. Summary noted: {summary[:300]}"


@tool
async def refer_to_teacher(reason: str, runtime: ToolRuntime) -> str:
    """Refer the student to their teacher and close this session: use when the student asks for a human, or
    when the question is outside the syllabus. `reason` is one or two sentences the teacher will read."""
    ctx = runtime.context
    async with ctx.sessionmaker() as db:
        closed = await close_session(db, session_id=ctx.session_id, outcome="refer_to_teacher",
                                     referral_reason=reason[:1000])
        await db.commit()
    if not closed:
        return "The session was already closed; no change."
    return "The teacher has been notified with your reason."


COACH_TOOLS = [lookup_syllabus_point, get_student_performance, record_session_outcome, refer_to_teacher]
