"""Quotas: one student hammering gets 429s with Retry-After after the limit while others are served; limits
are rows in PostgreSQL, so two instances share them; a spent token budget makes the offline model answer (or
429, as the school chooses); teachers read the spend per student from the recorded usage."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid

import httpx
import pytest

from api.services.quotas import QuotaSettings
from tests.figures import record


async def _open(client, account) -> str:  # noqa: ANN001
    r = await client.post("/v1/coaching-sessions", json={"topic": "price elasticity"}, headers=account.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def _turn(client, account, sid: str, text: str = "I think demand falls") -> tuple[int, float, httpx.Response]:  # noqa: ANN001
    started = time.monotonic()
    r = await client.post(f"/v1/coaching-sessions/{sid}/messages", json={"content": text}, headers=account.headers)
    return r.status_code, time.monotonic() - started, r


async def test_one_student_hammering_is_limited_and_others_are_not_slowed(client, make_account) -> None:  # noqa: ANN001
    limit = QuotaSettings().student_turns_per_minute
    loud, quiet = await make_account("student"), await make_account("student")
    loud_sid, quiet_sid = await _open(client, loud), await _open(client, quiet)
    idle = [(await _turn(client, quiet, await _open(client, quiet)))[1] for _ in range(5)]

    async def hammer() -> list[httpx.Response]:
        return [r for _, _, r in await asyncio.gather(*[_turn(client, loud, loud_sid) for _ in range(limit + 15)])]

    async def meanwhile() -> list[tuple[int, float, httpx.Response]]:
        return [await _turn(client, quiet, quiet_sid) for _ in range(5)]

    hammered, quiet_turns = await asyncio.gather(hammer(), meanwhile())
    codes = [r.status_code for r in hammered]
    record("hammer.turns_sent", len(codes))
    record("hammer.limit", limit)
    record("hammer.429", codes.count(429))
    record("hammer.quiet_idle_median_s", statistics.median(idle))
    record("hammer.quiet_loaded_median_s", statistics.median(t for _, t, _ in quiet_turns))
    # (the offline Coach may close the hammered session meanwhile: those turns are 409, still counted)
    assert codes.count(200) + codes.count(409) == limit and codes.count(429) == 15 and codes.count(200) >= 1
    refused = next(r for r in hammered if r.status_code == 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "messages this minute" in refused.json()["error"]["message"]
    assert {c for c, _, _ in quiet_turns} <= {200, 409}  # served (409: the Coach closed the session), never 429
    # The quiet student shares the process with the hammering one but not its quota or its session lock.
    assert statistics.median(t for _, t, _ in quiet_turns) <= 3 * statistics.median(idle) + 0.25


async def test_two_instances_share_the_limit(db_url, client, make_account) -> None:  # noqa: ANN001
    from api.app import create_app

    limit = QuotaSettings().student_turns_per_minute
    student = await make_account("student")
    sids = [await _open(client, student) for _ in range(limit + 2)]  # one session per turn: none closes early
    other = create_app(database_url=db_url)
    async with other.router.lifespan_context(other):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://b") as second:
            codes = [(await _turn((client, second)[i % 2], student, sid, f"turn {i}"))[0]
                     for i, sid in enumerate(sids)]
    assert codes == [200] * limit + [429, 429]


async def test_sessions_per_hour(client, make_account, monkeypatch: pytest.MonkeyPatch, db_url) -> None:  # noqa: ANN001
    from api.app import create_app

    monkeypatch.setenv("TEACH_QUOTA_STUDENT_SESSIONS_PER_HOUR", "3")
    app = create_app(database_url=db_url)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as c:
            student = await make_account("student")
            codes = [(await c.post("/v1/coaching-sessions", json={"topic": "supply"}, headers=student.headers))
                     .status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]


async def _spend_tokens(app, student_id: uuid.UUID, tokens: int) -> None:  # noqa: ANN001
    from db.repo.usage import record_llm_call

    async with app.state.sessionmaker() as s:
        await record_llm_call(s, agent="coach", model="gpt-x", offline=False, thread_id=None,
                              input_tokens=tokens, output_tokens=0, student_id=student_id)
        await s.commit()


async def test_a_spent_token_budget_answers_offline_and_teachers_see_the_spend(  # noqa: ANN001
        app, client, make_account) -> None:
    teacher, student = await make_account("teacher"), await make_account("student")
    r = await client.post("/v1/classes", json={"name": "12B", "subject_code": "9708"}, headers=teacher.headers)
    class_id = r.json()["id"]
    from db.repo.accounts import add_class_member

    async with app.state.sessionmaker() as s:  # (membership by invite is another test's business)
        await add_class_member(s, class_id=uuid.UUID(class_id), student_id=student.id)
        await s.commit()
    await _spend_tokens(app, student.id, QuotaSettings().student_tokens_per_day)
    sid = await _open(client, student)
    code, _, r = await _turn(client, student, sid)
    assert code == 200 and r.json()["model"] == "offline"
    spend = (await client.get(f"/v1/classes/{class_id}/spend", headers=teacher.headers)).json()
    assert spend["input_tokens"] >= QuotaSettings().student_tokens_per_day  # (+ the offline turn's estimate)
    assert [s["student_id"] for s in spend["students"]] == [str(student.id)]
    assert spend["students"][0]["calls"] >= 2 and spend["students"][0]["offline_calls"] >= 1
    assert (await client.get(f"/v1/classes/{class_id}/spend", headers=student.headers)).status_code == 403
    one = await client.get(f"/v1/students/{student.id}/spend?days=7", headers=teacher.headers)
    assert one.status_code == 200 and one.json()["input_tokens"] == spend["input_tokens"]
    # The offline turns that followed cost nothing: the budget counts only the configured model's tokens.
    code, _, r = await _turn(client, student, sid, "maybe it depends on substitutes")
    assert code == 200 and r.json()["model"] == "offline"


async def test_a_spent_budget_is_429_when_the_school_chose_so(make_account, monkeypatch, db_url) -> None:  # noqa: ANN001
    from api.app import create_app

    monkeypatch.setenv("TEACH_QUOTA_OFFLINE_WHEN_SPENT", "false")
    app = create_app(database_url=db_url)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://d") as c:
            student = await make_account("student")
            await _spend_tokens(app, student.id, QuotaSettings().student_tokens_per_day)
            sid = await _open(c, student)
            code, _, r = await _turn(c, student, sid)
    assert code == 429 and "budget" in r.json()["error"]["message"] and int(r.headers["Retry-After"]) >= 1
