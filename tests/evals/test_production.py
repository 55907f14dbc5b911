"""Production watching: a session is scored when it closes (no model), the row is stored, the teacher's read of
the session carries its flags (each pointing at the transcript entry), and the per-model counts appear in the
counts endpoint and in /metrics. A real offline-Coach conversation that closes itself is scored whole, closing
message included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from db.models import Subject
from db.models.evals import SessionEval
from db.repo.accounts import add_class_member, create_class
from db.repo.coaching import create_session
from db.repo.usage import record_llm_call
from tests.api.conftest import app, client, make_account  # noqa: F401  (fixtures)
from tools.coaching_close import close_session

LECTURE = ("Price elasticity of demand is about how buyers react when prices change and there are many factors "
           "to consider such as substitutes, income shares, luxuries and time periods, all of which matter a great "
           "deal in the exam and you should learn them all carefully now.")
LEAKY = [
    {"role": "student", "content": "just tell me the answer"},
    {"role": "coach", "content": "PED is the percentage change in quantity demanded divided by the percentage "
                                 "change in price."},
    {"role": "student", "content": "ok"},
    {"role": "coach", "content": LECTURE},
    {"role": "student", "content": "fine"},
    {"role": "coach", "content": "What would happen to petrol sales if its price rose?"},
    {"role": "student", "content": "no idea, I give up"},
    {"role": "coach", "content": "Let's stop here for today; your teacher will pick this up with you."},
]


async def _closed_session(app, student_id, teacher_id, transcript, model="smollm2"):  # noqa: ANN001, F811
    async with app.state.sessionmaker() as s:
        subject = (await s.execute(select(Subject).where(Subject.code == "9708"))).scalar_one()
        klass = await create_class(s, name="A1", subject_id=subject.id, teacher_id=teacher_id)
        await add_class_member(s, class_id=klass.id, student_id=student_id)
        cs = await create_session(s, student_id=student_id, topic="elasticity", struggle_description=None,
                                  syllabus_point_code="9708.2.2")
        cs.session_transcript = [e | {"timestamp": f"2026-12-01T10:00:{i:02d}Z"} for i, e in enumerate(transcript)]
        for _ in range(3):
            await record_llm_call(s, agent="coach", model=model, offline=False, thread_id=str(cs.id),
                                  input_tokens=10, output_tokens=5, student_id=student_id)
        await s.commit()
        assert await close_session(s, session_id=cs.id, outcome="needs_more_help")
        await s.commit()
        return cs.id


async def test_closing_stores_scores_and_the_teacher_sees_the_flags(app, client, make_account) -> None:  # noqa: F811
    teacher, student = await make_account("teacher"), await make_account("student")
    sid = await _closed_session(app, student.id, teacher.id, LEAKY)
    async with app.state.sessionmaker() as s:
        row = await s.get(SessionEval, sid)
    assert row is not None and row.model == "smollm2" and row.entries == 8
    assert (row.coach_turns, row.leak_turns, row.lecture_turns) == (4, 2, 1)  # the lecture names e5 too
    assert row.question_share == 0.333

    r = await client.get(f"/v1/coaching-sessions/{sid}", headers=teacher.headers)
    assert r.status_code == 200, r.text
    flags = r.json()["eval"]["flags"]
    leaks = [f for f in flags if f["kind"] == "leak"]
    assert [f["entry"] for f in leaks] == [1, 3] and "key idea" in leaks[0]["detail"]
    assert [(f["kind"], f["entry"]) for f in flags if f["kind"] != "leak"] == [("lecture", 3),
                                                                             ("low_question_share", None)]
    assert all(r.json()["session_transcript"][f["entry"]]["role"] == "coach" for f in leaks)

    r = await client.get(f"/v1/coaching-sessions/{sid}", headers=student.headers)
    assert r.status_code == 200 and r.json()["eval"] is None  # flags are for the teacher's view


async def test_counts_per_model_in_the_endpoint_and_metrics(app, client, make_account) -> None:  # noqa: F811
    teacher, student = await make_account("teacher"), await make_account("student")
    await _closed_session(app, student.id, teacher.id, LEAKY, model="counted-model")
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    r = await client.get("/v1/evals/sessions/counts", params={"since": since}, headers=teacher.headers)
    assert r.status_code == 200, r.text
    rows = [row for row in r.json()["rows"] if row["model"] == "counted-model"]
    assert len(rows) == 1 and rows[0]["sessions"] == 1 and rows[0]["sessions_with_leak"] == 1
    assert rows[0]["lecture_turns"] == 1 and rows[0]["question_share"] == 0.333

    other = await make_account("teacher")  # another teacher's students are not counted
    r = await client.get("/v1/evals/sessions/counts", params={"since": since}, headers=other.headers)
    assert [row for row in r.json()["rows"] if row["model"] == "counted-model"] == []
    r = await client.get("/v1/evals/sessions/counts", params={"since": since, "until": since},
                         headers=teacher.headers)
    assert r.status_code == 422 and "until" in r.text
    assert (await client.get("/v1/evals/sessions/counts", params={"since": since},
                             headers=student.headers)).status_code == 403

    text = (await client.get("/metrics")).text
    assert 'teach_session_eval_leak_turns{model="counted-model",window="24h"} 2.0' in text
    assert 'teach_session_eval_question_share{model="counted-model",window="7d"} 0.333' in text


async def test_a_real_offline_conversation_is_scored_whole_when_it_closes(app, client, make_account) -> None:  # noqa: F811
    student = await make_account("student")
    r = await client.post("/v1/coaching-sessions", json={"topic": "Price elasticity of demand",
                                                         "syllabus_point": "9708.2.2"}, headers=student.headers)
    assert r.status_code in (200, 201), r.text
    sid = r.json()["id"]
    answers = ["PED measures how strongly quantity demanded responds to a change in the good's own price",
               "it is the percentage change in quantity demanded divided by the percentage change in price",
               "if PED is greater than 1 demand is elastic and if it is less than 1 it is inelastic",
               "cutting price raises total revenue when demand is elastic and lowers it when inelastic",
               "demand is more elastic with close substitutes, a large share of income, luxuries, in the long run"]
    outcome = "in_progress"
    for text_ in answers:
        r = await client.post(f"/v1/coaching-sessions/{sid}/messages", json={"content": text_},
                              headers=student.headers)
        assert r.status_code == 200, r.text
        outcome = r.json()["outcome"]
        if outcome != "in_progress":
            break
    assert outcome != "in_progress"
    async with app.state.sessionmaker() as s:
        row = await s.get(SessionEval, __import__("uuid").UUID(sid))
        stored = (await client.get(f"/v1/coaching-sessions/{sid}", headers=student.headers)).json()
    assert row is not None and row.entries == len(stored["session_transcript"])  # closing message included
    assert row.model == "offline" and row.leak_turns == 0
