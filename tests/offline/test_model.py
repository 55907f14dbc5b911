"""OfflineChatModel plumbing: offline marks, token estimates, streaming, tool binding, structured output, roles."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.offline import OfflineChatModel, OfflineReply, OfflineRequest, estimate_tokens, register_role
from agents.offline.roles import registered_roles, unregister_role


class Verdict(BaseModel):
    """A small structured answer used to test with_structured_output."""

    score: int = Field(ge=0, le=10)
    reason: str


@pytest.fixture
def echo_role():
    """A throwaway role: answers structured requests with a Verdict-shaped call, else echoes or calls a tool."""

    def handler(request: OfflineRequest) -> OfflineReply:
        forced = request.structured_tool()
        if forced is not None:
            name = forced["function"]["name"]
            return OfflineReply(tool_calls=[{"name": name, "args": {"score": 7, "reason": request.last_human_text}}])
        if request.tools:
            return OfflineReply(text="calling", tool_calls=[{"name": request.tool_names[0], "args": {"x": 1}}])
        return OfflineReply(text=f"You said: {request.last_human_text}")

    register_role("echo_test", handler)
    yield "echo_test"
    unregister_role("echo_test")


def _messages(text: str, role: str = "echo_test") -> list[Any]:
    return [SystemMessage(f"[role: {role}]\nBe helpful."), HumanMessage(text)]


def test_every_reply_is_marked_offline_with_usage(echo_role):
    reply = OfflineChatModel().invoke(_messages("hello there"))
    assert reply.content == "You said: hello there"
    assert reply.response_metadata["offline"] is True
    assert reply.response_metadata["model_name"] == "offline"
    assert reply.additional_kwargs["offline"] is True
    usage = reply.usage_metadata
    assert usage["input_tokens"] > 0 and usage["output_tokens"] == estimate_tokens("You said: hello there")
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


def test_usage_estimate_grows_with_the_prompt(echo_role):
    model = OfflineChatModel()
    short = model.invoke(_messages("hi")).usage_metadata["input_tokens"]
    history = [AIMessage("a previous long reply " * 20), HumanMessage("and another question " * 20)]
    long_ = model.invoke([*_messages("hi"), *history]).usage_metadata["input_tokens"]
    assert long_ > short + 100


@given(st.text(max_size=60), st.text(max_size=60))
def test_token_estimate_is_additive_over_separate_words(a, b):
    assert estimate_tokens(f"{a} {b}") == estimate_tokens(a) + estimate_tokens(b)


def test_same_input_gives_the_same_reply(echo_role):
    first = OfflineChatModel().invoke(_messages("repeat me"))
    second = OfflineChatModel().invoke(_messages("repeat me"))
    assert (first.content, first.usage_metadata) == (second.content, second.usage_metadata)


def test_stream_yields_words_that_add_up_to_the_invoke_result(echo_role):
    model = OfflineChatModel()
    messages = _messages("one two three four")
    chunks = list(model.stream(messages))
    assert len(chunks) >= 5  # word by word, then the final metadata chunk
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    invoked = model.invoke(messages)
    assert total.content == invoked.content
    assert total.usage_metadata == invoked.usage_metadata
    assert total.response_metadata["offline"] is True and total.response_metadata["model_name"] == "offline"


async def test_astream_with_tools_adds_up_to_ainvoke(echo_role):
    def lookup(x: int) -> str:
        """Look something up."""
        return str(x)

    model = OfflineChatModel().bind_tools([lookup])
    messages = _messages("go")
    total = None
    async for chunk in model.astream(messages):
        total = chunk if total is None else total + chunk
    invoked = await model.ainvoke(messages)
    assert total.content == invoked.content == "calling"
    assert [(c["name"], c["args"], c["id"]) for c in total.tool_calls] == [
        (c["name"], c["args"], c["id"]) for c in invoked.tool_calls]


def test_bind_tools_passes_openai_schemas_and_returns_tool_calls(echo_role):
    def record_score(x: int) -> str:
        """Record a score."""
        return str(x)

    reply = OfflineChatModel().bind_tools([record_score], tool_choice="auto").invoke(_messages("go"))
    assert reply.tool_calls[0]["name"] == "record_score"
    assert reply.tool_calls[0]["args"] == {"x": 1}
    assert reply.tool_calls[0]["id"].startswith("call_offline_")


def test_with_structured_output_parses_the_roles_tool_call(echo_role):
    structured = OfflineChatModel().with_structured_output(Verdict)
    verdict = structured.invoke(_messages("because reasons"))
    assert verdict == Verdict(score=7, reason="because reasons")


def test_unknown_role_gets_an_honest_reply():
    reply = OfflineChatModel().invoke(_messages("hi", role="astrologer"))
    assert "astrologer" in reply.content and "offline" in reply.content
    assert "coach" in reply.content  # says which roles it can play
    assert reply.response_metadata["offline"] is True


def test_missing_role_line_is_explained():
    reply = OfflineChatModel().invoke([HumanMessage("hello")])
    assert "[role: coach]" in reply.content


def test_coach_is_registered_and_registration_is_one_call(echo_role):
    assert "coach" in registered_roles()
    assert "echo_test" in registered_roles()


def test_every_role_module_imports_cleanly():
    from agents.offline.roles import role_import_errors

    assert role_import_errors() == {}
