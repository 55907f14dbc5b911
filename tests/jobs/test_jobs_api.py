"""`/v1/jobs` on the real queue with the app's in-process worker: class/cohort plans, marking runs,
progress and per-item results, access, bad input, cancellation, exactly-once items."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select

from db.models import StudyPlan


async def _plans(app) -> int:  # noqa: ANN001
    async with app.state.sessionmaker() as db:
        return (await db.execute(select(func.count()).select_from(StudyPlan))).scalar_one()


async def test_class_plan_job_plans_every_student_once(client, app, make_school, exam_date, wait_job) -> None:  # noqa: ANN001
    school = await make_school(4)
    body = {"class_ids": [school.class_id], "subject_code": "9708", "exam_date": exam_date, "hours_per_day": 2}
    r = await client.post("/v1/jobs/class-plans", json=body, headers=school.teacher.headers)
    assert r.status_code == 202, r.text
    created = r.json()
    assert created["kind"] == "class_plan" and created["status"] in ("queued", "running", "succeeded")
    assert created["progress"]["total"] == 4
    done = await wait_job(created["id"], school.teacher.headers)
    assert done["status"] == "succeeded", done
    assert done["progress"] == {"total": 4, "done": 4, "failed": 0, "cancelled": 0, "pending": 0}
    assert sorted(i["key"] for i in done["items"]) == sorted(str(s.id) for s in school.students)
    for item in done["items"]:  # each result is a real plan of that student, readable by its teacher
        plan = await client.get(f"/v1/study-plans/{item['result']['study_plan_id']}", headers=school.teacher.headers)
        assert plan.status_code == 200 and plan.json()["student_id"] == item["key"]
    assert await _plans(app) == 4


async def test_cohort_of_two_classes_counts_a_shared_student_once(client, app, make_school, exam_date,
                                                                  wait_job) -> None:  # noqa: ANN001
    a = await make_school(2)
    r = await client.post("/v1/classes", json={"name": "B", "subject_code": "9708"}, headers=a.teacher.headers)
    second = r.json()["id"]
    for s in a.students[:1]:
        await client.post(f"/v1/classes/{second}/members", json={"student_id": str(s.id)}, headers=a.teacher.headers)
    body = {"class_ids": [a.class_id, second], "subject_code": "9708", "exam_date": exam_date, "hours_per_day": 1}
    r = await client.post("/v1/jobs/class-plans", json=body, headers=a.teacher.headers)
    assert r.status_code == 202, r.text
    done = await wait_job(r.json()["id"], a.teacher.headers)
    assert done["progress"]["done"] == 2 and await _plans(app) == 2


async def test_jobs_are_404_to_others_and_input_errors_name_the_field(client, make_school, make_account,
                                                                      exam_date) -> None:  # noqa: ANN001
    school = await make_school(1)
    other = await make_account("teacher")
    body = {"class_ids": [school.class_id], "subject_code": "9708", "exam_date": exam_date, "hours_per_day": 2}
    r = await client.post("/v1/jobs/class-plans", json=body, headers=other.headers)
    assert r.status_code == 404 and r.json()["error"]["field"] == "class_ids[0]"
    r = await client.post("/v1/jobs/class-plans", json={**body, "subject_code": "0000"}, headers=school.teacher.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "subject_code"
    r = await client.post("/v1/jobs/class-plans", json={**body, "hours_per_day": 25}, headers=school.teacher.headers)
    assert r.status_code == 422 and "hours_per_day" in r.json()["error"]["field"]
    student = school.students[0]
    r = await client.post("/v1/jobs/class-plans", json=body, headers=student.headers)
    assert r.status_code == 403
    job = (await client.post("/v1/jobs/class-plans", json=body, headers=school.teacher.headers)).json()
    for who in (other, student):
        assert (await client.get(f"/v1/jobs/{job['id']}", headers=who.headers)).status_code == 404
        assert (await client.post(f"/v1/jobs/{job['id']}/cancel", json={}, headers=who.headers)).status_code == 404
    assert (await client.get(f"/v1/jobs/{uuid.uuid4()}", headers=school.teacher.headers)).status_code == 404
    mine = (await client.get("/v1/jobs", headers=school.teacher.headers)).json()
    assert [j["id"] for j in mine] == [job["id"]] and mine[0]["items"] is None


async def test_marking_job_marks_every_answer_once(client, app, make_school, wait_job) -> None:  # noqa: ANN001
    from db.models import AttemptedQuestion, DirectorScorecard, Question

    school = await make_school(3)
    async with app.state.sessionmaker() as db:
        questions = list((await db.execute(select(Question).order_by(Question.ref).limit(2))).scalars())
    subs = [{"student_id": str(s.id), "subject_code": "9708",
             "answers": [{"question_id": str(q.id), "answer": f"demand falls as price rises {i}"} for q in questions]}
            for i, s in enumerate(school.students)]
    r = await client.post("/v1/jobs/markings", json={"submissions": subs}, headers=school.teacher.headers)
    assert r.status_code == 202, r.text
    done = await wait_job(r.json()["id"], school.teacher.headers)
    assert done["status"] == "succeeded" and done["progress"]["done"] == 3, done
    for item in done["items"]:
        assert item["result"]["status"] in ("marked", "awaiting_review")
        assert all(a["marks_awarded"] is not None for a in item["result"]["answers"])
    async with app.state.sessionmaker() as db:
        answers = (await db.execute(select(func.count()).select_from(AttemptedQuestion)
                                    .where(AttemptedQuestion.marks_awarded.is_not(None)))).scalar_one()
        cards = (await db.execute(select(DirectorScorecard.conversation_id, func.count())
                                  .group_by(DirectorScorecard.conversation_id))).all()
    assert answers == 6
    assert len(cards) == 6 and all(n == 1 for _, n in cards)  # one scorecard per answer: marked once
    # A bad answer list is refused with the field named inside the batch, and nothing is stored.
    bad = [{**subs[0], "answers": [{"question_id": str(uuid.uuid4()), "answer": "x"}]}]
    r = await client.post("/v1/jobs/markings", json={"submissions": bad}, headers=school.teacher.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "submissions[0].answers[0].question_id"


async def test_cancel_a_queued_job(db_url, client, make_school, exam_date) -> None:  # noqa: ANN001
    from api.schemas_jobs import ClassPlanJobCreate
    from api.services.jobs import create_class_plan_job
    from db.repo.accounts import get_account

    school = await make_school(2)
    app = client._transport.app
    async with app.state.sessionmaker() as db:  # created, not queued: nothing can start it meanwhile
        teacher = await get_account(db, account_id=school.teacher.id)
        job = await create_class_plan_job(db, user=teacher, body=ClassPlanJobCreate(
            class_ids=[uuid.UUID(school.class_id)], subject_code="9708", exam_date=exam_date, hours_per_day=1))
        await db.commit()
    r = await client.post(f"/v1/jobs/{job.id}/cancel", json={"reason": "wrong exam date"},
                          headers=school.teacher.headers)
    assert r.status_code == 202
    body = r.json()
    assert body["status"] == "cancelled" and body["progress"]["cancelled"] == 2
    assert await _plans(app) == 0


async def test_two_runs_of_one_job_at_once_store_each_plan_once(app, make_school, exam_date) -> None:  # noqa: ANN001
    """Two runs racing on one job (a recovered run while the first is still alive) settle each item once."""
    from api.jobs.runner import run_job
    from api.schemas_jobs import ClassPlanJobCreate
    from api.services.jobs import create_class_plan_job
    from db.repo.accounts import get_account

    school = await make_school(6)
    async with app.state.sessionmaker() as db:
        teacher = await get_account(db, account_id=school.teacher.id)
        job = await create_class_plan_job(db, user=teacher, body=ClassPlanJobCreate(
            class_ids=[uuid.UUID(school.class_id)], subject_code="9708", exam_date=exam_date, hours_per_day=1))
        await db.commit()
    results = await asyncio.gather(*(run_job(app.state, job.id, settings=app.state.job_settings) for _ in range(3)))
    assert "succeeded" in results
    assert await _plans(app) == 6
