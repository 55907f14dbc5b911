"""LLM token usage: one `llm_calls` row per model call, by agent and model."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import LlmCall

_AGENTS = ("coach", "marker", "reviewer", "planner", "judge")


async def record_llm_call(
    session: AsyncSession,
    *,
    agent: str,
    model: str,
    offline: bool,
    thread_id: str | None,
    input_tokens: int,
    output_tokens: int,
    student_id: uuid.UUID | None = None,
) -> LlmCall:
    """Add one model call's token usage to the session (the caller commits)."""
    if agent not in _AGENTS:
        raise ValueError(f"agent: unknown agent {agent!r}; expected one of {', '.join(_AGENTS)}")
    if not model:
        raise ValueError("model: must not be empty")
    if input_tokens < 0 or output_tokens < 0:
        raise ValueError("input_tokens/output_tokens: must not be negative")
    row = LlmCall(
        id=uuid.uuid4(), agent=agent, model=model[:200], offline=offline,
        thread_id=thread_id[:100] if thread_id else None,
        input_tokens=input_tokens, output_tokens=output_tokens, student_id=student_id,
    )
    session.add(row)
    await session.flush()
    return row
