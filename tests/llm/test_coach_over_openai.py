"""The Coach over the real `ChatOpenAI` path, against a local OpenAI-compatible HTTP server started by the tests.

Whole turns through the compiled workflow (and one through the HTTP API with streaming): a normal reply,
a tool call the ToolNode runs, and each injected fault — 429 with Retry-After, 500, a timeout, malformed
tool-call JSON — first recovered by a bounded retry, then persisting until the offline model answers.
In every case the student's message is in the stored transcript.
"""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from agents.llm import get_chat_model
from agents.state import GraphContext
from db.repo.coaching import create_session, get_session
from tests.llm.fake_openai_server import FakeOpenAI, Fault, Reply, settings_for

MODEL = "fake-tutor-1"  # the name the fake server echoes back, so a reply from it is recognisable
MAX_ATTEMPTS = 3
TIMEOUT = 0.3
QUESTION = "What do you think happens to the quantity people buy when the price rises?"


def _factory(server: FakeOpenAI, **overrides: Any):  # noqa: ANN202
    """The model factory the app would build from settings, pointed at the fake server."""
    settings = settings_for(server, model=MODEL, max_attempts=MAX_ATTEMPTS, timeout_seconds=TIMEOUT, **overrides)
    return functools.partial(get_chat_model, settings=settings)


async def _open(sessionmaker, student, code: str = "9708.2.2") -> uuid.UUID:  # noqa: ANN001
    async with sessionmaker() as s:
        cs = await create_session(s, student_id=student.id, topic="elasticity", struggle_description=None,
                                  syllabus_point_code=code)
        await s.commit()
    return cs.id


async def _turn(graph, sessionmaker, student, sid, text, factory) -> dict[str, Any]:  # noqa: ANN001
    ctx = GraphContext(sessionmaker=sessionmaker, student_id=student.id, session_id=sid, model_factory=factory)
    return await graph.ainvoke({"kind": "chat", "student_message": text},
                               config={"configurable": {"thread_id": str(sid)}}, context=ctx)


async def _stored(sessionmaker, sid):  # noqa: ANN001, ANN202
    async with sessionmaker() as s:
        return await get_session(s, session_id=sid)


def _sent_messages(server: FakeOpenAI, n: int = 0) -> list[dict[str, Any]]:
    return server.requests[n].body["messages"]


async def test_a_normal_turn_returns_the_servers_question(graph, sessionmaker, student,  # noqa: ANN001
                                                          fake_openai: FakeOpenAI) -> None:
    sid = await _open(sessionmaker, student)
    fake_openai.enqueue(Reply(text=QUESTION, prompt_tokens=321, completion_tokens=17))
    said = "I think elasticity is something about prices"

    out = await _turn(graph, sessionmaker, student, sid, said, _factory(fake_openai))

    assert out["reply"] == QUESTION
    assert out["reply_model"] == MODEL
    assert out["outcome"] == "in_progress"
    assert len(fake_openai.requests) == 1
    body = fake_openai.requests[0].body
    assert body["model"] == MODEL
    # The real prompt went over the wire: a system prompt, the student's words, and the Coach's tools.
    assert body["messages"][0]["role"] == "system"
    assert any(m["role"] == "user" and said in str(m["content"]) for m in body["messages"])
    assert {t["function"]["name"] for t in body["tools"]} >= {"record_session_outcome", "lookup_syllabus_point"}
    cs = await _stored(sessionmaker, sid)
    assert [(e["role"], e["content"]) for e in cs.session_transcript] == [("student", said), ("coach", QUESTION)]


async def test_a_tool_call_from_the_server_runs_and_records_the_outcome(graph, sessionmaker, student,  # noqa: ANN001
                                                                       fake_openai: FakeOpenAI) -> None:
    sid = await _open(sessionmaker, student)
    closing = "Well done — you explained it in your own words."
    args = json.dumps({"outcome": "resolved", "summary": "explained PED as responsiveness to price"})
    fake_openai.enqueue(Reply(tool_calls=[("record_session_outcome", args)]), Reply(text=closing))
    said = "PED is how much quantity demanded responds to a change in price"

    out = await _turn(graph, sessionmaker, student, sid, said, _factory(fake_openai))

    assert out["reply"] == closing and out["reply_model"] == MODEL
    assert out["outcome"] == "resolved"
    assert len(fake_openai.requests) == 2
    # The second request carried the ToolNode's result back to the model, answering the server's call id.
    second = _sent_messages(fake_openai, 1)
    [call_msg] = [m for m in second if m["role"] == "assistant" and m.get("tool_calls")]
    [tool_msg] = [m for m in second if m["role"] == "tool"]
    assert tool_msg["tool_call_id"] == call_msg["tool_calls"][0]["id"]
    assert "Session closed as resolved" in tool_msg["content"]
    cs = await _stored(sessionmaker, sid)
    assert cs.outcome == "resolved"
    assert [(e["role"], e["content"]) for e in cs.session_transcript] == [("student", said), ("coach", closing)]


@dataclass(frozen=True)
class FaultCase:
    """One injected fault: what the server does wrong."""

    name: str
    bad: Reply | Fault


FAULTS = [
    FaultCase("429 with Retry-After", Fault(429, headers={"Retry-After": "1"})),
    FaultCase("500", Fault(500)),
    FaultCase("timeout", Reply(text="this answer arrives too late", delay=1.0)),
    FaultCase("malformed tool-call JSON",
              Reply(tool_calls=[("record_session_outcome", '{"outcome": "resolved", "summ')])),
]


def _asks_to_wait(case: FaultCase) -> bool:
    return isinstance(case.bad, Fault) and "Retry-After" in case.bad.headers


@pytest.mark.parametrize("case", FAULTS, ids=lambda c: c.name)
async def test_a_fault_then_recovery_answers_with_the_servers_reply(graph, sessionmaker, student,  # noqa: ANN001
                                                                   fake_openai: FakeOpenAI, case: FaultCase) -> None:
    sid = await _open(sessionmaker, student)
    fake_openai.enqueue(case.bad, Reply(text=QUESTION))
    said = f"is it about how much people buy? ({case.name})"

    out = await _turn(graph, sessionmaker, student, sid, said, _factory(fake_openai))

    assert out["reply"] == QUESTION and out["reply_model"] == MODEL
    assert out["outcome"] == "in_progress"  # the malformed call was never executed
    assert len(fake_openai.requests) == 2  # one failure, one retry: bounded
    assert fake_openai.requests[0].body == fake_openai.requests[1].body  # the same request, repeated
    if _asks_to_wait(case):
        assert fake_openai.gaps()[0] >= 0.95, "the server's Retry-After: 1 was not honoured"
    cs = await _stored(sessionmaker, sid)
    assert cs.outcome == "in_progress"
    assert [(e["role"], e["content"]) for e in cs.session_transcript] == [("student", said), ("coach", QUESTION)]


@pytest.mark.parametrize("case", FAULTS, ids=lambda c: c.name)
async def test_a_persistent_fault_ends_in_the_offline_model(graph, sessionmaker, student,  # noqa: ANN001
                                                           fake_openai: FakeOpenAI, case: FaultCase) -> None:
    sid = await _open(sessionmaker, student)
    fake_openai.default = case.bad
    said = f"I don't understand price elasticity of demand ({case.name})"

    out = await _turn(graph, sessionmaker, student, sid, said, _factory(fake_openai))

    assert out["reply_model"] == "offline"
    assert out["reply"].strip() and out["reply"] != "this answer arrives too late"
    assert out["outcome"] == "in_progress"
    assert len(fake_openai.requests) == MAX_ATTEMPTS
    if _asks_to_wait(case):
        assert min(fake_openai.gaps()) >= 0.95, "every retry should wait the Retry-After"
    cs = await _stored(sessionmaker, sid)
    assert cs.outcome == "in_progress"
    assert [(e["role"], e["content"]) for e in cs.session_transcript] == [("student", said), ("coach", out["reply"])]


# --- the HTTP API, configured from the environment like a deployment -------------------------------------


@pytest.fixture
async def app(db_url: str, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """The real app whose LLM settings (read once at start) point at the fake server."""
    env = {
        "OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": "dummy", "TEACH_LLM_MODEL": MODEL,
        "TEACH_LLM_TIMEOUT_SECONDS": str(TIMEOUT), "TEACH_LLM_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        "TEACH_LLM_BACKOFF_INITIAL_SECONDS": "0.01", "TEACH_LLM_BACKOFF_MAX_SECONDS": "0.05",
        "TEACH_LLM_BACKOFF_JITTER_SECONDS": "0.01",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("TEACH_LLM_OFFLINE", raising=False)
    monkeypatch.delenv("TEACH_LLM_COACH_MODEL", raising=False)
    from api.app import create_app

    application = create_app(database_url=db_url)
    async with application.router.lifespan_context(application):
        yield application


def _events(raw: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in raw.strip().split("\n\n"):
        if block.startswith(":"):  # keep-alive comments
            continue
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


async def test_streamed_http_turn_streams_the_stored_reply(client, make_account,  # noqa: ANN001
                                                            fake_openai: FakeOpenAI) -> None:
    student = await make_account("student")
    r = await client.post("/v1/coaching-sessions", json={"topic": "price elasticity of demand"},
                          headers=student.headers)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    fake_openai.enqueue(Fault(500), Reply(text=QUESTION))  # a fault before the first token is retried unseen
    said = "I think it is about how much people buy"

    headers = {**student.headers, "Accept": "text/event-stream"}
    async with client.stream("POST", f"/v1/coaching-sessions/{sid}/messages", json={"content": said},
                             headers=headers) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        raw = "".join([chunk async for chunk in resp.aiter_text()])

    events = _events(raw)
    kinds = [k for k, _ in events]
    assert kinds[-1] == "done" and set(kinds[:-1]) == {"token"} and len(kinds) - 1 == len(QUESTION.split(" "))
    assert "".join(d["text"] for k, d in events if k == "token") == QUESTION
    done = events[-1][1]
    assert done["reply"] == QUESTION and done["model"] == MODEL and done["outcome"] == "in_progress"
    assert len(fake_openai.requests) == 2
    # The stream carries the turn's final (stored, guarded) reply, not raw provider tokens.
    assert all(req.body["model"] == MODEL for req in fake_openai.requests)
    got = (await client.get(f"/v1/coaching-sessions/{sid}", headers=student.headers)).json()
    assert [(e["role"], e["content"]) for e in got["session_transcript"]] == [("student", said), ("coach", QUESTION)]
