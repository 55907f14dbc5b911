"""The Coach: Socratic tutoring nodes of the workflow.

A chat turn runs `coach_receive` → `coach` ⇄ `coach_tools` → `coach_respond`:
- `coach_receive` stores the student's message (committed before any model call, so nothing a student writes
  is lost), updates the deterministic progress tracker and builds the bounded prompt;
- `coach` calls the chat model with the Coach's tools bound;
- `coach_tools` (a ToolNode) runs tool calls; ids come from the runtime context;
- `coach_respond` stores the reply and the token usage, and reports the session's outcome.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import AIMessage, RemoveMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from langgraph.graph.message import REMOVE_ALL_MESSAGES
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime
from sqlalchemy import text

from agents.coach_progress import CoachProgress, assess_turn, render_context_block
from agents.coach_prompt import TAIL, build_coach_messages
from agents.llm import get_chat_model, model_label
from agents.state import GraphContext, TutorState
from agents.usage import usage_from_message
from db.repo.coaching import append_transcript_entry, get_session_tail
from db.repo.curriculum import get_syllabus_point
from db.repo.usage import record_llm_call
from tools.coach_tools import COACH_TOOLS

# Converted once: schema generation per call was a measurable share of an offline turn.
COACH_TOOL_SCHEMAS = [convert_to_openai_tool(t) for t in COACH_TOOLS]

MAX_MODEL_CALLS_PER_TURN = 4
FALLBACK_REPLY = "Let's keep going — what part of this feels least clear to you right now?"


async def coach_receive(state: TutorState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Persist the student's message, assess it against the syllabus point, and build this turn's prompt."""
    ctx = runtime.context
    text = state.get("student_message") or ""
    record = ctx.turn_record
    async with ctx.sessionmaker() as db:
        if record is None or not record.resume:  # a resumed turn's message is already stored: never twice
            await append_transcript_entry(db, session_id=ctx.session_id, role="student", content=text,
                                          require_open=True)
            if record is not None:
                await record.claim(db)  # the Idempotency-Key commits with the message, or neither does
            await db.commit()
        if record is not None:
            record.message_committed = True
        cs = await get_session_tail(db, session_id=ctx.session_id, entries=TAIL)
        code = cs["syllabus_point_code"]
        point_row = await get_syllabus_point(db, code=code) if code else None
    point = {**point_row.content, "title": point_row.title} if point_row else {}
    progress = CoachProgress.from_dict(state.get("coach_progress") or {})
    progress = assess_turn(point, text, progress) if point else _count_only(progress)
    block = render_context_block(code if point else None, point, progress, topic=cs["topic"])
    messages, summary = build_coach_messages(
        tail=cs["tail"], total_entries=cs["length"], context_block=block,
        progress_note=_progress_note(progress), topic=cs["topic"],
    )
    return {
        "messages": [RemoveMessage(id=REMOVE_ALL_MESSAGES), *messages],
        "prompt_size": len(messages),
        "coach_progress": progress.to_dict(),
        "summary": summary,
        "reply": None,
        "outcome": None,
    }


async def coach(state: TutorState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Ask the chat model (Coach tools bound) for the next move."""
    factory = runtime.context.model_factory or get_chat_model
    model = factory("coach").bind_tools(COACH_TOOL_SCHEMAS)
    ai = await model.ainvoke(state["messages"])
    return {"messages": [ai]}


def route_after_coach(state: TutorState) -> Literal["coach_tools", "coach_respond"]:
    """Tool calls go to the ToolNode (bounded per turn); a plain reply goes to `coach_respond`."""
    last = state["messages"][-1]
    if not isinstance(last, AIMessage):
        raise ValueError(f"coach produced {type(last).__name__}, expected an AIMessage")
    calls = len(_this_turn_replies(state))
    if last.tool_calls and calls < MAX_MODEL_CALLS_PER_TURN:
        return "coach_tools"
    return "coach_respond"


coach_tools = ToolNode(COACH_TOOLS, name="coach_tools")


async def coach_respond(state: TutorState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Store the coach's reply (and this turn's token usage) and report the session outcome."""
    ctx = runtime.context
    ais = _this_turn_replies(state)
    final = ais[-1]
    reply = _text_of(final) or next((_text_of(m) for m in reversed(ais) if _text_of(m)), "") or FALLBACK_REPLY
    async with ctx.sessionmaker() as db:
        # The student's message was committed synchronously in coach_receive. The reply and its usage row are
        # regenerable, so they skip the WAL flush wait (lost only if the database server itself crashes within
        # a fraction of a second): one fsync per turn instead of two.
        await db.execute(text("SET LOCAL synchronous_commit = off"))
        entry, outcome = await append_transcript_entry(db, session_id=ctx.session_id, role="coach", content=reply)
        for ai in ais:
            tokens_in, tokens_out = usage_from_message(ai)
            await record_llm_call(
                db, agent="coach", model=model_label(ai), offline=model_label(ai) == "offline",
                thread_id=str(ctx.session_id), input_tokens=tokens_in, output_tokens=tokens_out,
                student_id=ctx.student_id,
            )
        if ctx.turn_record is not None:  # the retried request's answer commits with the reply itself
            await ctx.turn_record.complete(db, {"reply": reply, "outcome": outcome, "model": model_label(final),
                                                "message": entry})
        await db.commit()
    return {"reply": reply, "reply_model": model_label(final), "outcome": outcome, "reply_entry": entry}


def _this_turn_replies(state: TutorState) -> list[AIMessage]:
    """The model's messages of this turn (the prompt's window also holds earlier coach replies)."""
    return [m for m in state["messages"][state.get("prompt_size", 0):] if isinstance(m, AIMessage)]


def _text_of(message: AIMessage) -> str:
    content = message.content
    if isinstance(content, list):
        content = "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content).strip()


def _count_only(progress: CoachProgress) -> CoachProgress:
    progress.student_turns += 1
    return progress


def _progress_note(progress: CoachProgress) -> str:
    reached = ", ".join(progress.reached) or "none yet"
    seen = ", ".join(progress.misconceptions_seen) or "none"
    return (f"Student turns so far: {progress.student_turns}. Key ideas already reached: {reached}. "
            f"Misconceptions seen: {seen}.")
