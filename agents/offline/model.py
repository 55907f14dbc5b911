"""`OfflineChatModel`: a deterministic LangChain chat model with no network, playing the product's roles.

It is the default model when no LLM is configured and the fallback once an LLM's retries are exhausted.
The role comes from the system prompt line `[role: coach]` (see `agents.offline.roles` for the registry);
the role handler gets the messages and bound tools and answers with text and/or tool calls.

- `bind_tools(tools, tool_choice=None)` converts tools with `convert_to_openai_tool` and binds them as call
  kwargs (`tools`, `tool_choice`), like the provider models do; `with_structured_output(schema)` therefore
  works through BaseChatModel's default (a forced tool call named after the schema, parsed back).
- Every AIMessage is marked offline: `response_metadata={"model_name": "offline", "offline": True}` and
  `additional_kwargs={"offline": True}`.
- `usage_metadata` is an ESTIMATE, not a real tokenizer count: words count as ceil(len/4) tokens, each
  punctuation mark as one, plus 4 per message; bound tool schemas count as input (a real LLM receives them).
  It is deterministic, so prompt growth across turns can be measured and compared.
- Streaming yields the reply word by word as AIMessageChunks; tool calls, usage and metadata come in the final
  chunk, so the chunks add up to exactly what `invoke` returns.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, SystemMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from agents.offline.protocol import ROLE_LINE, OfflineReply, OfflineRequest, message_text, tool_call_id
from agents.offline.roles import get_role_handler, unknown_role_reply

MODEL_NAME = "offline"
_TOKEN_PIECES = re.compile(r"\w{1,4}|[^\w\s]")
_WORDS = re.compile(r"\s*\S+\s*")
PER_MESSAGE_TOKENS = 4


def estimate_tokens(text: str) -> int:
    """Deterministic token ESTIMATE of `text` (words: ceil(len/4), punctuation: 1 each).

    `\\w{1,4}` splits a word of length L into exactly ceil(L/4) pieces, so one C-level findall does it.
    """
    return len(_TOKEN_PIECES.findall(text or ""))


def _input_tokens(messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]]) -> int:
    total = 0
    for message in messages:
        total += PER_MESSAGE_TOKENS + estimate_tokens(message_text(message))
        for call in getattr(message, "tool_calls", None) or []:
            total += estimate_tokens(call["name"] + json.dumps(call.get("args") or {}))
    return total + sum(estimate_tokens(json.dumps(tool)) for tool in tools)


def _role_of(messages: Sequence[BaseMessage]) -> str | None:
    for message in messages:
        if isinstance(message, SystemMessage):
            found = ROLE_LINE.search(message_text(message))
            if found:
                return found.group(1).lower()
    return None


class OfflineChatModel(BaseChatModel):
    """Deterministic, network-free chat model that plays the registered roles (see module docstring)."""

    model_name: str = MODEL_NAME

    @property
    def _llm_type(self) -> str:
        return "offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable | BaseTool],
        *,
        tool_choice: str | dict | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (converted to OpenAI tool schemas) and an optional tool_choice to this model."""
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    def _reply(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        tools = list(kwargs.get("tools") or [])
        request = OfflineRequest(role=_role_of(messages), messages=list(messages), tools=tools,
                                 tool_choice=kwargs.get("tool_choice"))
        handler = get_role_handler(request.role)
        reply = handler(request) if handler is not None else unknown_role_reply(request)
        if not isinstance(reply, OfflineReply):
            raise TypeError(f"offline role {request.role!r} returned {type(reply).__name__}, not OfflineReply")
        tool_calls = [
            {"name": call["name"], "args": dict(call.get("args") or {}),
             "id": call.get("id") or tool_call_id(call["name"], call.get("args") or {}, len(messages)),
             "type": "tool_call"}
            for call in reply.tool_calls
        ]
        output_tokens = estimate_tokens(reply.text) + sum(
            estimate_tokens(c["name"] + json.dumps(c["args"])) for c in tool_calls)
        input_tokens = _input_tokens(messages, tools)
        usage = UsageMetadata(input_tokens=input_tokens, output_tokens=output_tokens,
                              total_tokens=input_tokens + output_tokens)
        return AIMessage(content=reply.text, tool_calls=tool_calls, usage_metadata=usage,
                         response_metadata={"model_name": self.model_name, "offline": True},
                         additional_kwargs={"offline": True})

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = self._reply(messages, kwargs)
        return ChatResult(generations=[ChatGeneration(message=message)], llm_output={"model_name": self.model_name})

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        # pure CPU work measured in microseconds: no thread hop needed
        return self._generate(messages, stop=stop, **kwargs)

    def _chunks(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> Iterator[ChatGenerationChunk]:
        message = self._reply(messages, kwargs)
        words = _WORDS.findall(str(message.content)) or ([str(message.content)] if message.content else [])
        for word in words:
            yield ChatGenerationChunk(message=AIMessageChunk(content=word))
        # the final chunk carries everything that must appear exactly once when chunks are added up
        yield ChatGenerationChunk(message=AIMessageChunk(
            content="",
            tool_call_chunks=[
                {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i, "type": "tool_call_chunk"}
                for i, c in enumerate(message.tool_calls)],
            usage_metadata=message.usage_metadata,
            response_metadata=dict(message.response_metadata),
            additional_kwargs=dict(message.additional_kwargs),
            chunk_position="last",
        ))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in self._chunks(messages, kwargs):
            if run_manager and chunk.message.content:
                run_manager.on_llm_new_token(str(chunk.message.content), chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._chunks(messages, kwargs):
            if run_manager and chunk.message.content:
                await run_manager.on_llm_new_token(str(chunk.message.content), chunk=chunk)
            yield chunk
