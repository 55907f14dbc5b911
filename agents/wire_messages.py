"""Messages as every OpenAI-compatible server accepts them.

LangChain sends an assistant message that only calls tools with `"content": null`. OpenAI accepts that;
llama.cpp's server (llama-cpp-python) rejects it with a 500 ("Input should be a valid string"), which the
retry layer then retries and the breaker counts — so one closing turn (the Coach calls
`record_session_outcome`, then writes its closing message) took the real model offline for 30 s. Giving such
a message a short text content is valid everywhere and tells the model nothing it does not already see.
"""

from __future__ import annotations

from langchain_core.messages import AIMessage, BaseMessage


def portable(messages: list[BaseMessage]) -> list[BaseMessage]:
    """`messages` with every content-less tool-calling assistant message given a one-line text content."""
    if not any(_needs_text(m) for m in messages):
        return messages
    return [m.model_copy(update={"content": _calls_text(m)}) if _needs_text(m) else m for m in messages]


def _needs_text(message: BaseMessage) -> bool:
    return isinstance(message, AIMessage) and bool(message.tool_calls) and not message.content


def _calls_text(message: AIMessage) -> str:
    return "(calling " + ", ".join(call["name"] for call in message.tool_calls) + ")"
