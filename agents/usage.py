"""Token usage of model calls: read it from a message's `usage_metadata` and record it in `llm_calls`."""

from __future__ import annotations

from langchain_core.messages import BaseMessage
from sqlalchemy.ext.asyncio import AsyncSession

from agents.resilient import model_label
from db.models import LlmCall
from db.repo.usage import record_llm_call

__all__ = ["record_llm_call", "record_message_usage", "usage_from_message"]


def usage_from_message(message: BaseMessage) -> tuple[int, int]:
    """(input_tokens, output_tokens) the call reported; (0, 0) when the model reported none."""
    usage = getattr(message, "usage_metadata", None) or {}
    return int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)


async def record_message_usage(
    session: AsyncSession, *, agent: str, message: BaseMessage, thread_id: str | None
) -> LlmCall:
    """Record the token usage of the call that produced `message`, labelled with the model that answered."""
    tokens_in, tokens_out = usage_from_message(message)
    label = model_label(message)
    return await record_llm_call(
        session, agent=agent, model=label, offline=label == "offline", thread_id=thread_id,
        input_tokens=tokens_in, output_tokens=tokens_out,
    )
