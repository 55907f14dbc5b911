"""Turns against a real `uvicorn` process: kill -9 mid-turn, clients that disconnect, a graceful SIGTERM.

Clients retry by Idempotency-Key as a real client would. Afterwards every session's stored transcript must
hold each message exactly once, each followed by its reply: nothing lost, nothing duplicated.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx

from tests.api.services.conftest import provider_env, transcripts
from tests.figures import record
from tests.live_server import LiveServer
from tests.llm.fake_openai_server import Reply

QUESTION = "What happens to the quantity demanded when the price rises?"


async def _open_sessions(url: str, students) -> list[str]:  # noqa: ANN001
    async with httpx.AsyncClient(base_url=url, timeout=30) as c:
        out = []
        for s in students:
            r = await c.post("/v1/coaching-sessions", json={"topic": "price elasticity"}, headers=s.headers)
            assert r.status_code == 201, r.text
            out.append(r.json()["id"])
    return out


async def _post_until_answered(c: httpx.AsyncClient, sid: str, headers: dict, text: str, key: str,
                               counts: dict[str, int], give_up: float) -> dict:
    while time.monotonic() < give_up:
        try:
            r = await c.post(f"/v1/coaching-sessions/{sid}/messages", json={"content": text},
                             headers={**headers, "Idempotency-Key": key})
        except httpx.TransportError:
            counts["transport_errors"] += 1
            await asyncio.sleep(0.2)
            continue
        if r.status_code == 200:
            return r.json()
        assert r.status_code == 503 and "Retry-After" in r.headers, (r.status_code, r.text)
        counts["503"] += 1
        await asyncio.sleep(0.2)
    raise AssertionError(f"message {key} was never answered")


async def test_kill_9_mid_turn_loses_and_duplicates_nothing(db_url, accounts, fake_provider) -> None:  # noqa: ANN001
    fake_provider.reset()
    fake_provider.default = Reply(text=QUESTION, delay=0.5)  # slow enough that turns are in flight at the kill
    students = await accounts("student", 6)
    server = LiveServer(db_url, env=provider_env(fake_provider)).start()
    try:
        sids = await _open_sessions(server.url, students)
        counts = {"transport_errors": 0, "503": 0}
        sent: dict[str, list[tuple[str, str]]] = {sid: [] for sid in sids}

        async def student(s, sid: str) -> None:  # noqa: ANN001
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
                for i in range(3):
                    text = f"message {i}: I think demand falls when the price goes up ({uuid.uuid4().hex[:6]})"
                    answer = await _post_until_answered(c, sid, s.headers, text, f"{sid}-{i}", counts,
                                                        time.monotonic() + 90)
                    sent[sid] += [("student", text), ("coach", answer["reply"])]

        clients = asyncio.gather(*[student(s, sid) for s, sid in zip(students, sids)])
        await asyncio.sleep(1.2)
        server.kill()
        server.start()
        await clients
    finally:
        server.kill()
    assert counts["transport_errors"] > 0, "the kill interrupted no request; the test proved nothing"
    stored = await transcripts(db_url)
    said = [m for sid in sids for m in sent[sid] if m[0] == "student"]
    kept = [m for sid in sids for m in stored[uuid.UUID(sid)] if m[0] == "student"]
    record("kill9.messages", len(said))
    record("kill9.interrupted_requests", counts["transport_errors"])
    record("kill9.duplicated", sum(max(0, kept.count(m) - 1) for m in set(said)))
    record("kill9.lost", sum(1 for m in set(said) if m not in kept))
    for sid in sids:
        assert stored[uuid.UUID(sid)] == sent[sid]  # every message once, in order, each with its reply


async def test_clients_that_disconnect_mid_stream_still_get_their_turn_stored_once(  # noqa: ANN001
        db_url, accounts, fake_provider) -> None:
    fake_provider.reset()
    fake_provider.default = Reply(text=QUESTION, delay=0.8)
    students = await accounts("student", 5)
    with LiveServer(db_url, env=provider_env(fake_provider)) as server:
        sids = await _open_sessions(server.url, students)
        said = "I think it depends on how many substitutes there are"
        first_event_after: list[float] = []

        async def leave_early(s, sid: str) -> None:  # noqa: ANN001
            headers = {**s.headers, "Accept": "text/event-stream", "Idempotency-Key": f"sse-{sid}"}
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
                started = time.monotonic()
                async with c.stream("POST", f"/v1/coaching-sessions/{sid}/messages", json={"content": said},
                                    headers=headers) as r:
                    assert r.status_code == 200
                    async for _ in r.aiter_bytes():
                        first_event_after.append(time.monotonic() - started)
                        break  # the client goes away before the reply exists

        await asyncio.gather(*[leave_early(s, sid) for s, sid in zip(students, sids)])
        assert max(first_event_after) <= 1.0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            stored = await transcripts(db_url)
            if all(len(stored[uuid.UUID(sid)]) == 2 for sid in sids):
                break
            await asyncio.sleep(0.2)
        stored = await transcripts(db_url)
        record("sse_disconnect.turns", len(sids))
        record("sse_disconnect.stored_once_with_reply",
               sum(stored[uuid.UUID(sid)] == [("student", said), ("coach", QUESTION)] for sid in sids))
        record("sse_disconnect.first_event_max_s", max(first_event_after))
        assert all(stored[uuid.UUID(sid)] == [("student", said), ("coach", QUESTION)] for sid in sids), stored
        # The reconnecting client asks again with its key and gets the stored reply; nothing is appended.
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
            for s, sid in zip(students, sids):
                r = await c.post(f"/v1/coaching-sessions/{sid}/messages", json={"content": said},
                                 headers={**s.headers, "Idempotency-Key": f"sse-{sid}"})
                assert r.status_code == 200 and r.json()["reply"] == QUESTION
        assert all(len(v) == 2 for v in (await transcripts(db_url)).values())


async def test_sigterm_finishes_the_turns_in_flight(db_url, accounts, fake_provider) -> None:  # noqa: ANN001
    fake_provider.reset()
    fake_provider.default = Reply(text=QUESTION, delay=1.0)
    students = await accounts("student", 4)
    server = LiveServer(db_url, env=provider_env(fake_provider)).start()
    try:
        sids = await _open_sessions(server.url, students)
        said = "price elasticity is about how much quantity reacts"

        async def post(s, sid: str) -> int:  # noqa: ANN001
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
                r = await c.post(f"/v1/coaching-sessions/{sid}/messages", json={"content": said},
                                 headers={**s.headers, "Idempotency-Key": f"term-{sid}"})
                return r.status_code

        posts = asyncio.gather(*[post(s, sid) for s, sid in zip(students, sids)])
        await asyncio.sleep(0.4)
        code = await asyncio.to_thread(server.terminate)
        assert await posts == [200] * len(sids)
        assert code in (0, -15)  # uvicorn re-raises SIGTERM after its graceful shutdown
    finally:
        server.kill()
    stored = await transcripts(db_url)
    assert all(stored[uuid.UUID(sid)] == [("student", said), ("coach", QUESTION)] for sid in sids)
