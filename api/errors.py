"""Domain errors raised by routes and services, and the one place that maps them (and every other error) to HTTP.

Every error response has the shape `{"error": {"code", "message", "field"?}}`. Internals never leak: an
unexpected exception is logged with its traceback and answered with a generic 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.db_errors import DATABASE_EXCEPTIONS, conflict_kind, is_database_unavailable

log = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of the errors a route may raise; `status` and `code` decide the response."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.retry_after = retry_after  # seconds; sent as Retry-After (429 and 503 always carry one)


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class PayloadTooLarge(DomainError):
    status, code = 413, "payload_too_large"


class InvalidInput(DomainError):
    status, code = 422, "invalid_input"


class TooManyRequests(DomainError):
    status, code = 429, "rate_limited"


class Unavailable(DomainError):
    status, code = 503, "unavailable"


# Seconds a client is asked to wait after a 503 (the database or a model is briefly unavailable).
DEFAULT_RETRY_AFTER = 2


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The JSON error envelope."""
    err: dict[str, Any] = {"code": code, "message": message}
    if field:
        err["field"] = field
    return {"error": err}


def _field_from_loc(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this request's path."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"}) if hasattr(route, "matches") else (None, None)
        if match is not None and match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    """Map DomainError, validation errors, HTTP errors and anything unexpected to the error envelope."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers: dict[str, str] = {}
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if exc.status in (429, 503) or exc.retry_after is not None:
            headers["Retry-After"] = str(max(1, exc.retry_after or DEFAULT_RETRY_AFTER))
        return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=exc.status, headers=headers)

    async def _database(request: Request, exc: Exception) -> JSONResponse:
        # An outage or a lost connection: tell the client to come back, never a 500.
        if is_database_unavailable(exc):
            log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
            return JSONResponse(error_body("unavailable", "the database is unavailable; this request changed "
                                           "nothing — please retry shortly"), status_code=503,
                                headers={"Retry-After": str(DEFAULT_RETRY_AFTER)})
        if (kind := conflict_kind(exc)) is not None:
            message = ("that already exists" if kind == "unique"
                       else "something this request refers to was changed or removed meanwhile")
            return JSONResponse(error_body("conflict", message + "; nothing was changed"), status_code=409)
        log.exception("unhandled database error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal", "internal error; it has been logged"), status_code=500)

    for exc_class in DATABASE_EXCEPTIONS:
        app.add_exception_handler(exc_class, _database)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first: dict[str, Any] = dict(errors[0]) if errors else {"loc": ("body",), "msg": "invalid request"}
        if first.get("type") == "json_invalid":  # its loc is ("body", character offset): name the body instead
            where = (first.get("loc") or ("body", "?"))[-1]
            reason = (first.get("ctx") or {}).get("error", "invalid JSON")
            return JSONResponse(error_body("invalid_input", f"body: not valid JSON ({reason} at character "
                                                            f"{where})", "body"), status_code=422)
        field = _field_from_loc(first.get("loc", ()))
        msg = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        return JSONResponse(error_body("invalid_input", f"{field}: {msg}", field), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "bad_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
                408: "request_timeout", 413: "payload_too_large", 415: "unsupported_media_type"}.get(
            exc.status_code, "error")
        # Keep the exception's headers: a 405 carries `Allow`, listing every method of the path (Starlette
        # names only those of the first route that matched it, e.g. POST of GET+POST /v1/classes).
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal", "internal error; it has been logged"), status_code=500)
