"""Browser sign-in over HTTP: argon2id passwords, the session cookie, CSRF on every state change, sign-out,
one-time reset links, security headers."""

from __future__ import annotations

import re

import httpx
import pytest

PASSWORD = "correct horse battery"


@pytest.fixture
async def browser(app) -> httpx.AsyncClient:  # noqa: ANN001
    """A cookie-keeping client, as a browser is."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def _with_password(app, account, password: str = PASSWORD) -> None:  # noqa: ANN001
    from api.auth.passwords import hash_password
    from db.repo.accounts import set_password_hash

    async with app.state.sessionmaker() as db:
        await set_password_hash(db, account_id=account.id, password_hash=await hash_password(password))
        await db.commit()


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html) or re.search(rf'name="{name}" content="([^"]*)"', html)
    assert match, f"no {name} in page"
    return match.group(1)


async def _sign_in(browser, email: str, password: str = PASSWORD) -> httpx.Response:  # noqa: ANN001
    form = (await browser.get("/sign-in")).text
    return await browser.post("/sign-in", data={"email": email, "password": password,
                                                "csrf_token": _field(form, "csrf_token"), "next": "/account"})


async def test_sign_in_sets_a_secure_session_cookie_and_signs_out(app, browser, make_account) -> None:  # noqa: ANN001
    s = await make_account("student")
    await _with_password(app, s)
    r = await _sign_in(browser, s.email)
    assert r.status_code == 303 and r.headers["location"] == "/account"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("teach_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    # the cookie authenticates the JSON API too (reads need no CSRF token)
    assert (await browser.get("/v1/me")).json()["email"] == s.email
    page = await browser.get("/account")
    assert page.status_code == 200 and s.email in page.text
    csrf = _field(page.text, "csrf-token")
    # sign-out without the CSRF token is refused, with it the cookie stops working
    assert (await browser.post("/sign-out", data={})).status_code == 403
    assert (await browser.post("/sign-out", data={"csrf_token": csrf})).status_code == 303
    assert (await browser.get("/v1/me")).status_code == 401
    assert (await browser.get("/account")).status_code == 303


async def test_wrong_password_and_unknown_email_look_the_same(app, browser, make_account) -> None:  # noqa: ANN001
    s = await make_account("student")
    await _with_password(app, s)
    wrong = await _sign_in(browser, s.email, "not the password")
    unknown = await _sign_in(browser, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match" in wrong.text and "do not match" in unknown.text
    assert "teach_session" not in browser.cookies


async def test_sign_in_form_needs_its_csrf_token(app, browser, make_account) -> None:  # noqa: ANN001
    s = await make_account("student")
    await _with_password(app, s)
    await browser.get("/sign-in")
    r = await browser.post("/sign-in", data={"email": s.email, "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403 and "teach_session" not in browser.cookies


async def test_cookie_api_writes_need_the_csrf_header(app, browser, make_account) -> None:  # noqa: ANN001
    s = await make_account("student")
    await _with_password(app, s)
    await _sign_in(browser, s.email)
    csrf = _field((await browser.get("/account")).text, "csrf-token")
    body = {"topic": "price elasticity of demand"}
    r = await browser.post("/v1/coaching-sessions", json=body)
    assert r.status_code == 403 and r.json()["error"]["field"] == "csrf_token"
    r = await browser.post("/v1/coaching-sessions", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201


async def test_open_redirects_are_refused(app, browser, make_account) -> None:  # noqa: ANN001
    s = await make_account("teacher")
    await _with_password(app, s)
    form = (await browser.get("/sign-in")).text
    r = await browser.post("/sign-in", data={"email": s.email, "password": PASSWORD, "next": "//evil.example/",
                                             "csrf_token": _field(form, "csrf_token")})
    assert r.status_code == 303 and r.headers["location"].startswith("/") and "evil" not in r.headers["location"]


async def test_reset_link_works_once(app, browser, make_account) -> None:  # noqa: ANN001
    from api.auth.resets import reset_link
    from db.repo.accounts import get_account

    s = await make_account("student")
    async with app.state.sessionmaker() as db:
        link = await reset_link(db, account=await get_account(db, account_id=s.id))
        await db.commit()
    path = httpx.URL(link).path
    form = (await browser.get(path)).text
    token = _field(form, "csrf_token")
    r = await browser.post(path, data={"password": "short", "csrf_token": token})
    assert r.status_code == 422 and "at least" in r.text
    r = await browser.post(path, data={"password": "a brand new password", "csrf_token": token})
    assert r.status_code == 303
    assert (await _sign_in(browser, s.email, "a brand new password")).status_code == 303
    spent = (await browser.get(path)).text
    assert "expired or was already used" in spent
    form = (await browser.get("/forgot-password")).text
    r = await browser.post(path, data={"password": "another new password", "csrf_token": _field(form, "csrf_token")})
    assert r.status_code == 422


async def test_every_response_has_security_headers(client) -> None:  # noqa: ANN001
    for path in ("/sign-in", "/v1/me", "/healthz", "/docs", "/static/web/app.css"):
        r = await client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
    docs = (await client.get("/docs")).text
    assert "/static/swagger/swagger-ui-bundle.js" in docs and "<script>" not in docs and "cdn" not in docs
    assert (await client.get("/static/swagger/swagger-ui-bundle.js")).status_code == 200


async def test_a_nul_in_a_form_field_is_422_not_500(browser) -> None:  # noqa: ANN001
    form = (await browser.get("/sign-in")).text
    r = await browser.post("/sign-in", data={"email": "a\x00@example.org", "password": "x",
                                             "csrf_token": _field(form, "csrf_token")})
    assert r.status_code == 422
