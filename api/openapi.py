"""The OpenAPI document tells the truth about errors: every operation lists the statuses it can answer and
each error response has the real envelope `{"error": {"code", "message", "field"?}}` (not FastAPI's default
`HTTPValidationError`), so a client — and schemathesis's status-code and response-schema checks — can rely on it.

Statuses that follow from how a route is built are added here, once, for every operation:
- 401 and 403 where it needs a signed-in account (its `security` entry: a bearer token or the web session,
  whose state-changing requests also need the CSRF header; role and access checks answer 403);
- 404 where the path, the query or the body (of a signed-in route) names a row; 422 everywhere (a field is
  named: a bad parameter or body field, or a query parameter the operation does not declare);
- 400 (a malformed Content-Length), 408 (a body that does not arrive in time) and 413 (too large) where it
  takes a body (api/body_limit.py);
- 409 on writes (a duplicate or a row changed meanwhile, api/errors.py);
- 503 with Retry-After wherever the database is read (every signed-in route).
Statuses a route answers for its own reasons (a 404 for a row named in the body, a 429 from a quota, a 503
from a model or a time cap) are declared on the route with `responses=`; this fills in their body.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "description": "machine-readable, e.g. not_found, invalid_input"},
            "message": {"type": "string", "description": "what went wrong, in words a person understands"},
            "field": {"type": "string", "description": "the field (or header) at fault, when there is one"},
        },
    }},
}

DESCRIPTIONS = {
    400: "malformed request (e.g. a Content-Length that is not a number)",
    401: "missing, invalid, expired or revoked token",
    403: "the account may not do this (role, access to the student or class, or a missing CSRF header)",
    404: "no such row, or not visible to this account",
    405: "method not allowed (the `Allow` header lists those that are)",
    408: "the request body did not arrive in time",
    409: "conflict: a duplicate, or something changed meanwhile; nothing was changed",
    413: "the request body is too large",
    422: "invalid input; `field` names the field",
    429: "a quota is spent; retry after `Retry-After` seconds",
    503: "the database or a model is unavailable; retry after `Retry-After` seconds",
}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}}
_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


def _implied(path: str, method: str, op: dict[str, Any]) -> set[int]:
    codes: set[int] = set()
    has_body = "requestBody" in op
    if op.get("security"):
        codes |= {401, 403, 503}
    if "{" in path or (op.get("security") and (has_body or op.get("parameters"))):
        codes.add(404)  # a row named in the path, the query or the body
    codes.add(422)  # a parameter or body field at fault, or a query parameter it does not declare (api/deps.py)
    if has_body:
        codes |= {400, 408, 413}
    if method != "get" and op.get("security"):
        codes.add(409)
    return codes


def _error_response(code: int, given: dict[str, Any] | None) -> dict[str, Any]:
    response = dict(given or {})
    if not response.get("description") or response["description"] in ("Validation Error", "Additional Response"):
        response["description"] = DESCRIPTIONS.get(code, "error")
    content = response.get("content") or {}
    content["application/json"] = {"schema": {"$ref": "#/components/schemas/Error"}}
    response["content"] = content
    if code in (429, 503):
        response["headers"] = {**RETRY_AFTER, **response.get("headers", {})}
    return response


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the implied error statuses to every operation and give every error response the envelope."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            if method not in _METHODS:
                continue
            responses = op.setdefault("responses", {})
            for code in _implied(path, method, op):
                responses.setdefault(str(code), {})
            for key in list(responses):
                if key.isdigit() and int(key) >= 400:
                    responses[key] = _error_response(int(key), responses[key])
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve the document with errors documented (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes,
                openapi_version=app.openapi_version))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
