"""Bearer auth, roles, and the object-level rule (another student's or class's data is 404)."""

from __future__ import annotations

from tests.api.conftest import join_class


async def test_no_token_is_401(client) -> None:  # noqa: ANN001
    r = await client.get("/v1/me")
    assert r.status_code == 401
    assert r.json()["error"]["field"] == "Authorization"


async def test_bad_token_is_401(client) -> None:  # noqa: ANN001
    r = await client.get("/v1/me", headers={"Authorization": "Bearer tk_nope"})
    assert r.status_code == 401


async def test_me(client, make_account) -> None:  # noqa: ANN001
    s = await make_account("student")
    r = await client.get("/v1/me", headers=s.headers)
    assert r.status_code == 200 and r.json()["email"] == s.email and r.json()["role"] == "student"


async def test_student_cannot_create_class(client, make_account) -> None:  # noqa: ANN001
    s = await make_account("student")
    r = await client.post("/v1/classes", json={"name": "x", "subject_code": "9708"}, headers=s.headers)
    assert r.status_code == 403


async def test_teacher_sees_only_their_students(client, make_account) -> None:  # noqa: ANN001
    t1, t2 = await make_account("teacher"), await make_account("teacher")
    s1, s2 = await make_account("student"), await make_account("student")
    c1 = (await client.post("/v1/classes", json={"name": "A", "subject_code": "9708"}, headers=t1.headers)).json()
    await join_class(client, t1, c1["id"], s1)
    r = await client.get(f"/v1/classes/{c1['id']}", headers=t1.headers)
    assert [m["id"] for m in r.json()["members"]] == [str(s1.id)]

    assert (await client.get(f"/v1/students/{s1.id}", headers=t1.headers)).status_code == 200
    assert (await client.get(f"/v1/students/{s2.id}", headers=t1.headers)).status_code == 404
    assert (await client.get(f"/v1/students/{s1.id}", headers=t2.headers)).status_code == 404
    assert (await client.get(f"/v1/students/{s1.id}", headers=s2.headers)).status_code == 404
    assert (await client.get(f"/v1/students/{s1.id}", headers=s1.headers)).status_code == 200
    # another teacher's class does not exist for t2
    assert (await client.get(f"/v1/classes/{c1['id']}", headers=t2.headers)).status_code == 404


async def test_bad_input_names_the_field_and_changes_nothing(client, make_account) -> None:  # noqa: ANN001
    t = await make_account("teacher")
    r = await client.post("/v1/classes", json={"name": "", "subject_code": "9708"}, headers=t.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "name"
    r = await client.post("/v1/classes", json={"name": "X", "subject_code": "0000"}, headers=t.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "subject_code"
    c = (await client.post("/v1/classes", json={"name": "A", "subject_code": "9708"}, headers=t.headers)).json()
    r = await client.post(f"/v1/classes/{c['id']}/members", json={"email": "not an email"}, headers=t.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "email"
    r = await client.post(f"/v1/classes/{c['id']}/members", json={}, headers=t.headers)
    assert r.status_code == 422
    r = await client.get(f"/v1/classes/{c['id']}", headers=t.headers)
    assert r.json()["members"] == []
    r = await client.get("/v1/students/not-a-uuid", headers=t.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "student_id"
