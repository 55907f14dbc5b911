"""Coaching over HTTP on the offline model: open, chat, stream, idempotency, concurrency, access, bad input."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.api.conftest import join_class


async def _open(client, student, **body):  # noqa: ANN001, ANN003, ANN202
    body.setdefault("topic", "price elasticity of demand")
    r = await client.post("/v1/coaching-sessions", json=body, headers=student.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_open_with_struggle_gets_a_socratic_first_reply(client, make_account) -> None:  # noqa: ANN001
    s = await make_account("student")
    data = await _open(client, s, struggle_description="I don't understand price elasticity of demand")
    assert data["syllabus_point"] == "9708.2.2"
    assert data["reply"]["model"] == "offline"
    assert data["reply"]["reply"].rstrip().endswith("?")
    assert [e["role"] for e in data["session_transcript"]] == ["student", "coach"]


async def test_message_turn_returns_reply_outcome_model(client, make_account) -> None:  # noqa: ANN001
    s = await make_account("student")
    sess = await _open(client, s)
    r = await client.post(f"/v1/coaching-sessions/{sess['id']}/messages", json={"content": "when price goes up people buy less"},
                          headers=s.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"reply", "outcome", "model"} and body["outcome"] == "in_progress"
    got = (await client.get(f"/v1/coaching-sessions/{sess['id']}", headers=s.headers)).json()
    assert [e["role"] for e in got["session_transcript"]] == ["student", "coach"]
    assert got["session_transcript"][0]["content"] == "when price goes up people buy less"


async def test_streaming_sends_tokens_then_done(client, make_account) -> None:  # noqa: ANN001
    s = await make_account("student")
    sess = await _open(client, s)
    headers = {**s.headers, "Accept": "text/event-stream"}
    async with client.stream("POST", f"/v1/coaching-sessions/{sess['id']}/messages",
                             json={"content": "I think it is about how much people buy"}, headers=headers) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        raw = "".join([chunk async for chunk in r.aiter_text()])
    blocks = [b for b in raw.strip().split("\n\n") if not b.startswith(":")]  # ":" lines are keep-alives
    events = [(b.split("\n")[0][7:], json.loads(b.split("\n")[1][6:])) for b in blocks]
    kinds = [k for k, _ in events]
    assert kinds[-1] == "done" and kinds.count("token") >= 2
    streamed = "".join(d["text"] for k, d in events if k == "token")
    done = events[-1][1]
    assert streamed.strip() == done["reply"].strip()
    assert done["message"]["role"] == "coach" and done["message"]["content"] == done["reply"]


async def test_idempotency_key_makes_a_retry_a_no_op(client, make_account) -> None:  # noqa: ANN001
    s = await make_account("student")
    sess = await _open(client, s)
    headers = {**s.headers, "Idempotency-Key": "abc-123"}
    url = f"/v1/coaching-sessions/{sess['id']}/messages"
    first = await client.post(url, json={"content": "demand falls when price rises"}, headers=headers)
    again = await client.post(url, json={"content": "demand falls when price rises"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    got = (await client.get(f"/v1/coaching-sessions/{sess['id']}", headers=s.headers)).json()
    assert len(got["session_transcript"]) == 2


async def test_concurrent_posts_are_serialised(client, make_account) -> None:  # noqa: ANN001
    s = await make_account("student")
    sess = await _open(client, s)
    url = f"/v1/coaching-sessions/{sess['id']}/messages"
    texts = [f"message number {i}" for i in range(20)]
    results = await asyncio.gather(*[client.post(url, json={"content": t}, headers=s.headers) for t in texts])
    assert all(r.status_code in (200, 409) for r in results), [r.text for r in results if r.status_code >= 400]
    got = (await client.get(f"/v1/coaching-sessions/{sess['id']}", headers=s.headers)).json()
    transcript = got["session_transcript"]
    ok = sum(r.status_code == 200 for r in results)
    # strictly alternating student/coach: every accepted message got its own reply, none lost or interleaved
    assert [e["role"] for e in transcript] == ["student", "coach"] * ok
    assert sorted(e["content"] for e in transcript[::2]) == sorted(
        t for t, r in zip(texts, results) if r.status_code == 200)


async def test_access_and_bad_input(client, make_account) -> None:  # noqa: ANN001
    s, other, teacher = await make_account("student"), await make_account("student"), await make_account("teacher")
    sess = await _open(client, s)
    url = f"/v1/coaching-sessions/{sess['id']}"
    assert (await client.get(url, headers=other.headers)).status_code == 404
    assert (await client.get(url, headers=teacher.headers)).status_code == 404  # not their student
    assert (await client.post(f"{url}/messages", json={"content": "hi"}, headers=other.headers)).status_code == 404
    r = await client.post(f"{url}/messages", json={"content": "   "}, headers=s.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "content"
    r = await client.post(f"{url}/messages", json={"content": "x" * 5000}, headers=s.headers)
    assert r.status_code == 413 and r.json()["error"]["field"] == "content"
    r = await client.post("/v1/coaching-sessions/00000000-0000-0000-0000-000000000000/messages",
                          json={"content": "hi"}, headers=s.headers)
    assert r.status_code == 404
    r = await client.post("/v1/coaching-sessions", json={"topic": "x", "syllabus_point": "9708.99.9"}, headers=s.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "syllabus_point"
    got = (await client.get(url, headers=s.headers)).json()
    assert got["session_transcript"] == []  # nothing was written by the rejected requests


async def test_outcome_transitions(client, make_account) -> None:  # noqa: ANN001
    s = await make_account("student")
    sess = await _open(client, s)
    url = f"/v1/coaching-sessions/{sess['id']}/outcome"
    r = await client.post(url, json={"outcome": "done"}, headers=s.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "outcome"
    r = await client.post(url, json={"outcome": "resolved"}, headers=s.headers)
    assert r.status_code == 200 and r.json()["outcome"] == "resolved"
    r = await client.post(url, json={"outcome": "needs_more_help"}, headers=s.headers)
    assert r.status_code == 409
    r = await client.post(url, json={"outcome": "in_progress"}, headers=s.headers)
    assert r.status_code == 409
    r = await client.post(f"/v1/coaching-sessions/{sess['id']}/messages", json={"content": "more"}, headers=s.headers)
    assert r.status_code == 409


@pytest.mark.parametrize("role", ["teacher"])
async def test_teacher_of_the_class_can_read_and_list(client, make_account, role) -> None:  # noqa: ANN001
    s, t = await make_account("student"), await make_account(role)
    sess = await _open(client, s)
    c = (await client.post("/v1/classes", json={"name": "A", "subject_code": "9708"}, headers=t.headers)).json()
    await join_class(client, t, c["id"], s)
    assert (await client.get(f"/v1/coaching-sessions/{sess['id']}", headers=t.headers)).status_code == 200
    page = (await client.get(f"/v1/coaching-sessions?student_id={s.id}", headers=t.headers)).json()
    assert [i["id"] for i in page["items"]] == [sess["id"]] and page["total"] == 1


async def test_a_message_queued_behind_the_closing_turn_is_refused(client, make_account, app) -> None:  # noqa: ANN001
    from api.errors import Conflict
    from api.services.coaching_turns import run_turn

    s = await make_account("student")
    sess = await _open(client, s)
    # the route's check passed, then the session closed while this message waited for its turn
    r = await client.post(f"/v1/coaching-sessions/{sess['id']}/outcome", json={"outcome": "resolved"}, headers=s.headers)
    assert r.status_code == 200
    import uuid

    with pytest.raises(Conflict):
        await run_turn(app.state, student_id=s.id, session_id=uuid.UUID(sess["id"]), content="late message",
                       idempotency_key=None)
    got = (await client.get(f"/v1/coaching-sessions/{sess['id']}", headers=s.headers)).json()
    assert got["session_transcript"] == []
