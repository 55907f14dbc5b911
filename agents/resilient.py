"""A chat model that retries its primary model and, when that keeps failing, answers with the offline model.

`ResilientChatModel` is a `BaseChatModel`, so it streams tokens through LangGraph's "messages" mode and
LangChain callbacks like any chat model. It calls the primary's and fallback's `_agenerate`/`_astream`
directly (one traced run, no duplicated tokens). `bind_tools` and `with_structured_output` are applied to
BOTH models, so the fallback sees the same tools and schema as the primary.

Streaming: tokens come from the primary as they arrive. If the primary fails before its first chunk, the
stream is retried (and then falls back); once a chunk has been yielded, a failure is raised, because
splicing a second answer onto half of the first would garble the reply.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableBinding, RunnableConfig, RunnableSerializable
from pydantic import ConfigDict, Field

from agents.breaker import CircuitBreaker
from agents.llm_bounds import EmptyResponseError, bounded_acall, bounded_call
from agents.retry import MalformedToolCallError, RetryPolicy
from agents.wire_messages import portable

log = logging.getLogger(__name__)

# Keys LangChain uses for tracing only; they must never reach a provider's request payload.
_TRACE_ONLY_KWARGS = {"ls_structured_output_format"}


def model_label(message: BaseMessage) -> str:
    """Which model answered: "offline" for the offline model, else the provider's model name."""
    meta = getattr(message, "response_metadata", None) or {}
    extra = getattr(message, "additional_kwargs", None) or {}
    if meta.get("offline") or extra.get("offline"):
        return "offline"
    name = meta.get("model_name") or meta.get("model")
    return str(name) if name else "unknown"


def _name_of(model: BaseChatModel) -> str:
    return str(getattr(model, "model_name", None) or getattr(model, "model", None) or model._llm_type)


def _unwrap_binding(bound: Runnable) -> tuple[BaseChatModel, dict[str, Any]]:
    """Split what `bind_tools` returned into the model and the call kwargs it binds (tools, tool_choice…)."""
    if isinstance(bound, BaseChatModel):
        return bound, {}
    if isinstance(bound, RunnableBinding) and isinstance(bound.bound, BaseChatModel):
        return bound.bound, {k: v for k, v in bound.kwargs.items() if k not in _TRACE_ONLY_KWARGS}
    raise TypeError(f"bind_tools returned {type(bound).__name__}; expected a chat model or its binding")


def _bind_fallback(call: Callable[..., Runnable], kwargs: dict[str, Any]) -> Runnable | None:
    """Apply bind_tools/with_structured_output to the fallback, tolerating options it does not know."""
    try:
        return call(**kwargs)
    except NotImplementedError:
        log.warning("fallback model does not support this binding; it will answer unbound")
        return None
    except (TypeError, ValueError):
        if not kwargs:
            raise
        return call()


def _check_result(result: ChatResult) -> ChatResult:
    if not result.generations:
        raise EmptyResponseError("the model returned no choices")
    for generation in result.generations:
        msg = generation.message
        if isinstance(msg, AIMessage) and not msg.tool_calls and not msg.invalid_tool_calls and not (
                msg.content if isinstance(msg.content, str) else any(msg.content)):
            raise EmptyResponseError("the model returned neither text nor a tool call")
        if isinstance(msg, AIMessage) and msg.invalid_tool_calls:
            bad = msg.invalid_tool_calls[0]
            raise MalformedToolCallError(
                f"tool call {bad.get('name')!r} has unparseable arguments: {bad.get('error') or bad.get('args')}"
            )
    return result


def _stamp_result(result: ChatResult, *, default_name: str, offline: bool) -> ChatResult:
    """Make every message say which model produced it (and preserve/ensure the offline mark)."""
    name = (result.llm_output or {}).get("model_name") or default_name
    for generation in result.generations:
        meta = generation.message.response_metadata
        meta.setdefault("model_name", name)
        if offline:
            meta.setdefault("offline", True)
    return result


def _as_chunk(generation: Any) -> ChatGenerationChunk:
    msg = generation.message
    chunks = [
        tool_call_chunk(name=tc["name"], args=json.dumps(tc["args"]), id=tc.get("id"), index=i)
        for i, tc in enumerate(getattr(msg, "tool_calls", []) or [])
    ]
    return ChatGenerationChunk(
        message=AIMessageChunk(
            content=msg.content, additional_kwargs=dict(msg.additional_kwargs),
            response_metadata=dict(msg.response_metadata), tool_call_chunks=chunks,
            usage_metadata=getattr(msg, "usage_metadata", None), id=msg.id,
        ),
        generation_info=generation.generation_info,
    )


async def _model_astream(
    model: BaseChatModel, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
) -> AsyncIterator[ChatGenerationChunk]:
    """Stream from a model's own `_astream`, or one chunk from `_agenerate` if it cannot stream."""
    cls = type(model)
    if cls._astream is BaseChatModel._astream and cls._stream is BaseChatModel._stream:
        result = await model._agenerate(messages, stop=stop, **kwargs)
        for generation in result.generations:
            yield _as_chunk(generation)
        return
    async for chunk in model._astream(messages, stop=stop, **kwargs):
        yield chunk


async def _open_stream(make: Callable[[], AsyncIterator[Any]]) -> tuple[bool, Any, AsyncIterator[Any]]:
    """Start a stream and wait for its first item, so failures before any output can be retried."""
    stream = make()
    try:
        first = await stream.__anext__()
    except StopAsyncIteration:
        return False, None, stream
    return True, first, stream


async def _parsed(make: Callable[[], Any]) -> Any:
    """Await a provider call, reporting a response the client could not even index (`choices: []`) as empty."""
    try:
        return await make()
    except (IndexError, KeyError) as exc:
        raise EmptyResponseError(f"the model's response had no usable choices ({exc!r})") from exc


def _parsed_sync(make: Callable[[], Any]) -> Any:
    try:
        return make()
    except (IndexError, KeyError) as exc:
        raise EmptyResponseError(f"the model's response had no usable choices ({exc!r})") from exc


class ResilientChatModel(BaseChatModel):
    """Primary chat model under the retry policy, then the fallback (the offline model) once retries run out."""

    primary: BaseChatModel
    fallback: BaseChatModel | None = None
    primary_kwargs: dict[str, Any] = Field(default_factory=dict)
    fallback_kwargs: dict[str, Any] = Field(default_factory=dict)
    policy: RetryPolicy = RetryPolicy()
    fallback_is_offline: bool = True
    # The endpoint's breaker (process-wide, agents/breaker.py); None = no breaker.
    breaker: CircuitBreaker | None = None

    @property
    def _llm_type(self) -> str:
        return "resilient-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"primary": _name_of(self.primary), "fallback": self.fallback and _name_of(self.fallback)}

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> ResilientChatModel:
        """Bind the same tools to the primary and the fallback; returns a new ResilientChatModel."""
        options = {"tool_choice": tool_choice, **kwargs} if tool_choice is not None else dict(kwargs)
        primary, p_kwargs = _unwrap_binding(self.primary.bind_tools(tools, **options))
        update: dict[str, Any] = {"primary": primary, "primary_kwargs": {**self.primary_kwargs, **p_kwargs}}
        if self.fallback is not None:
            bound = _bind_fallback(lambda **kw: self.fallback.bind_tools(tools, **kw), options)  # type: ignore[union-attr]
            if bound is not None:
                fallback, f_kwargs = _unwrap_binding(bound)
                update |= {"fallback": fallback, "fallback_kwargs": {**self.fallback_kwargs, **f_kwargs}}
        return self.model_copy(update=update)

    def with_structured_output(
        self, schema: dict[str, Any] | type, *, include_raw: bool = False, **kwargs: Any
    ) -> ResilientRunnable:
        """Structured output from the primary (retried on unparseable output), else from the fallback."""
        primary = self.primary.with_structured_output(schema, include_raw=include_raw, **kwargs)
        fallback = None
        if self.fallback is not None:
            fallback = _bind_fallback(
                lambda **kw: self.fallback.with_structured_output(schema, include_raw=include_raw, **kw),  # type: ignore[union-attr]
                kwargs,
            )
        return ResilientRunnable(primary=primary, fallback=fallback, policy=self.policy, breaker=self.breaker)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        def attempt() -> ChatResult:
            return _check_result(_parsed_sync(
                lambda: self.primary._generate(portable(messages), stop=stop, **self.primary_kwargs, **kwargs)))

        try:
            result = bounded_call(attempt, self.policy, self.breaker)
            return _stamp_result(result, default_name=_name_of(self.primary), offline=False)
        except Exception as exc:
            if self.fallback is None:
                raise
            log.warning("LLM failed after retries (%s: %s); answering with the fallback", type(exc).__name__, exc)
        result = self.fallback._generate(messages, stop=stop, **self.fallback_kwargs, **kwargs)
        return _stamp_result(result, default_name=_name_of(self.fallback), offline=self.fallback_is_offline)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        async def attempt() -> ChatResult:
            result = await _parsed(
                lambda: self.primary._agenerate(portable(messages), stop=stop, **self.primary_kwargs, **kwargs))
            return _check_result(result)

        try:
            result = await bounded_acall(attempt, self.policy, self.breaker)
            return _stamp_result(result, default_name=_name_of(self.primary), offline=False)
        except Exception as exc:
            if self.fallback is None:
                raise
            log.warning("LLM failed after retries (%s: %s); answering with the fallback", type(exc).__name__, exc)
        result = await self.fallback._agenerate(messages, stop=stop, **self.fallback_kwargs, **kwargs)
        return _stamp_result(result, default_name=_name_of(self.fallback), offline=self.fallback_is_offline)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        model, model_kwargs, offline = self.primary, {**self.primary_kwargs, **kwargs}, False
        try:
            has_first, first, stream = await bounded_acall(
                lambda: _parsed(lambda: _open_stream(
                    lambda: _model_astream(self.primary, portable(messages), stop, model_kwargs))),
                self.policy, self.breaker,
            )
        except Exception as exc:
            if self.fallback is None:
                raise
            log.warning("LLM stream failed after retries (%s: %s); streaming the fallback", type(exc).__name__, exc)
            model, model_kwargs, offline = self.fallback, {**self.fallback_kwargs, **kwargs}, self.fallback_is_offline
            has_first, first, stream = await _open_stream(lambda: _model_astream(model, messages, stop, model_kwargs))
        if not has_first:
            return
        named = False
        async for chunk in _prepend(first, stream):
            named = named or "model_name" in (chunk.generation_info or {}) or "model_name" in chunk.message.response_metadata
            if offline:
                chunk.message.response_metadata.setdefault("offline", True)
            yield chunk
        if not named:
            # model_name is a string, and chunk metadata strings concatenate when merged: add it exactly once.
            meta: dict[str, Any] = {"model_name": _name_of(model)} | ({"offline": True} if offline else {})
            yield ChatGenerationChunk(message=AIMessageChunk(content="", response_metadata=meta))


async def _prepend(first: Any, rest: AsyncIterator[Any]) -> AsyncIterator[Any]:
    yield first
    async for item in rest:
        yield item


class ResilientRunnable(RunnableSerializable[Any, Any]):
    """Any runnable (e.g. a structured-output chain) under the retry policy, with a fallback runnable.

    Used for `with_structured_output`: a reply that does not parse or validate is retried like a 5xx.
    """

    primary: Runnable[Any, Any]
    fallback: Runnable[Any, Any] | None = None
    policy: RetryPolicy = RetryPolicy()
    breaker: CircuitBreaker | None = None

    model_config = ConfigDict(arbitrary_types_allowed=True)

    @staticmethod
    def _check(output: Any) -> Any:
        # include_raw=True returns parse failures instead of raising; treat them as failures to retry.
        if isinstance(output, dict) and output.get("parsing_error") is not None:
            raise output["parsing_error"]
        # Parsers return None when the model's tool call could not be read at all (e.g. arguments that
        # are not JSON); a schema always describes an object, so None is a failure worth retrying.
        if output is None or (isinstance(output, dict) and "parsed" in output and output["parsed"] is None):
            raise OutputParserException("structured output: the model's reply could not be parsed")
        return output

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """Run the primary with retries, then the fallback."""
        try:
            return bounded_call(lambda: self._check(_parsed_sync(lambda: self.primary.invoke(input, config, **kwargs))),
                                self.policy, self.breaker)
        except Exception as exc:
            if self.fallback is None:
                raise
            log.warning("structured call failed after retries (%s); using the fallback", type(exc).__name__)
        return self.fallback.invoke(input, config, **kwargs)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """Async `invoke`."""

        async def attempt() -> Any:
            return self._check(await _parsed(lambda: self.primary.ainvoke(input, config, **kwargs)))

        try:
            return await bounded_acall(attempt, self.policy, self.breaker)
        except Exception as exc:
            if self.fallback is None:
                raise
            log.warning("structured call failed after retries (%s); using the fallback", type(exc).__name__)
        return await self.fallback.ainvoke(input, config, **kwargs)

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        """Stream the primary (retried until its first item), else the fallback."""
        try:
            has_first, first, stream = await bounded_acall(
                lambda: _open_stream(lambda: self.primary.astream(input, config, **kwargs)), self.policy, self.breaker
            )
        except Exception:
            if self.fallback is None:
                raise
            has_first, first, stream = await _open_stream(lambda: self.fallback.astream(input, config, **kwargs))  # type: ignore[union-attr]
        if has_first:
            async for item in _prepend(first, stream):
                yield item

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        """Sync streaming yields the final value once (retries need the whole result)."""
        yield self.invoke(input, config, **kwargs)
