"""`POST /v1/evals/transcripts:score`: a teacher scores their students' sessions or a posted transcript;
anyone else's session is 404, a student is 403, bad input is 422 naming the field."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from db.models import Subject
from db.repo.accounts import add_class_member, create_class
from db.repo.coaching import create_session, get_session
from tests.api.conftest import app, client, make_account  # noqa: F401  (fixtures)

URL = "/v1/evals/transcripts:score"
LEAKY = [{"role": "student", "content": "help with demand", "timestamp": "2025-01-01T10:00:00Z"},
         {"role": "coach", "content": "Demand means consumers are willing and able to buy it. Got it?",
          "timestamp": "2025-01-01T10:00:02Z"}]


async def _session_of(app, student_id, *, teacher_id=None):  # noqa: F811
    async with app.state.sessionmaker() as s:
        if teacher_id is not None:
            subject = (await s.execute(select(Subject).where(Subject.code == "9708"))).scalar_one()
            klass = await create_class(s, name="A1", subject_id=subject.id, teacher_id=teacher_id)
            await add_class_member(s, class_id=klass.id, student_id=student_id)
        cs = await create_session(s, student_id=student_id, topic="demand", struggle_description=None,
                                  syllabus_point_code="9708.2.1")
        cs.session_transcript = LEAKY
        await s.commit()
        return cs.id


async def test_teacher_scores_their_students_session(app, client, make_account) -> None:  # noqa: F811
    teacher, student = await make_account("teacher"), await make_account("student")
    sid = await _session_of(app, student.id, teacher_id=teacher.id)
    r = await client.post(URL, json={"session_id": str(sid)}, headers=teacher.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["session_id"] == str(sid) and body["syllabus_point"] == "9708.2.1"
    assert [t["index"] for t in body["turns"]] == [1] and len(body["turns"][0]["scores"]) == 8
    session = {s["key"]: s for s in body["session"]}
    assert session["answer_leakage"]["value"] == "Yes" and "willing and able to buy" in session["answer_leakage"]["reason"]
    assert body["judge"] is None

    # an override for scoring only: the stored session is unchanged
    r = await client.post(URL, json={"session_id": str(sid), "outcome": "resolved"}, headers=teacher.headers)
    assert {s["key"]: s["value"] for s in r.json()["session"]}["outcome_consistency"] == "No"
    async with app.state.sessionmaker() as s:
        assert (await get_session(s, session_id=sid)).outcome == "in_progress"


async def test_other_teachers_and_unknown_sessions_are_404_and_students_403(app, client, make_account) -> None:  # noqa: F811
    owner, stranger, student = await make_account("teacher"), await make_account("teacher"), await make_account()
    sid = await _session_of(app, student.id, teacher_id=owner.id)
    r = await client.post(URL, json={"session_id": str(sid)}, headers=stranger.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = await client.post(URL, json={"session_id": str(uuid.uuid4())}, headers=owner.headers)
    assert r.status_code == 404
    r = await client.post(URL, json={"session_id": str(sid)}, headers=student.headers)
    assert r.status_code == 403
    assert (await client.post(URL, json={"session_id": str(sid)})).status_code == 401


async def test_posted_transcript_is_scored(client, make_account) -> None:  # noqa: F811
    teacher = await make_account("teacher")
    good = [{"role": "student", "content": "help with demand"},
            {"role": "coach", "content": "If the price of your favourite snack rose, what would you do?"}]
    r = await client.post(URL, json={"transcript": good, "syllabus_point": "9708.2.1"}, headers=teacher.headers)
    assert r.status_code == 200, r.text
    session = {s["key"]: s["value"] for s in r.json()["session"]}
    assert session["answer_leakage"] == "No" and session["question_share"] == 1.0


@pytest.mark.parametrize("body, field", [
    ({}, "body"),
    ({"session_id": str(uuid.uuid4()), "transcript": LEAKY}, "body"),
    ({"transcript": []}, "transcript"),
    ({"transcript": [{"role": "tutor", "content": "hi"}]}, "transcript.0.role"),
    ({"transcript": [{"role": "coach", "content": "hi", "timestamp": "soon"}]}, "transcript.0.timestamp"),
    ({"transcript": [{"role": "student", "content": "hi"}]}, "transcript"),
    ({"transcript": LEAKY, "syllabus_point": "9708.42.1"}, "syllabus_point"),
    ({"transcript": LEAKY, "outcome": "finished"}, "outcome"),
    ({"transcript": LEAKY, "judge": True}, "judge"),
])
async def test_bad_input_is_422_naming_the_field(client, make_account, monkeypatch, body: dict, field: str) -> None:  # noqa: F811
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TEACH_LLM_API_KEY", "TEACH_LLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)  # judge: no LLM configured in this test
    teacher = await make_account("teacher")
    r = await client.post(URL, json=body, headers=teacher.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
