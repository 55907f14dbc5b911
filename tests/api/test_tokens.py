"""API tokens expire and can be revoked (owner or admin): both then get 401."""

from __future__ import annotations

from datetime import timedelta

from db import clock


async def test_an_expired_token_is_401(client, app, make_account) -> None:  # noqa: ANN001
    from api.auth.tokens import issue_api_token

    s = await make_account("student")
    async with app.state.sessionmaker() as db:
        token = await issue_api_token(db, account_id=s.id)
        await db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/v1/me", headers=headers)).status_code == 200
    with clock.clock_at(clock.now() + timedelta(days=91)):  # past TEACH_AUTH_TOKEN_TTL_DAYS (90)
        r = await client.get("/v1/me", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["field"] == "Authorization"
    listed = (await client.get("/v1/tokens", headers=s.headers)).json()
    assert {t["status"] for t in listed} == {"live"}  # both still live now; expiry lies 90 days ahead


async def test_owner_lists_and_revokes_then_401(client, make_account) -> None:  # noqa: ANN001
    s = await make_account("student")
    r = await client.post("/v1/tokens", json={"name": "my script"}, headers=s.headers)
    assert r.status_code == 201
    new = r.json()
    headers = {"Authorization": f"Bearer {new['token']}"}
    assert (await client.get("/v1/me", headers=headers)).status_code == 200
    listed = (await client.get("/v1/tokens", headers=s.headers)).json()
    assert new["id"] in [t["id"] for t in listed] and all("token" not in t for t in listed)
    assert (await client.delete(f"/v1/tokens/{new['id']}", headers=s.headers)).status_code == 204
    assert (await client.get("/v1/me", headers=headers)).status_code == 401
    assert next(t for t in (await client.get("/v1/tokens", headers=s.headers)).json()
                if t["id"] == new["id"])["status"] == "revoked"


async def test_only_owner_or_admin_can_revoke(client, make_account) -> None:  # noqa: ANN001
    s, other, admin = await make_account("student"), await make_account("teacher"), await make_account("admin")
    token_id = (await client.get("/v1/tokens", headers=s.headers)).json()[0]["id"]
    assert (await client.delete(f"/v1/tokens/{token_id}", headers=other.headers)).status_code == 404
    assert (await client.get(f"/v1/tokens?student_id={s.id}", headers=other.headers)).status_code == 404
    assert (await client.get("/v1/me", headers=s.headers)).status_code == 200
    assert [t["id"] for t in (await client.get(f"/v1/tokens?student_id={s.id}", headers=admin.headers)).json()] \
        == [token_id]
    assert (await client.delete(f"/v1/tokens/{token_id}", headers=admin.headers)).status_code == 204
    assert (await client.get("/v1/me", headers=s.headers)).status_code == 401
