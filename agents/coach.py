"""The Coach: Socratic tutoring nodes of the workflow.

A chat turn runs `coach_receive` → `coach` ⇄ `coach_tools` → `coach_respond`:
- `coach_receive` stores the student's message (committed before any model call, so nothing a student writes
  is lost), updates the deterministic progress tracker and builds the bounded prompt;
- `coach` calls the chat model with the Coach's tools bound, and passes every text reply through the reply
  guard (`agents.guard`): a failing reply is regenerated once with the reasons, and if that fails too the
  offline Coach's move answers. The model's own tokens are never streamed (`nostream`): a client sees only
  the guarded reply;
- `coach_tools` (a ToolNode) runs tool calls; ids come from the runtime context;
- `coach_respond` stores the reply with its metadata (model, guard verdict, the Coach's progress — durable in the
  same transaction as the reply) and the token usage, and reports the session's outcome.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage, SystemMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from langgraph.graph.message import REMOVE_ALL_MESSAGES
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime
from sqlalchemy import text

from agents.coach_context import render_context_block
from agents.coach_moves import classify_intent
from agents.coach_progress import CoachProgress, assess_turn, note_reply
from agents.coach_prompt import COACH_RULES, TAIL, build_coach_messages
from agents.coach_restore import restore_progress
from agents.guard import GuardVerdict, check_reply, retry_instruction
from agents.llm import get_chat_model, model_label
from agents.metrics import GUARD_FALLBACKS, count_guard_catch
from agents.offline import OfflineChatModel
from agents.prompt_protocol import GUARD_RETRY_LABEL
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
        append = record is None or not record.resume  # a resumed turn's message is already stored: never twice
        if append:
            await append_transcript_entry(db, session_id=ctx.session_id, role="student", content=text,
                                          require_open=True)
            if record is not None:
                await record.claim(db)  # the Idempotency-Key commits with the message, or neither does
        # Read in the append's transaction (it sees the new message), then commit: one transaction, not two.
        cs = await get_session_tail(db, session_id=ctx.session_id, entries=TAIL)
        code = cs["syllabus_point_code"]
        point_row = await get_syllabus_point(db, code=code) if code else None
        if append:
            await db.commit()
        if record is not None:
            record.message_committed = True
    point = {**point_row.content, "title": point_row.title, "code": code} if point_row else {}
    progress = await restore_progress(ctx.sessionmaker, ctx.session_id, state.get("coach_progress"), cs, point)
    asked = next((e["content"] for e in reversed(cs["tail"][:-1]) if e.get("role") == "coach"), "")
    progress = assess_turn(point, text, progress, asked=asked) if point else _count_only(progress)
    progress.transcript_len = cs["length"]
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
        "guard": None,
        "student_said": " ".join(e["content"] for e in cs["tail"] if e.get("role") == "student"),
        "point": point,
    }


async def coach(state: TutorState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Ask the chat model (Coach tools bound) for the next move; a text reply must pass the guard."""
    factory = runtime.context.model_factory or get_chat_model
    # nostream: the model's raw tokens never reach a client; the stream carries the guarded reply only.
    model = factory("coach").bind_tools(COACH_TOOL_SCHEMAS).with_config(tags=["nostream"])
    messages = list(state["messages"])
    ai = await model.ainvoke(messages)
    if not runtime.context.guard_replies:
        return {"messages": [ai], "guard": None}
    if ai.tool_calls or model_label(ai) == "offline":
        verdict = _verdict(state, ai) if not ai.tool_calls else None
        return {"messages": [ai], "guard": _guard_meta(verdict, ai, attempts=1)}
    verdict = _verdict(state, ai)
    if verdict.passed:
        return {"messages": [ai], "guard": _guard_meta(verdict, ai, attempts=1)}
    _count(verdict, ai)
    retry = await model.ainvoke([*messages, ai, SystemMessage(f"{GUARD_RETRY_LABEL} {retry_instruction(verdict)}")])
    second = _verdict(state, retry) if not retry.tool_calls else None
    if second is None or second.passed:
        return {"messages": [retry], "guard": _guard_meta(second, retry, attempts=2, first=verdict)}
    _count(second, retry)
    GUARD_FALLBACKS.labels(model=model_label(ai)).inc()
    fallback = await OfflineChatModel().bind_tools(COACH_TOOL_SCHEMAS).ainvoke(messages)
    meta = _guard_meta(_verdict(state, fallback), fallback, attempts=2, first=verdict, second=second)
    meta["fallback"] = True
    meta["caught_model"] = model_label(ai)
    return {"messages": [fallback], "guard": meta}


def _count(verdict: GuardVerdict, ai: AIMessage) -> None:
    for reason in verdict.reasons:
        count_guard_catch(reason, model=model_label(ai))


def _verdict(state: TutorState, ai: AIMessage) -> GuardVerdict:
    """The guard's verdict on a text reply, in this turn's situation."""
    progress = state.get("coach_progress") or {}
    window = state["messages"][: state.get("prompt_size", 0)]
    system = next((m.content for m in window if isinstance(m, SystemMessage)), "")
    closing = any(isinstance(m, ToolMessage) for m in state["messages"][state.get("prompt_size", 0):])
    latest = next((m.content for m in reversed(window) if isinstance(m, HumanMessage)), "")
    return check_reply(
        _text_of(ai), point=state.get("point") or None, reached=set(progress.get("reached", [])),
        student_said=state.get("student_said") or "", system_prompt=COACH_RULES if system else "",
        injection_attempt=classify_intent(str(latest)) == "injection", closing=closing)


def _guard_meta(verdict: GuardVerdict | None, ai: AIMessage, *, attempts: int, first: GuardVerdict | None = None,
                second: GuardVerdict | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"checked_model": model_label(ai), "attempts": attempts,
                            "verdict": None if verdict is None else verdict.to_dict()}
    if first is not None:
        meta["caught"] = [v.to_dict() for v in (first, second) if v is not None]
    return meta


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
    point = state.get("point") or {}
    progress = note_reply(point, CoachProgress.from_dict(state.get("coach_progress") or {}), reply)
    progress.transcript_len += 1
    meta = {"model": model_label(final), "guard": state.get("guard"), "progress": progress.to_dict()}
    async with ctx.sessionmaker() as db:
        # The student's message was committed synchronously in coach_receive. The reply, its progress and usage
        # rows are regenerable from it, so they skip the WAL flush wait (lost only if the database server itself
        # crashes within a fraction of a second): one fsync per turn instead of two.
        await db.execute(text("SET LOCAL synchronous_commit = off"))
        entry, outcome = await append_transcript_entry(db, session_id=ctx.session_id, role="coach", content=reply,
                                                       meta=meta)
        for ai in ais:
            tokens_in, tokens_out = usage_from_message(ai)
            await record_llm_call(
                db, agent="coach", model=model_label(ai), offline=model_label(ai) == "offline",
                thread_id=str(ctx.session_id), input_tokens=tokens_in, output_tokens=tokens_out,
                student_id=ctx.student_id,
            )
        if outcome != "in_progress":  # the closing message landed after the close: rescore the whole session
            from evals.production import safe_record

            await safe_record(db, ctx.session_id)
        if ctx.turn_record is not None:  # the retried request's answer commits with the reply itself
            await ctx.turn_record.complete(db, {"reply": reply, "outcome": outcome, "model": model_label(final),
                                                "message": entry})
        await db.commit()
    public_entry = {k: v for k, v in entry.items() if k != "meta"}
    return {"reply": reply, "reply_model": model_label(final), "outcome": outcome, "reply_entry": public_entry,
            "coach_progress": progress.to_dict(), "guard": state.get("guard")}


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
