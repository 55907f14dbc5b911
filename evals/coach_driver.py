"""A small stand-in for the Coach node, to drive the offline Coach through whole conversations (tests and evals).

It does what the graph does each turn (assess the student's message, render the context block into a
`[role: coach]` system prompt, call the model with the closing tools bound, run a tool call and call the model
again), with in-memory tools instead of the database ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from agents.coach_context import render_context_block
from agents.coach_progress import CoachProgress, assess_turn, note_reply
from agents.offline import OfflineChatModel


@tool
def record_session_outcome(outcome: Literal["resolved", "needs_more_help"], summary: str) -> str:
    """Close this coaching session with an outcome and a one-line summary of what the student showed."""
    return f"Session closed as {outcome}. Summary noted: {summary}"


@tool
def refer_to_teacher(reason: str) -> str:
    """Refer the student to their teacher and close this session."""
    return "The teacher has been notified with your reason."


CLOSING_TOOLS = [record_session_outcome, refer_to_teacher]


@dataclass
class Conversation:
    """One simulated coaching session on `code` (None: a topic outside the curriculum)."""

    code: str | None
    point: dict[str, Any]
    tools: list[Any] = field(default_factory=lambda: list(CLOSING_TOOLS))
    progress: CoachProgress = field(default_factory=CoachProgress)
    transcript: list[BaseMessage] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    outcome: str | None = None

    def __post_init__(self) -> None:
        if self.code is not None:
            self.point = {**self.point, "code": self.code}

    def say(self, text: str) -> str:
        """The student says `text`; returns the coach's visible reply."""
        if self.code is not None:
            asked = self.replies[-1] if self.replies else ""
            self.progress = assess_turn(self.point, text, self.progress, asked=asked)
        else:
            self.progress.student_turns += 1
        block = render_context_block(self.code, self.point, self.progress)
        model = OfflineChatModel()
        bound = model.bind_tools(self.tools) if self.tools else model
        self.transcript.append(HumanMessage(text))
        messages: list[BaseMessage] = [SystemMessage(f"[role: coach]\nYou are the Coach.\n\n{block}"),
                                       *self.transcript]
        ai = bound.invoke(messages)
        turn_messages: list[BaseMessage] = [ai]
        for _ in range(3):
            if not ai.tool_calls:
                break
            call = ai.tool_calls[0]
            self.tool_calls.append(call)
            self.outcome = call["args"].get("outcome", "refer_to_teacher")
            tool_fn = {t.name: t for t in self.tools}[call["name"]]
            turn_messages.append(ToolMessage(str(tool_fn.invoke(call["args"])), tool_call_id=call["id"],
                                             name=call["name"]))
            ai = bound.invoke([*messages, *turn_messages])
            turn_messages.append(ai)
        reply = str(ai.content)
        self.progress = note_reply(self.point, self.progress, reply)
        self.replies.append(reply)
        self.transcript.append(AIMessage(reply))
        return reply
