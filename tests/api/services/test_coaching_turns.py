"""Idempotent turns in process: a key's body is bound to it, a half-done turn is resumed, never re-appended."""

from __future__ import annotations

import uuid

from db.repo.coaching import append_transcript_entry
from db.repo.idempotency import TurnRecord, request_hash
from tests.api.services.conftest import transcripts


async def _open(client, account) -> str:  # noqa: ANN001
    r = await client.post("/v1/coaching-sessions", json={"topic": "price elasticity of demand"},
                          headers=account.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def test_the_same_key_with_a_different_message_is_refused_and_writes_nothing(  # noqa: ANN001
        client, make_account, db_url) -> None:
    s = await make_account("student")
    sid = await _open(client, s)
    url, headers = f"/v1/coaching-sessions/{sid}/messages", {**s.headers, "Idempotency-Key": "k-1"}
    first = await client.post(url, json={"content": "people buy less when it costs more"}, headers=headers)
    assert first.status_code == 200
    other = await client.post(url, json={"content": "a completely different message"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["error"]["field"] == "Idempotency-Key"
    again = await client.post(url, json={"content": "people buy less when it costs more"}, headers=headers)
    assert again.status_code == 200 and again.json() == first.json()
    stored = (await transcripts(db_url))[uuid.UUID(sid)]
    assert [role for role, _ in stored] == ["student", "coach"]
    assert "a completely different message" not in {content for _, content in stored}


async def test_a_turn_whose_reply_is_missing_is_resumed_not_appended_again(  # noqa: ANN001
        app, client, make_account, db_url) -> None:
    """The state a crash leaves: the message and the key's claim committed, no reply. The retry by key
    produces and stores the reply and does not store the message a second time."""
    s = await make_account("student")
    sid = await _open(client, s)
    said = "I think demand falls because people switch to other goods"
    record = TurnRecord(student_id=s.id, scope=f"coach:{sid}", key="crashed-1",
                        body_hash=request_hash({"content": said}))
    async with app.state.sessionmaker() as db:
        await append_transcript_entry(db, session_id=uuid.UUID(sid), role="student", content=said,
                                      require_open=True)
        await record.claim(db)
        await db.commit()

    r = await client.post(f"/v1/coaching-sessions/{sid}/messages", json={"content": said},
                          headers={**s.headers, "Idempotency-Key": "crashed-1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["reply"] and body["message"]["role"] == "coach"
    stored = (await transcripts(db_url))[uuid.UUID(sid)]
    assert stored == [("student", said), ("coach", body["reply"])]
    again = await client.post(f"/v1/coaching-sessions/{sid}/messages", json={"content": said},
                              headers={**s.headers, "Idempotency-Key": "crashed-1"})
    assert again.json() == body
    assert len((await transcripts(db_url))[uuid.UUID(sid)]) == 2
