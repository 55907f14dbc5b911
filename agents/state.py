"""Workflow state (checkpointed per thread) and the per-run context (ids and handles, never checkpointed).

Ids the model must not invent — student, session, attempt — travel in `GraphContext`, which the API fills
from the authenticated request; tools read them from the runtime, never from tool arguments.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

RequestKind = Literal["chat", "mark", "plan"]

# LangGraph serialises a tool's runtime (which holds this context, with its sessionmaker) for tracing and
# pydantic warns that it is not a plain value on every tool call; the context is never persisted.
warnings.filterwarnings("ignore", message="Pydantic serializer warnings", category=UserWarning)


def _replace(_old: Any, new: Any) -> Any:
    return new


def _merge_dicts(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    merged = dict(old or {})
    merged.update(new or {})
    return merged


class TutorState(TypedDict, total=False):
    """State of one thread (a coaching session, an attempt being marked, or a planning request)."""

    kind: Annotated[RequestKind, _replace]
    # Coach: this turn's model/tool messages only (cleared at the start of each turn; the transcript of
    # record is coaching_sessions.session_transcript).
    messages: Annotated[list[AnyMessage], add_messages]
    student_message: Annotated[str | None, _replace]
    prompt_size: Annotated[int, _replace]  # how many of `messages` are this turn's prompt (system + window)
    coach_progress: Annotated[dict[str, Any], _replace]
    summary: Annotated[str, _replace]
    reply: Annotated[str | None, _replace]
    reply_model: Annotated[str | None, _replace]
    reply_entry: Annotated[dict[str, Any] | None, _replace]
    outcome: Annotated[str | None, _replace]
    guard: Annotated[dict[str, Any] | None, _replace]  # this turn's reply-guard record (stored with the reply)
    student_said: Annotated[str, _replace]  # the student's recent words (what the guard lets the Coach restate)
    point: Annotated[dict[str, Any], _replace]  # this session's syllabus point content (with code and title)
    # Marker / Reviewer / Planner (filled by their nodes).
    results: Annotated[dict[str, Any], _merge_dicts]


@dataclass
class GraphContext:
    """Per-run values: who is acting and on what, plus the database handle. Passed as `context=`."""

    sessionmaker: async_sessionmaker[AsyncSession]
    student_id: uuid.UUID
    session_id: uuid.UUID | None = None
    attempt_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
    # Which chat model plays a role; None = the configured factory (agents.llm.get_chat_model).
    # Tests and evals pass a scripted model here instead of patching globals.
    model_factory: Callable[[str], BaseChatModel] | None = None
    # A chat turn's idempotency bookkeeping (db.repo.idempotency.TurnRecord); None outside the API.
    turn_record: Any = None
    # Every Coach reply passes the reply guard (agents.guard). Only the eval suite turns it off, to measure what a
    # raw model would have sent.
    guard_replies: bool = True
    extras: dict[str, Any] = field(default_factory=dict)
    # The background-job item this run settles, (job id, item key): the node that stores the run's result
    # marks the item done in the same transaction, so a re-run after a crash never stores it twice.
    job_item: tuple[uuid.UUID, str] | None = None
