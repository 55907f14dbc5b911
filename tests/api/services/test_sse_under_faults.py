"""Over real TCP: the SSE stream while the provider misbehaves (the first bytes within a second, keep-alives
while the turn waits, the turn answered by its deadline, the offline model's reply labelled as such), and a
request body shorter than its Content-Length (408 after the body timeout, not a connection held forever)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any

import httpx
import pytest

from tests.api.services.conftest import _make_account, provider_env
from tests.figures import record
from tests.live_server import LiveServer
from tests.llm.fake_openai_server import Fault, Reply

DEADLINE = 2.0


@pytest.fixture(scope="module")
def server(module_db_url: str, fake_provider):  # noqa: ANN001, ANN201
    env = provider_env(fake_provider, TEACH_TURN_DEADLINE_SECONDS=str(DEADLINE), TEACH_SSE_KEEPALIVE_SECONDS="0.3",
                       TEACH_LLM_MAX_ATTEMPTS="3", TEACH_LLM_BACKOFF_INITIAL_SECONDS="0.01",
                       TEACH_LLM_BACKOFF_MAX_SECONDS="0.05", TEACH_LLM_BREAKER_COOLDOWN_SECONDS="4", TEACH_BODY_TIMEOUT_SECONDS="1")
    with LiveServer(module_db_url, env=env) as live:
        # One turn the offline model answers (a 400 is not retried and does not count against the breaker),
        # so its one-off cold start in this process is not mistaken for the deadline overrunning.
        fake_provider.reset()
        fake_provider.default = Fault(400)
        asyncio.run(_stream(live, "warm up"))
        yield live


async def _stream(server: LiveServer, text: str) -> tuple[float, float, list[str], list[tuple[str, Any]]]:
    student = await _make_account(server.db_url, "student")
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
        r = await c.post("/v1/coaching-sessions", json={"topic": "price elasticity"}, headers=student.headers)
        sid = r.json()["id"]
        started, first, raw = time.monotonic(), None, ""
        async with c.stream("POST", f"/v1/coaching-sessions/{sid}/messages", json={"content": text},
                            headers={**student.headers, "Accept": "text/event-stream"}) as resp:
            assert resp.status_code == 200
            async for chunk in resp.aiter_text():
                first = first or time.monotonic() - started
                raw += chunk
    blocks = raw.strip().split("\n\n")
    events = []
    for block in blocks:
        if not block.startswith(":"):
            lines = dict(line.split(": ", 1) for line in block.split("\n"))
            events.append((lines["event"], json.loads(lines["data"])))
    return first or 0.0, time.monotonic() - started, [b for b in blocks if b.startswith(":")], events


async def test_a_hung_provider_the_stream_speaks_at_once_and_answers_by_the_deadline(  # noqa: ANN001
        server, fake_provider) -> None:
    fake_provider.reset()
    fake_provider.default = Reply(text="never sent", delay=60)
    first, total, comments, events = await _stream(server, "I think it is about how much people buy")
    record("sse_hung.deadline_s", DEADLINE)
    record("sse_hung.first_event_s", first)
    record("sse_hung.turn_s", total)
    record("sse_hung.keepalives", len(comments))
    assert first <= 1.0
    assert len(comments) >= 3  # ": accepted" and keep-alives while the turn waited
    assert total <= DEADLINE + 1.5
    done = events[-1]
    assert done[0] == "done" and done[1]["model"] == "offline" and done[1]["reply"]
    assert "".join(d["text"] for k, d in events if k == "token") == done[1]["reply"]
    # The breaker is now open: the next turn does not wait for the provider at all.
    _, again, _, events = await _stream(server, "maybe it depends on substitutes")
    record("sse_hung.breaker_open_turn_s", again)
    assert events[-1][1]["model"] == "offline" and again < 1.0
    await asyncio.sleep(4.1)  # let the cool-down pass for the next test


async def test_malformed_tool_arguments_stream_the_offline_reply_labelled_offline(  # noqa: ANN001
        server, fake_provider) -> None:
    fake_provider.reset()
    fake_provider.default = Reply(text="What makes demand more or less responsive?")
    _, _, _, events = await _stream(server, "hello")  # the probe succeeds: the breaker closes
    assert events[-1][1]["model"] == "fake-tutor-1"
    fake_provider.reset()
    fake_provider.default = Reply(tool_calls=[("lookup_syllabus_point", '{"code": ')])
    _, total, _, events = await _stream(server, "is it the percentage change in quantity?")
    kinds = [k for k, _ in events]
    record("malformed.turn_s", total)
    record("malformed.tokens", kinds.count("token"))
    record("malformed.label_offline", events[-1][1]["model"] == "offline")
    assert kinds[-1] == "done" and kinds.count("token") >= 2
    assert events[-1][1]["model"] == "offline" and events[-1][1]["reply"]
    assert len(fake_provider.requests) >= 2  # the bad output was retried before falling back
    assert total <= DEADLINE + 1.5


async def test_a_body_shorter_than_its_content_length_is_408_after_the_timeout(server) -> None:  # noqa: ANN001
    student = await _make_account(server.db_url, "student")

    def send_short_body() -> tuple[float, bytes]:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            head = (f"POST /v1/coaching-sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {student.token}\r\n"
                    "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n")
            started = time.monotonic()
            sock.sendall(head.encode() + b'{"topic": "supp')  # and then nothing more
            reply = sock.recv(65536)
            took = time.monotonic() - started
            while b"request_timeout" not in reply and (more := sock.recv(65536)):
                reply += more
            return took, reply

    took, reply = await asyncio.to_thread(send_short_body)
    assert reply.startswith(b"HTTP/1.1 408") and b"request_timeout" in reply
    assert took <= 3.0
