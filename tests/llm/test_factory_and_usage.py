"""Settings from the environment, the factory's choice of model, LangGraph token streaming, usage recording."""

from __future__ import annotations

from typing import TypedDict

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langgraph.graph import END, START, StateGraph
from sqlalchemy import select

from agents.llm import get_chat_model, model_label
from agents.llm_settings import LlmSettings
from agents.resilient import ResilientChatModel
from agents.usage import record_message_usage, usage_from_message
from db.models import LlmCall
from db.repo.usage import record_llm_call
from tests.llm.fake_openai_server import FakeOpenAI, Reply, settings_for

ENV_KEYS = ["OPENAI_API_KEY", "OPENAI_BASE_URL", "TEACH_LLM_OFFLINE", "TEACH_LLM_MODEL", "TEACH_LLM_COACH_MODEL",
            "TEACH_LLM_API_KEY", "TEACH_LLM_BASE_URL", "TEACH_LLM_MAX_ATTEMPTS", "TEACH_LLM_TIMEOUT_SECONDS"]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No LLM configuration from the machine running the tests."""
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_settings_read_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    clean_env.setenv("TEACH_LLM_COACH_MODEL", "llama3.1:8b")
    clean_env.setenv("TEACH_LLM_MAX_ATTEMPTS", "6")
    clean_env.setenv("TEACH_LLM_TIMEOUT_SECONDS", "12.5")
    settings = LlmSettings()
    assert settings.llm_configured
    assert settings.base_url == "http://localhost:11434/v1"
    assert settings.model_for("coach") == "llama3.1:8b"
    assert settings.model_for("marker") == "gpt-4o-mini"
    assert (settings.max_attempts, settings.timeout_seconds) == (6, 12.5)


def test_offline_flag_overrides_a_configured_endpoint(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("OPENAI_API_KEY", "sk-test")
    assert LlmSettings().llm_configured
    clean_env.setenv("TEACH_LLM_OFFLINE", "1")
    assert not LlmSettings().llm_configured


def test_nothing_configured_means_offline(clean_env: pytest.MonkeyPatch) -> None:
    assert not LlmSettings().llm_configured


def test_unknown_agent_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="agent"):
        get_chat_model("teacher", settings=LlmSettings(offline=True))  # type: ignore[arg-type]


def test_each_call_builds_a_fresh_model(fake_openai: FakeOpenAI) -> None:
    settings = settings_for(fake_openai)
    first, second = get_chat_model("coach", settings=settings), get_chat_model("coach", settings=settings)
    assert isinstance(first, ResilientChatModel) and isinstance(second, ResilientChatModel)
    assert first is not second and first.primary is not second.primary
    assert first.primary.max_retries == 0  # type: ignore[attr-defined]


def test_offline_model_when_nothing_is_configured(clean_env: pytest.MonkeyPatch) -> None:
    from agents.offline import OfflineChatModel

    assert isinstance(get_chat_model("coach"), OfflineChatModel)
    assert isinstance(get_chat_model("coach", settings=LlmSettings(api_key="sk", offline=True)), OfflineChatModel)


def test_model_label() -> None:
    assert model_label(AIMessage("x", response_metadata={"model_name": "qwen2.5"})) == "qwen2.5"
    assert model_label(AIMessage("x", response_metadata={"model_name": "m", "offline": True})) == "offline"
    assert model_label(AIMessage("x", additional_kwargs={"offline": True})) == "offline"
    assert model_label(AIMessage("x")) == "unknown"


def test_usage_from_message() -> None:
    msg = AIMessage("x", usage_metadata={"input_tokens": 120, "output_tokens": 30, "total_tokens": 150})
    assert usage_from_message(msg) == (120, 30)
    assert usage_from_message(AIMessage("no usage")) == (0, 0)


class _State(TypedDict):
    messages: list


async def test_langgraph_message_stream_carries_each_token_once(fake_openai: FakeOpenAI) -> None:
    """A node that calls `ainvoke` still streams tokens in LangGraph's "messages" mode, without duplicates."""
    fake_openai.enqueue(Reply(text="Which way does the demand curve shift?"))
    model = get_chat_model("coach", settings=settings_for(fake_openai))

    async def node(state: _State) -> _State:
        return {"messages": state["messages"] + [await model.ainvoke(state["messages"])]}

    graph = StateGraph(_State).add_node("coach", node).add_edge(START, "coach").add_edge("coach", END).compile()
    tokens = [
        chunk.content
        async for chunk, _meta in graph.astream({"messages": [HumanMessage("hi")]}, stream_mode="messages")
        if isinstance(chunk, AIMessageChunk) and chunk.content
    ]
    assert len(tokens) > 1
    assert "".join(tokens) == "Which way does the demand curve shift?"


async def test_record_llm_call_writes_a_row(session) -> None:
    msg = AIMessage("x", response_metadata={"model_name": "gpt-4o-mini"},
                    usage_metadata={"input_tokens": 200, "output_tokens": 40, "total_tokens": 240})
    await record_message_usage(session, agent="coach", message=msg, thread_id="thread-1")
    await record_llm_call(session, agent="marker", model="offline", offline=True, thread_id=None,
                          input_tokens=0, output_tokens=0)
    await session.commit()
    rows = (await session.execute(select(LlmCall).order_by(LlmCall.agent))).scalars().all()
    assert [(r.agent, r.model, r.offline, r.thread_id, r.input_tokens, r.output_tokens) for r in rows] == [
        ("coach", "gpt-4o-mini", False, "thread-1", 200, 40),
        ("marker", "offline", True, None, 0, 0),
    ]


async def test_record_llm_call_refuses_bad_input_and_writes_nothing(session) -> None:
    with pytest.raises(ValueError, match="agent"):
        await record_llm_call(session, agent="boss", model="m", offline=False, thread_id=None,
                              input_tokens=1, output_tokens=1)
    with pytest.raises(ValueError, match="input_tokens"):
        await record_llm_call(session, agent="coach", model="m", offline=False, thread_id=None,
                              input_tokens=-1, output_tokens=1)
    await session.commit()
    assert (await session.execute(select(LlmCall))).scalars().all() == []

