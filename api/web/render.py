"""Templates and the page dependencies: who is signed in (else a redirect to sign in), their CSRF token,
role checks, and CSRF checks on every form post."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError

from api.auth.cookies import CSRF_FIELD, check_session_csrf, load_web_session
from api.deps import SessionDep
from api.errors import InvalidInput, NotFound
from db.models import Student

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")
templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
templates.env.globals["csrf_field"] = CSRF_FIELD
templates.env.globals["zip"] = zip


def fraction(value: float | None) -> str:
    """0.4375 → '44%'."""
    return "–" if value is None else f"{round(100 * value)}%"


templates.env.filters["pct"] = fraction


def form_text(value: str, field: str) -> str:
    """A form field PostgreSQL can store (no NUL, no lone surrogate), else 422 naming the field."""
    from api.request_model import unstorable_text_problem

    if problem := unstorable_text_problem(value):
        raise InvalidInput(f"{field}: {problem}", field=field)
    return value


async def call(fn: Callable[..., Awaitable[R]], request: Request, session: Any, user: Student, **args: Any) -> R:
    """Call a JSON API route function from a page, by parameter name: the request's database session, app
    state, user, request and a throwaway response are matched by name, everything else comes from `args`.
    (By name, so a route that reorders or adds a defaulted parameter keeps working.)"""
    pool = {"session": session, "db": session, "state": request.app.state, "user": user, "request": request,
            "response": Response()}
    kwargs = {}
    for name, param in inspect.signature(fn).parameters.items():
        if name in args:
            kwargs[name] = args[name]
        elif name in pool:
            kwargs[name] = pool[name]
        elif param.default is inspect.Parameter.empty:
            raise TypeError(f"{fn.__name__}: no value for {name!r}")
    return await fn(**kwargs)


def number(value: str, field: str, kind: type = float) -> float | int | str:
    """A form field as a number (the JSON API takes numbers); left as text when it is not one, so the model
    names the field in its 422."""
    try:
        return kind(value)
    except (TypeError, ValueError):
        return value


def parse(model: type[T], **data: Any) -> T:
    """Build a request model from form fields exactly as the JSON API would, a violation as a 422 naming the
    field (the page then shows it)."""
    try:
        return model.model_validate_json(json.dumps(data))  # as the JSON API reads a body
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "form"
        raise InvalidInput(f"{field}: {str(first.get('msg', 'invalid')).removeprefix('Value error, ')}",
                           field=field) from None


async def page_user(request: Request, session: SessionDep) -> Student:
    """The signed-in account, or a redirect to the sign-in form that comes back here. A form post must
    carry the session's CSRF token."""
    from api.web.install import SignInRequired

    found = await load_web_session(request, session)
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target if request.method == "GET" else "/")
    web_session, account = found
    request.state.csrf = web_session.csrf_token
    request.state.nav_user = SimpleNamespace(role=account.role, display_name=account.display_name)
    if request.method not in ("GET", "HEAD"):
        form = await request.form()
        check_session_csrf(request, web_session, str(form.get(CSRF_FIELD) or ""))
    return account


PageUser = Annotated[Student, Depends(page_user)]


def _role_page(*roles: str) -> Any:
    async def _check(user: PageUser) -> Student:
        if user.role not in roles:  # a page for another role does not exist for this account
            raise NotFound("page not found")
        return user

    return Depends(_check)


StudentPage = Annotated[Student, _role_page("student")]
TeacherPage = Annotated[Student, _role_page("teacher", "admin")]
StaffPage = Annotated[Student, _role_page("teacher", "examiner", "admin")]


def page(request: Request, name: str, user: Student | None, status_code: int = 200, **context: Any) -> Any:
    """Render a page with the signed-in user and their CSRF token in reach of every template."""
    return templates.TemplateResponse(
        request, name, {"user": user, "csrf": getattr(request.state, "csrf", None), **context},
        status_code=status_code, headers={"Cache-Control": "no-store"})
