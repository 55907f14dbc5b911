"""The chat-model layer against a real OpenAI-compatible HTTP server with injected faults.

Each fault is retried within bounds and then succeeds; persistent faults end in the offline fallback;
Retry-After is honoured; 4xx are not retried; streaming, tool calls, structured output and token usage work
through the real `ChatOpenAI` client.
"""

from __future__ import annotations

import time

import openai
import pytest
from langchain_core.messages import AIMessageChunk
from langchain_core.tools import tool
from pydantic import BaseModel

from agents.llm import get_chat_model, model_label
from agents.resilient import ResilientChatModel
from agents.usage import usage_from_message
from tests.llm.fake_openai_server import MESSAGES, FakeOpenAI, Fault, Reply, settings_for


@tool
def lookup_syllabus_point(code: str) -> str:
    """Look up a syllabus point by its code, e.g. 9708.2.1."""
    return code


class Mark(BaseModel):
    """A mark for an answer."""

    marks: int
    reason: str


async def test_reply_names_its_model_and_reports_token_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="What do you think happens to demand?", prompt_tokens=42, completion_tokens=9))
    model = get_chat_model("coach", settings=settings_for(fake_openai))
    assert isinstance(model, ResilientChatModel)

    ai = await model.ainvoke(MESSAGES)

    assert ai.content == "What do you think happens to demand?"
    assert model_label(ai) == "gpt-4o-mini"
    assert usage_from_message(ai) == (42, 9)
    assert len(fake_openai.requests) == 1
    assert fake_openai.requests[0].body["model"] == "gpt-4o-mini"


async def test_per_agent_model_name_is_sent(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="ok"))
    model = get_chat_model("marker", settings=settings_for(fake_openai, marker_model="llama3.1:8b"))
    ai = await model.ainvoke(MESSAGES)
    assert fake_openai.requests[0].body["model"] == "llama3.1:8b"
    assert model_label(ai) == "llama3.1:8b"


async def test_500s_are_retried_then_succeed(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Fault(500), Fault(503), Reply(text="recovered"))
    ai = await get_chat_model("coach", settings=settings_for(fake_openai)).ainvoke(MESSAGES)
    assert ai.content == "recovered"
    assert model_label(ai) == "gpt-4o-mini"
    assert len(fake_openai.requests) == 3


async def test_rate_limit_waits_for_retry_after(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Fault(429, headers={"Retry-After": "1"}), Reply(text="after the wait"))
    ai = await get_chat_model("coach", settings=settings_for(fake_openai)).ainvoke(MESSAGES)
    assert ai.content == "after the wait"
    [gap] = fake_openai.gaps()
    assert 0.95 <= gap < 1.6, f"expected ~1s wait for Retry-After: 1, got {gap:.3f}s"


async def test_retry_after_is_capped(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Fault(429, headers={"Retry-After": "30"}), Reply(text="soon"))
    settings = settings_for(fake_openai, retry_after_cap_seconds=0.2)
    ai = await get_chat_model("coach", settings=settings).ainvoke(MESSAGES)
    assert ai.content == "soon"
    assert fake_openai.gaps()[0] < 1.0


async def test_a_wait_beyond_the_time_budget_stops_retrying(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Fault(429, headers={"Retry-After": "1"}), Reply(text="never reached"))
    settings = settings_for(fake_openai, max_retry_seconds=0.5, fallback_to_offline=False)
    started = time.monotonic()
    with pytest.raises(openai.RateLimitError):
        await get_chat_model("coach", settings=settings).ainvoke(MESSAGES)
    assert time.monotonic() - started < 0.5
    assert len(fake_openai.requests) == 1


async def test_timeouts_are_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="too slow", delay=1.0), Reply(text="in time"))
    ai = await get_chat_model("coach", settings=settings_for(fake_openai, timeout_seconds=0.3)).ainvoke(MESSAGES)
    assert ai.content == "in time"
    assert len(fake_openai.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 404])
async def test_client_errors_are_not_retried(fake_openai: FakeOpenAI, status: int) -> None:
    fake_openai.enqueue(Fault(status), Reply(text="must not be requested"))
    model = get_chat_model("coach", settings=settings_for(fake_openai, fallback_to_offline=False))
    with pytest.raises(openai.APIStatusError) as err:
        await model.ainvoke(MESSAGES)
    assert err.value.status_code == status
    assert len(fake_openai.requests) == 1


async def test_persistent_faults_stop_after_max_attempts(fake_openai: FakeOpenAI) -> None:
    fake_openai.default = Fault(500)
    model = get_chat_model("coach", settings=settings_for(fake_openai, max_attempts=3, fallback_to_offline=False))
    with pytest.raises(openai.InternalServerError):
        await model.ainvoke(MESSAGES)
    assert len(fake_openai.requests) == 3


async def test_persistent_faults_fall_back_to_the_offline_model(fake_openai: FakeOpenAI) -> None:
    fake_openai.default = Fault(503)
    ai = await get_chat_model("coach", settings=settings_for(fake_openai, max_attempts=2)).ainvoke(MESSAGES)
    assert len(fake_openai.requests) == 2
    assert model_label(ai) == "offline"
    assert isinstance(ai.content, str) and ai.content.strip()


async def test_a_client_error_falls_back_without_retrying(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Fault(400))
    ai = await get_chat_model("coach", settings=settings_for(fake_openai)).ainvoke(MESSAGES)
    assert len(fake_openai.requests) == 1
    assert model_label(ai) == "offline"


async def test_tool_calls_parse_and_tools_are_sent(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(tool_calls=[("lookup_syllabus_point", '{"code": "9708.2.1"}')]))
    model = get_chat_model("coach", settings=settings_for(fake_openai)).bind_tools([lookup_syllabus_point])
    ai = await model.ainvoke(MESSAGES)
    assert [(c["name"], c["args"]) for c in ai.tool_calls] == [("lookup_syllabus_point", {"code": "9708.2.1"})]
    sent = fake_openai.requests[0].body["tools"]
    assert [t["function"]["name"] for t in sent] == ["lookup_syllabus_point"]


async def test_malformed_tool_call_arguments_are_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(
        Reply(tool_calls=[("lookup_syllabus_point", '{"code": "9708.')]),
        Reply(tool_calls=[("lookup_syllabus_point", '{"code": "9708.2.1"}')]),
    )
    model = get_chat_model("coach", settings=settings_for(fake_openai)).bind_tools([lookup_syllabus_point])
    ai = await model.ainvoke(MESSAGES)
    assert ai.tool_calls[0]["args"] == {"code": "9708.2.1"}
    assert not ai.invalid_tool_calls
    assert len(fake_openai.requests) == 2


async def test_structured_output_retries_output_that_does_not_validate(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(
        Reply(tool_calls=[("Mark", '{"marks": "three"')]),  # not JSON
        Reply(tool_calls=[("Mark", '{"marks": 3}')]),  # JSON, but `reason` missing
        Reply(tool_calls=[("Mark", '{"marks": 3, "reason": "two AO1 points, one AO2"}')]),
    )
    settings = settings_for(fake_openai, max_attempts=3)
    structured = get_chat_model("marker", settings=settings).with_structured_output(Mark, method="function_calling")
    mark = await structured.ainvoke(MESSAGES)
    assert mark == Mark(marks=3, reason="two AO1 points, one AO2")
    assert len(fake_openai.requests) == 3


async def test_structured_output_with_json_schema(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text='{"marks": 5, "reason": "full"}'))
    structured = get_chat_model("marker", settings=settings_for(fake_openai)).with_structured_output(Mark)
    mark = await structured.ainvoke(MESSAGES)
    assert mark == Mark(marks=5, reason="full")
    assert fake_openai.requests[0].body["response_format"]["type"] == "json_schema"


async def test_streaming_yields_tokens_as_they_arrive(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(text="What happens to quantity demanded?", prompt_tokens=30, completion_tokens=6))
    model = get_chat_model("coach", settings=settings_for(fake_openai))
    chunks = [c async for c in model.astream(MESSAGES)]
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert len([c for c in chunks if c.content]) == 5
    total = sum(chunks[1:], chunks[0])
    assert total.content == "What happens to quantity demanded?"
    assert model_label(total) == "gpt-4o-mini"
    assert usage_from_message(total) == (30, 6)
    assert fake_openai.requests[0].body["stream"] is True


async def test_streaming_retries_failures_before_the_first_token(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Fault(500), Fault(429, headers={"Retry-After": "0"}), Reply(text="third time lucky"))
    model = get_chat_model("coach", settings=settings_for(fake_openai))
    chunks = [c async for c in model.astream(MESSAGES)]
    assert "".join(str(c.content) for c in chunks) == "third time lucky"
    assert len(fake_openai.requests) == 3


async def test_streaming_tool_calls_parse(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(tool_calls=[("lookup_syllabus_point", '{"code": "9708.3.2"}')]))
    model = get_chat_model("coach", settings=settings_for(fake_openai)).bind_tools([lookup_syllabus_point])
    chunks = [c async for c in model.astream(MESSAGES)]
    total = sum(chunks[1:], chunks[0])
    assert total.tool_calls[0]["name"] == "lookup_syllabus_point"
    assert total.tool_calls[0]["args"] == {"code": "9708.3.2"}


async def test_streaming_falls_back_to_the_offline_model(fake_openai: FakeOpenAI) -> None:
    fake_openai.default = Fault(502)
    model = get_chat_model("coach", settings=settings_for(fake_openai, max_attempts=2))
    chunks = [c async for c in model.astream(MESSAGES)]
    total = sum(chunks[1:], chunks[0])
    assert model_label(total) == "offline"
    assert str(total.content).strip()
    assert len(fake_openai.requests) == 2


async def test_client_does_not_retry_on_its_own(fake_openai: FakeOpenAI) -> None:
    """max_retries=0 on the client: with one attempt allowed, a 500 means exactly one request."""
    fake_openai.default = Fault(500)
    model = get_chat_model("coach", settings=settings_for(fake_openai, max_attempts=1, fallback_to_offline=False))
    with pytest.raises(openai.InternalServerError):
        await model.ainvoke(MESSAGES)
    assert len(fake_openai.requests) == 1


def test_sync_invoke_retries_too(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Fault(500), Reply(text="sync ok"))
    ai = get_chat_model("planner", settings=settings_for(fake_openai)).invoke(MESSAGES)
    assert ai.content == "sync ok"
    assert len(fake_openai.requests) == 2


def test_tools_and_schemas_reach_the_fallback_too(fake_openai: FakeOpenAI) -> None:
    model = get_chat_model("coach", settings=settings_for(fake_openai))
    bound = model.bind_tools([lookup_syllabus_point])
    assert [t["function"]["name"] for t in bound.primary_kwargs["tools"]] == ["lookup_syllabus_point"]
    assert [t["function"]["name"] for t in bound.fallback_kwargs["tools"]] == ["lookup_syllabus_point"]
    structured = model.with_structured_output(Mark, method="function_calling")
    assert structured.fallback is not None


async def test_a_stream_cut_after_tokens_were_sent_raises_instead_of_splicing(fake_openai: FakeOpenAI) -> None:
    """Half an answer followed by a different full answer would garble the reply: the failure surfaces."""
    fake_openai.enqueue(Reply(text="one two three four", cut_after_tokens=2), Reply(text="never requested"))
    model = get_chat_model("coach", settings=settings_for(fake_openai))
    received: list[str] = []
    with pytest.raises(Exception):  # noqa: B017 - whatever the transport reports
        async for chunk in model.astream(MESSAGES):
            received.append(str(chunk.content))
    assert "".join(received) == "one two "
    assert len(fake_openai.requests) == 1
