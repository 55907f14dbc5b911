"""Request dependencies: the transactional session, the authenticated account, role requirements."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.cookies import CSRF_HEADER, check_session_csrf, load_web_session
from api.errors import Forbidden, InvalidInput, Unauthorized
from db.models import Student
from db.repo.accounts import get_account_by_token

_bearer = HTTPBearer(auto_error=False)

# The largest page offset a list endpoint accepts: far past any real list, and inside PostgreSQL's bigint
# OFFSET (a larger number used to reach the database and fail there with a 500).
MAX_OFFSET = 1_000_000_000


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: committed when the handler returns — before the response is sent, so a client
    is only told what is durable, and a failed commit is itself the response — rolled back if it raises."""
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            with contextlib.suppress(Exception):  # a lost connection must not hide the error that matters
                await session.rollback()
            raise


# scope="function": the exit code (the commit) runs when the endpoint returns, not after the response is sent.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def current_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Student:
    """The account behind the bearer token, or behind the browser's session cookie (whose state-changing
    requests must carry the session's CSRF token in X-CSRF-Token), or 401."""
    if credentials is None and (found := await load_web_session(request, session)) is not None:
        web_session, account = found
        check_session_csrf(request, web_session, request.headers.get(CSRF_HEADER))
        return account
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("missing bearer token", field="Authorization")
    account = await get_account_by_token(session, token=credentials.credentials)
    if account is None:
        raise Unauthorized("invalid, expired or revoked token", field="Authorization")
    return account


CurrentUser = Annotated[Student, Depends(current_user)]


def require_roles(*roles: str) -> Callable[..., Any]:
    """A dependency that admits only accounts with one of `roles` (403 otherwise)."""

    async def _check(user: CurrentUser) -> Student:
        if user.role not in roles:
            raise Forbidden(f"this action needs one of the roles: {', '.join(roles)}")
        return user

    return _check


StudentUser = Annotated[Student, Depends(require_roles("student"))]
TeacherUser = Annotated[Student, Depends(require_roles("teacher", "admin"))]
StaffUser = Annotated[Student, Depends(require_roles("teacher", "examiner", "admin"))]


def _declared_query(request: Request, route: Any) -> frozenset[str]:
    cache = request.app.__dict__.setdefault("_declared_query", {})
    key = (route.path_format, request.method)
    if key not in cache:
        operation = request.app.openapi()["paths"].get(route.path_format, {}).get(request.method.lower(), {})
        cache[key] = frozenset(p["name"] for p in operation.get("parameters", []) if p.get("in") == "query")
    return cache[key]


async def reject_unknown_query(request: Request) -> None:
    """A query parameter the operation's OpenAPI entry does not declare is a 422 naming it (a misspelt
    `limt=5` must not be silently ignored), and so is one given twice: no operation takes a list in its
    query, and FastAPI would silently keep the last of `?limit=5&limit=abc`."""
    route = request.scope.get("route")
    if route is None or not getattr(route, "include_in_schema", False) or not request.query_params:
        return
    declared = _declared_query(request, route)
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        shown = name or "(a parameter with an empty name)"
        if name not in declared:
            raise InvalidInput(f"{shown}: unknown query parameter; this operation takes "
                               f"{', '.join(sorted(declared)) or 'none'}", field=name or "query")
        if name in seen:
            raise InvalidInput(f"{shown}: given more than once; give it once", field=name)
        seen.add(name)


def app_state(request: Request) -> Any:
    """The application's state (engine, sessionmaker, graph, settings)."""
    return request.app.state


StateDep = Annotated[Any, Depends(app_state)]
