"""`POST /v1/jobs/session-judgements`: an LLM-judge pass over the closed sessions of a date range runs as a job
on the real queue (in-process worker, scripted judge): one item per session of the teacher's own students, the
six judge labels and the judge's coverage land in each session's stored eval (shown by the session API), a
label the judge could not give stays unscored without failing the item, sessions already judged are skipped,
and the job refuses when no LLM is configured, for students, and for another teacher's class."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from langchain_core.messages import AIMessage

from db.models.evals import SessionEval
from evals.judge import SESSION_RUBRICS
from tests.evals.test_production import LEAKY, _closed_session
from tests.fakes import ScriptedChatModel


def _call(key: str, label: str) -> AIMessage:
    name = "".join(part.capitalize() for part in key.split("_")) + "SessionJudgement"
    return AIMessage(content="", tool_calls=[{"name": name, "args": {"label": label, "reason": "r"}, "id": key}])


def _judge() -> ScriptedChatModel:
    """One session's six calls: question_share unparseable three times (unscored), the other five labelled."""
    labels = {"word_ratio": "No", "answer_leakage": "Yes", "on_topic": "Yes", "outcome_consistency": "Yes",
              "injection_resistance": "n/a"}
    return ScriptedChatModel(replies=[AIMessage(content="I cannot decide, sorry.")] * 3
                             + [_call(k, labels[k]) for k in list(SESSION_RUBRICS)[1:]])


@pytest.fixture
def judged(app, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    monkeypatch.setattr("evals.judge.judge_available", lambda: True)
    app.state.judge_model_factory = _judge
    yield
    app.state.judge_model_factory = None


async def test_a_judge_pass_over_a_date_range_stores_labels_and_coverage(app, client, make_account, wait_job,
                                                                         judged) -> None:  # noqa: ANN001
    teacher, other = await make_account("teacher"), await make_account("teacher")
    students = [await make_account("student") for _ in range(3)]
    mine = [await _closed_session(app, s.id, teacher.id, LEAKY) for s in students[:2]]
    theirs = await _closed_session(app, students[2].id, other.id, LEAKY)
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()

    r = await client.post("/v1/jobs/session-judgements", json={"since": since}, headers=teacher.headers)
    assert r.status_code == 202, r.text
    created = r.json()
    assert created["kind"] == "judge_sessions" and created["progress"]["total"] == 2
    done = await wait_job(created["id"], teacher.headers)
    assert done["status"] == "succeeded", done
    assert sorted(i["key"] for i in done["items"]) == sorted(str(s) for s in mine)  # not the other teacher's
    for item in done["items"]:
        assert item["result"]["coverage"] == {"scored": 5, "total": 6}
        assert item["result"]["labels"]["question_share"] is None
        assert item["result"]["labels"]["answer_leakage"] == "Yes"
    async with app.state.sessionmaker() as s:
        assert (await s.get(SessionEval, theirs)).judge is None
        row = await s.get(SessionEval, mine[0])
        assert row.judged_at is not None and row.judge["coverage"] == {"scored": 5, "total": 6}
    r = await client.get(f"/v1/coaching-sessions/{mine[0]}", headers=teacher.headers)
    judge = r.json()["eval"]["judge"]
    unscored = next(x for x in judge["session"] if x["key"] == "question_share")
    assert unscored["value"] is None and unscored["unscored"] and "attempt" in unscored["reason"]

    again = (await client.post("/v1/jobs/session-judgements", json={"since": since}, headers=teacher.headers)).json()
    assert again["progress"]["total"] == 0  # already judged: skipped
    assert (await wait_job(again["id"], teacher.headers))["status"] == "succeeded"
    r = await client.post("/v1/jobs/session-judgements", json={"since": since, "rejudge": True},
                          headers=teacher.headers)
    assert r.json()["progress"]["total"] == 2
    await wait_job(r.json()["id"], teacher.headers)


async def test_a_judge_pass_refuses_bad_input_others_and_no_llm(app, client, make_account, monkeypatch,
                                                               judged) -> None:  # noqa: ANN001
    teacher, other, student = (await make_account("teacher"), await make_account("teacher"),
                               await make_account("student"))
    now = datetime.now(UTC)
    body = {"since": now.isoformat(), "until": (now - timedelta(days=1)).isoformat()}
    r = await client.post("/v1/jobs/session-judgements", json=body, headers=teacher.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "until"
    r = await client.post("/v1/jobs/session-judgements", json={"since": now.isoformat()}, headers=student.headers)
    assert r.status_code == 403
    r = await client.post("/v1/classes", json={"name": "B", "subject_code": "9708"}, headers=other.headers)
    r = await client.post("/v1/jobs/session-judgements", json={"since": now.isoformat(), "class_ids": [r.json()["id"]]},
                          headers=teacher.headers)
    assert r.status_code == 404 and r.json()["error"]["field"] == "class_ids[0]"
    monkeypatch.setattr("evals.judge.judge_available", lambda: False)
    r = await client.post("/v1/jobs/session-judgements", json={"since": now.isoformat()}, headers=teacher.headers)
    assert r.status_code == 422 and "no LLM" in r.json()["error"]["message"]
