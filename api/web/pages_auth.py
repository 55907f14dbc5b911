"""Sign in, sign out, forgotten and reset passwords, the account page (API tokens), and `/` (each role's start)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.auth.cookies import (
    CSRF_FIELD,
    anonymous_csrf,
    check_anonymous_csrf,
    keep_anonymous_csrf,
    load_web_session,
    sign_in,
    sign_out,
)
from api.auth.passwords import verify_password
from api.auth.resets import apply_reset, request_reset
from api.auth.settings import auth_settings
from api.auth.tokens import issue_api_token
from api.deps import SessionDep
from api.errors import InvalidInput
from api.routes.tokens import list_visible_tokens, revoke_visible_token
from api.web.render import PageUser, form_text, page, templates
from db.repo.accounts import get_account_by_email
from db.repo.auth import get_password_reset

router = APIRouter(include_in_schema=False)
START = {"student": "/home", "teacher": "/teach", "admin": "/teach", "examiner": "/reviews"}


def _safe_next(target: str | None) -> str:
    """Only same-site paths (no //host or scheme), so the sign-in form is no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _anon_page(request: Request, name: str, status_code: int = 200, **ctx) -> Response:  # noqa: ANN003
    """A signed-out page whose forms carry the browser's double-submit CSRF token."""
    token, new = anonymous_csrf(request)
    response = templates.TemplateResponse(request, name, {"user": None, "anon_csrf": token, **ctx},
                                          status_code=status_code, headers={"Cache-Control": "no-store"})
    if new:
        keep_anonymous_csrf(response, request, token)
    return response


@router.get("/")
async def start(request: Request, session: SessionDep) -> Response:
    """Signed in: the role's start page; else the sign-in form."""
    found = await load_web_session(request, session)
    return RedirectResponse(START.get(found[1].role, "/account") if found else "/sign-in", status_code=303)


@router.get("/sign-in")
async def sign_in_form(request: Request, next: str | None = None) -> Response:  # noqa: A002
    """The sign-in form."""
    return _anon_page(request, "sign_in.html", next=_safe_next(next), email=None, error=None)


@router.post("/sign-in")
async def sign_in_post(request: Request, session: SessionDep, email: Annotated[str, Form(max_length=320)],
                       password: Annotated[str, Form(max_length=1024)],
                       csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
                       next: Annotated[str, Form()] = "/") -> Response:  # noqa: A002
    """Check the password (argon2id); on success a new session cookie and a redirect."""
    check_anonymous_csrf(request, csrf_token)
    account = await get_account_by_email(session, email=form_text(email, "email"))
    if not await verify_password(account.password_hash if account else None, password) or account is None:
        return _anon_page(request, "sign_in.html", status_code=401, next=_safe_next(next), email=email,
                          error="That email and password do not match an account.")
    target = _safe_next(next)
    response = RedirectResponse(START.get(account.role, "/account") if target == "/" else target, status_code=303)
    await sign_in(response, request, session, account=account)
    return response


@router.post("/sign-out")
async def sign_out_post(request: Request, session: SessionDep, user: PageUser) -> Response:
    """End this browser's session (the form carries the CSRF token)."""
    response = RedirectResponse("/sign-in", status_code=303)
    await sign_out(response, request, session)
    return response


@router.get("/forgot-password")
async def forgot_form(request: Request) -> Response:
    """Ask for a reset link."""
    return _anon_page(request, "forgot.html", sent=False)


@router.post("/forgot-password")
async def forgot_post(request: Request, session: SessionDep, email: Annotated[str, Form(max_length=320)],
                      csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "") -> Response:
    """The same answer whether or not the address has an account."""
    check_anonymous_csrf(request, csrf_token)
    await request_reset(session, email=form_text(email, "email"))
    return _anon_page(request, "forgot.html", sent=True)


@router.get("/reset-password/{token}")
async def reset_form(request: Request, session: SessionDep, token: str) -> Response:
    """The new-password form, if the link is still good."""
    valid = await get_password_reset(session, token=token) is not None
    return _anon_page(request, "reset.html", token=token, valid=valid, error=None,
                      min_length=auth_settings().min_password_length)


@router.post("/reset-password/{token}")
async def reset_post(request: Request, session: SessionDep, token: str, password: Annotated[str, Form()],
                     csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "") -> Response:
    """Set the password; the link is spent and every browser of the account signed out."""
    check_anonymous_csrf(request, csrf_token)
    try:
        await apply_reset(session, token=token, password=password)
    except InvalidInput as exc:
        await session.rollback()
        return _anon_page(request, "reset.html", status_code=422, token=token, error=exc.message,
                          valid=await get_password_reset(session, token=token) is not None,
                          min_length=auth_settings().min_password_length)
    return RedirectResponse("/sign-in", status_code=303)


@router.get("/account")
async def account(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Who I am, and my API tokens."""
    return page(request, "account.html", user, tokens=await list_visible_tokens(session, user, user.id))


@router.post("/account/tokens")
async def account_new_token(request: Request, session: SessionDep, user: PageUser,
                            name: Annotated[str, Form(min_length=1, max_length=100)]) -> Response:
    """Issue a token and show it once."""
    secret = await issue_api_token(session, account_id=user.id, name=form_text(name, "name"))
    return page(request, "account.html", user, new_token=secret,
                tokens=await list_visible_tokens(session, user, user.id))


@router.post("/account/tokens/{token_id}/revoke")
async def account_revoke(request: Request, session: SessionDep, user: PageUser, token_id: uuid.UUID) -> Response:
    """Revoke one of my tokens."""
    await revoke_visible_token(session, user, token_id)
    return RedirectResponse("/account", status_code=303)
