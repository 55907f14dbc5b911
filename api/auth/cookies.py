"""The browser session cookie and CSRF tokens.

Signed in: the cookie carries a random secret; the server keeps its hash, the account and a CSRF token
(synchronizer pattern) in `web_sessions`. Every state-changing request that authenticates by cookie must
send that token (a form's hidden `csrf_token` field or the `X-CSRF-Token` header). Signed out (the sign-in
and reset forms), a random `teach_csrf` cookie is compared with the form's field (double submit).
SameSite=Lax keeps the cookie off cross-site POSTs as a second line.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.settings import auth_settings
from api.errors import Forbidden
from db import clock
from db.models import Student, WebSession
from db.repo.auth import create_web_session, end_web_session, get_web_session

SESSION_COOKIE = "teach_session"
ANON_CSRF_COOKIE = "teach_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _secure(request: Request) -> bool:
    mode = auth_settings().cookie_secure
    if mode != "auto":
        return mode == "always"
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


def _set(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, secure=_secure(request), samesite="lax",
                        path="/")


async def load_web_session(request: Request, db: AsyncSession) -> tuple[WebSession, Student] | None:
    """The signed-in session behind the request's cookie (cached on the request)."""
    if hasattr(request.state, "web_session"):
        return request.state.web_session
    secret = request.cookies.get(SESSION_COOKIE)
    found = await get_web_session(db, secret=secret) if secret else None
    request.state.web_session = found
    return found


async def sign_in(response: Response, request: Request, db: AsyncSession, *, account: Student) -> None:
    """Start a session for `account` and set its cookie (any earlier cookie of this browser is ended)."""
    if old := request.cookies.get(SESSION_COOKIE):
        await end_web_session(db, secret=old)
    ttl = timedelta(hours=auth_settings().session_ttl_hours)
    secret, _ = await create_web_session(db, account_id=account.id, expires_at=clock.now() + ttl)
    _set(response, request, SESSION_COOKIE, secret, int(ttl.total_seconds()))
    response.delete_cookie(ANON_CSRF_COOKIE, path="/")


async def sign_out(response: Response, request: Request, db: AsyncSession) -> None:
    """End this browser's session and clear the cookie."""
    if secret := request.cookies.get(SESSION_COOKIE):
        await end_web_session(db, secret=secret)
    response.delete_cookie(SESSION_COOKIE, path="/")


def check_session_csrf(request: Request, web_session: WebSession, submitted: str | None) -> None:
    """403 unless a state-changing request carries the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    if not submitted or not secrets.compare_digest(submitted, web_session.csrf_token):
        raise Forbidden("missing or wrong CSRF token; reload the page and try again", field=CSRF_FIELD)


def anonymous_csrf(request: Request) -> tuple[str, bool]:
    """The signed-out browser's CSRF token, and whether it is new (then `keep_anonymous_csrf` must set it)."""
    token = request.cookies.get(ANON_CSRF_COOKIE)
    return (token, False) if token else (secrets.token_urlsafe(32), True)


def keep_anonymous_csrf(response: Response, request: Request, token: str) -> None:
    """Set the signed-out CSRF cookie."""
    _set(response, request, ANON_CSRF_COOKIE, token, 3600 * 12)


def check_anonymous_csrf(request: Request, submitted: str | None) -> None:
    """403 unless the form's token equals the browser's `teach_csrf` cookie."""
    cookie = request.cookies.get(ANON_CSRF_COOKIE)
    if not cookie or not submitted or not secrets.compare_digest(cookie, submitted):
        raise Forbidden("missing or wrong CSRF token; reload the page and try again", field=CSRF_FIELD)
