"""A tool-calling history reaches the server with string content on every message (llama.cpp's server
rejects `content: null` with a 500, which used to open the breaker on every closing turn)."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from agents.llm import get_chat_model, model_label
from agents.wire_messages import portable
from tests.llm.fake_openai_server import FakeOpenAI, Reply, settings_for

CALL = {"name": "record_session_outcome", "args": {"outcome": "resolved", "summary": "done"}, "id": "call_1"}
HISTORY = [SystemMessage("[role: coach] You are a Socratic tutor."), HumanMessage("I get it now, thanks"),
           AIMessage(content="", tool_calls=[CALL]), ToolMessage("recorded", tool_call_id="call_1")]


async def test_the_server_receives_string_content_for_a_tool_call_only_message(fake_openai: FakeOpenAI) -> None:
    fake_openai.default = Reply(text="Well done today. What will you revise next?")
    model = get_chat_model("coach", settings=settings_for(fake_openai, model="fake-tutor-1"))
    reply = await model.ainvoke(HISTORY)
    assert model_label(reply) == "fake-tutor-1"
    sent = fake_openai.requests[-1].body["messages"]
    assert all(isinstance(m.get("content"), str) and m["content"] for m in sent)
    assert sent[2]["tool_calls"][0]["function"]["name"] == "record_session_outcome"
    assert sent[2]["content"] == "(calling record_session_outcome)"


def test_messages_without_content_less_tool_calls_are_passed_through_unchanged() -> None:
    plain = [SystemMessage("s"), HumanMessage("h"), AIMessage("a")]
    assert portable(plain) is plain
    assert portable(HISTORY)[2].tool_calls == HISTORY[2].tool_calls and HISTORY[2].content == ""
