"""Study plans over HTTP on real Postgres: generate (student, teacher, class), read, complete a day, status."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from api.schemas_planning import utc_today
from api.services.planning import plan_for_class
from db.models import StudyPlan, SyllabusPoint
from db.repo.topic_states import get_topic_states
from tests.planning.history import mark, question_on


async def _codes(app) -> set[str]:
    async with app.state.sessionmaker() as db:
        return set((await db.execute(select(SyllabusPoint.code).where(SyllabusPoint.code.like("9708.%")))).scalars())


async def _plan(client, account, student_id, exam_date, hours=3):
    return await client.post("/v1/study-plans", json={"student_id": str(student_id), "subject_code": "9708",
                                                      "exam_date": exam_date, "hours_per_day": hours},
                             headers=account.headers)


def _assert_within_budget(plan: dict) -> None:
    assert plan["schedule"], "a plan has days"
    for day in plan["schedule"]:
        assert 0 < day["hours_allocated"] <= plan["hours_per_day"]
        assert day["date"] < plan["exam_date"]


async def test_a_student_plans_for_themself_and_gets_an_offline_rationale(client, app, make_school, exam_date):
    school = await make_school(1)
    ada = school.students[0]
    r = await _plan(client, ada, ada.id, exam_date)
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["status"] == "active" and plan["student_id"] == str(ada.id) and plan["total_days"] == 56
    assert set(plan["easiness_factors"]) == await _codes(app)
    _assert_within_budget(plan)
    covered = {code for day in plan["schedule"] for code in day["topics"]}
    assert covered == set(plan["easiness_factors"])  # every topic gets studied
    assert plan["schedule"][-1]["activities"] == ["mixed_review", "practice_exam"]
    note = plan["note"]
    assert note["offline"] is True and note["model"] == "offline"
    assert note["rationale"].startswith("(Offline planner")
    assert note["activity_suggestions"] and all(s["syllabus_point"] in plan["easiness_factors"]
                                                 for s in note["activity_suggestions"])
    again = await client.get(f"/v1/study-plans/{plan['id']}", headers=ada.headers)
    assert again.status_code == 200 and again.json()["schedule"] == plan["schedule"]


async def test_weak_marks_lower_the_ef_and_bring_the_topic_forward(client, app, make_school, exam_date):
    school = await make_school(1)
    ada = school.students[0]
    async with app.state.sessionmaker() as db:
        q = await question_on(db, "9708.4.3")
        await mark(db, student_id=ada.id, question=q, marks=0, at=datetime.now(UTC))
        await db.commit()
    plan = (await _plan(client, ada, ada.id, exam_date)).json()
    efs = plan["easiness_factors"]
    assert efs["9708.4.3"] < 2.5 and min(efs, key=lambda c: (efs[c], c)) in q.syllabus_point_codes
    assert set(plan["schedule"][0]["topics"]) & set(q.syllabus_point_codes)  # weakest first
    sessions = {c: sum(c in d["topics"] for d in plan["schedule"]) for c in efs}
    assert sessions["9708.4.3"] >= max(sessions[c] for c in efs if efs[c] == 2.5)


async def test_teachers_plan_for_their_students_only(client, make_school, make_account, exam_date):
    mine, theirs = await make_school(1), await make_school(1)
    r = await _plan(client, mine.teacher, mine.students[0].id, exam_date)
    assert r.status_code == 201
    r = await _plan(client, mine.teacher, theirs.students[0].id, exam_date)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = await _plan(client, mine.students[0], theirs.students[0].id, exam_date)  # a student for someone else
    assert r.status_code == 404
    examiner = await make_account("examiner")
    assert (await _plan(client, examiner, mine.students[0].id, exam_date)).status_code == 403
    plan_id = (await _plan(client, theirs.teacher, theirs.students[0].id, exam_date)).json()["id"]
    assert (await client.get(f"/v1/study-plans/{plan_id}", headers=mine.teacher.headers)).status_code == 404


async def test_a_class_plan_returns_one_plan_per_student_within_the_budget(client, app, make_school, exam_date):
    school = await make_school(6)
    r = await client.post(f"/v1/classes/{school.class_id}/study-plans",
                          json={"subject_code": "9708", "exam_date": exam_date, "hours_per_day": 2.5},
                          headers=school.teacher.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["failed"]) == (6, 0)
    assert {x["student_id"] for x in body["results"]} == {str(s.id) for s in school.students}
    for result in body["results"]:
        plan = (await client.get(f"/v1/study-plans/{result['study_plan_id']}", headers=school.teacher.headers)).json()
        assert plan["student_id"] == result["student_id"] and plan["hours_per_day"] == 2.5
        _assert_within_budget(plan)
    other = await make_school(0)
    r = await client.post(f"/v1/classes/{school.class_id}/study-plans",
                          json={"subject_code": "9708", "exam_date": exam_date, "hours_per_day": 2},
                          headers=other.teacher.headers)
    assert r.status_code == 404


async def test_one_failing_student_does_not_sink_the_class(app, make_school) -> None:
    school = await make_school(3)
    ghost = uuid.uuid4()  # no such account: its insert violates the foreign key
    ids = [school.students[0].id, ghost, school.students[1].id, school.students[2].id]
    results = await plan_for_class(app.state, student_ids=ids, subject_code="9708",
                                   exam_date=utc_today() + timedelta(days=40), hours_per_day=3, today=utc_today(),
                                   concurrency=2)
    assert [r.student_id for r in results] == ids
    assert [r.status for r in results] == ["created", "failed", "created", "created"]
    assert results[1].error.code == "internal" and results[1].study_plan_id is None
    async with app.state.sessionmaker() as db:
        assert (await db.execute(select(func.count()).select_from(StudyPlan))).scalar_one() == 3


async def test_completing_a_day_updates_efs_and_replans_the_rest(client, app, make_school, exam_date):
    school = await make_school(1)
    ada = school.students[0]
    plan = (await _plan(client, ada, ada.id, exam_date)).json()
    day1 = plan["schedule"][0]
    failed, passed = day1["topics"][0], day1["topics"][1]
    r = await client.post(f"/v1/study-plans/{plan['id']}/days/1/complete",
                          json={"grades": {failed: 1, passed: 5}}, headers=ada.headers)
    assert r.status_code == 200, r.text
    new = r.json()
    assert new["schedule"][0] == {**day1, "completed": True}
    assert new["easiness_factors"][failed] == 1.96 and new["easiness_factors"][passed] == 2.5
    assert new["schedule"][1:] != plan["schedule"][1:]  # the rest was re-planned
    assert failed in new["schedule"][1]["topics"]  # a failing grade brings the topic back the next day
    _assert_within_budget(new)
    async with app.state.sessionmaker() as db:
        states = await get_topic_states(db, student_id=ada.id)
    assert (states[failed].ef, states[failed].last_quality) == (1.96, 1)

    again = await client.post(f"/v1/study-plans/{plan['id']}/days/1/complete", json={"grades": {}},
                              headers=ada.headers)
    assert again.status_code == 409 and again.json()["error"]["field"] == "day"


async def test_status_moves_only_from_active(client, make_school, exam_date):
    school = await make_school(1)
    ada = school.students[0]
    plan_id = (await _plan(client, ada, ada.id, exam_date)).json()["id"]
    url = f"/v1/study-plans/{plan_id}"
    r = await client.patch(url, json={"status": "active"}, headers=ada.headers)
    assert r.status_code == 409 and r.json()["error"]["field"] == "status"
    r = await client.patch(url, json={"status": "finished"}, headers=ada.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "status"
    r = await client.patch(url, json={"status": "abandoned"}, headers=school.teacher.headers)
    assert r.status_code == 200 and r.json()["status"] == "abandoned"
    for status in ("completed", "active", "abandoned"):
        assert (await client.patch(url, json={"status": status}, headers=ada.headers)).status_code == 409
    r = await client.post(f"{url}/days/1/complete", json={"grades": {}}, headers=ada.headers)
    assert r.status_code == 409


async def test_bad_plan_requests_name_the_field(client, make_school, exam_date):
    school = await make_school(1)
    ada = school.students[0]
    today = utc_today()
    cases = [
        ({"exam_date": today.isoformat()}, "exam_date"),
        ({"exam_date": (today - timedelta(days=3)).isoformat()}, "exam_date"),
        ({"hours_per_day": 0}, "hours_per_day"),
        ({"hours_per_day": 24.5}, "hours_per_day"),
        ({"subject_code": "0000"}, "subject_code"),
        ({"exam_date": (today + timedelta(days=3)).isoformat(), "hours_per_day": 1}, "hours_per_day"),
    ]
    base = {"student_id": str(ada.id), "subject_code": "9708", "exam_date": exam_date, "hours_per_day": 3}
    for change, field in cases:
        r = await client.post("/v1/study-plans", json={**base, **change}, headers=ada.headers)
        assert r.status_code == 422, (change, r.text)
        assert r.json()["error"]["field"] == field, (change, r.json())
    r = await client.post(f"/v1/classes/{school.class_id}/study-plans",
                          json={"subject_code": "9708", "exam_date": today.isoformat(), "hours_per_day": 2},
                          headers=school.teacher.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "exam_date"


async def test_bad_day_completions_name_the_field_and_change_nothing(client, make_school, exam_date):
    school = await make_school(1)
    ada = school.students[0]
    plan = (await _plan(client, ada, ada.id, exam_date)).json()
    day1 = plan["schedule"][0]
    not_today = next(c for c in plan["easiness_factors"] if c not in day1["topics"])
    url = f"/v1/study-plans/{plan['id']}/days/1/complete"
    cases = [
        ({day1["topics"][0]: 6}, f"grades.{day1['topics'][0]}"),
        ({day1["topics"][0]: -1}, f"grades.{day1['topics'][0]}"),
        ({day1["topics"][0]: "4"}, f"grades.{day1['topics'][0]}"),
        ({"9999.1.1": 3}, "grades.9999.1.1"),
        ({not_today: 3}, f"grades.{not_today}"),
    ]
    for grades, field in cases:
        r = await client.post(url, json={"grades": grades}, headers=ada.headers)
        assert r.status_code == 422, (grades, r.text)
        assert r.json()["error"]["field"] == field
    r = await client.post(f"/v1/study-plans/{plan['id']}/days/999/complete", json={"grades": {}}, headers=ada.headers)
    assert r.status_code == 404 and r.json()["error"]["field"] == "day"
    after = (await client.get(f"/v1/study-plans/{plan['id']}", headers=ada.headers)).json()
    assert after["schedule"] == plan["schedule"] and after["easiness_factors"] == plan["easiness_factors"]
