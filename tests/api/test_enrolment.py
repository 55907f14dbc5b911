"""The enrolment hole, closed: teachers invite, students accept, admins add; removal; the audit trail."""

from __future__ import annotations

from tests.api.conftest import join_class


async def _class(client, teacher) -> dict:  # noqa: ANN001
    r = await client.post("/v1/classes", json={"name": "12A", "subject_code": "9708"}, headers=teacher.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _members(client, teacher, class_id) -> list[str]:  # noqa: ANN001
    return [m["id"] for m in (await client.get(f"/v1/classes/{class_id}", headers=teacher.headers)).json()["members"]]


async def test_a_teacher_cannot_attach_a_student_without_acceptance(client, make_account) -> None:  # noqa: ANN001
    t, s = await make_account("teacher"), await make_account("student")
    c = await _class(client, t)
    r = await client.post(f"/v1/classes/{c['id']}/members", json={"email": s.email}, headers=t.headers)
    assert r.status_code == 202 and r.json()["status"] == "invited"
    assert await _members(client, t, c["id"]) == []
    # nothing of the student's is visible to the teacher yet
    assert (await client.get(f"/v1/students/{s.id}", headers=t.headers)).status_code == 404
    r = await client.post(f"/v1/classes/{c['id']}/members", json={"student_id": str(s.id)}, headers=t.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "student_id"
    assert await _members(client, t, c["id"]) == []

    # the student sees the invitation and accepts it; only then is the student a member
    invites = (await client.get("/v1/invitations", headers=s.headers)).json()
    assert [i["class_id"] for i in invites] == [c["id"]]
    r = await client.post(f"/v1/invitations/{invites[0]['id']}/accept", headers=s.headers)
    assert r.status_code == 200
    assert await _members(client, t, c["id"]) == [str(s.id)]
    assert (await client.get(f"/v1/students/{s.id}", headers=t.headers)).status_code == 200
    assert (await client.post(f"/v1/invitations/{invites[0]['id']}/accept", headers=s.headers)).status_code == 409


async def test_another_student_cannot_accept_someone_elses_invitation(client, make_account) -> None:  # noqa: ANN001
    t, s, other = await make_account("teacher"), await make_account("student"), await make_account("student")
    c = await _class(client, t)
    await client.post(f"/v1/classes/{c['id']}/members", json={"email": s.email}, headers=t.headers)
    inv = (await client.get("/v1/invitations", headers=s.headers)).json()[0]
    assert (await client.get("/v1/invitations", headers=other.headers)).json() == []
    assert (await client.post(f"/v1/invitations/{inv['id']}/accept", headers=other.headers)).status_code == 404
    assert await _members(client, t, c["id"]) == []


async def test_inviting_answers_the_same_for_known_and_unknown_emails(client, make_account) -> None:  # noqa: ANN001
    t, s, teacher2 = await make_account("teacher"), await make_account("student"), await make_account("teacher")
    c = await _class(client, t)
    answers = []
    for address in (s.email, "nobody-here@example.org", teacher2.email):
        r = await client.post(f"/v1/classes/{c['id']}/members", json={"email": address}, headers=t.headers)
        answers.append((r.status_code, r.json()))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 202


async def test_invite_code_joins_and_a_new_code_retires_the_old(client, make_account) -> None:  # noqa: ANN001
    t, s1, s2 = await make_account("teacher"), await make_account("student"), await make_account("student")
    c = await _class(client, t)
    assert len(c["invite_code"]) == 10
    r = await client.post("/v1/class-invites/accept", json={"code": c["invite_code"].lower()}, headers=s1.headers)
    assert r.status_code == 200 and r.json()["id"] == c["id"]
    r = await client.post(f"/v1/classes/{c['id']}/invite-code", headers=t.headers)
    assert r.json()["invite_code"] != c["invite_code"]
    r = await client.post("/v1/class-invites/accept", json={"code": c["invite_code"]}, headers=s2.headers)
    assert r.status_code == 404 and r.json()["error"]["field"] == "code"
    assert await _members(client, t, c["id"]) == [str(s1.id)]
    # a teacher cannot use a code to put themself in a class
    assert (await client.post("/v1/class-invites/accept", json={"code": r.json()["error"]["code"]},
                              headers=t.headers)).status_code == 403


async def test_admin_adds_directly(client, make_account) -> None:  # noqa: ANN001
    t, admin, s = await make_account("teacher"), await make_account("admin"), await make_account("student")
    c = await _class(client, t)
    r = await client.post(f"/v1/classes/{c['id']}/members", json={"student_id": str(s.id)}, headers=admin.headers)
    assert r.status_code == 201 and r.json()["member"]["id"] == str(s.id)
    assert await _members(client, t, c["id"]) == [str(s.id)]


async def test_removal_works_and_every_change_is_recorded(client, make_account) -> None:  # noqa: ANN001
    t, s, other_t = await make_account("teacher"), await make_account("student"), await make_account("teacher")
    c = await _class(client, t)
    await client.post(f"/v1/classes/{c['id']}/members", json={"email": "x@example.org"}, headers=t.headers)
    await join_class(client, t, c["id"], s)
    assert (await client.delete(f"/v1/classes/{c['id']}/members/{s.id}", headers=other_t.headers)).status_code == 404
    r = await client.delete(f"/v1/classes/{c['id']}/members/{s.id}", headers=t.headers)
    assert r.status_code == 204
    assert await _members(client, t, c["id"]) == []
    assert (await client.get(f"/v1/students/{s.id}", headers=t.headers)).status_code == 404
    assert (await client.delete(f"/v1/classes/{c['id']}/members/{s.id}", headers=t.headers)).status_code == 404
    events = (await client.get(f"/v1/classes/{c['id']}/membership-events", headers=t.headers)).json()
    assert [(e["action"], e["actor_id"]) for e in events] == [
        ("invited", str(t.id)), ("joined_by_code", str(s.id)), ("removed", str(t.id))]
    assert events[2]["student_id"] == str(s.id) and all(e["at"] for e in events)
    assert (await client.get(f"/v1/classes/{c['id']}/membership-events",
                             headers=other_t.headers)).status_code == 404
