"""Request ids, structured JSON logs and per-route HTTP metrics.

- `RequestContext` (pure ASGI middleware, cheap on the hot path): takes `X-Request-ID` from the request or
  makes one, echoes it on the response, and puts it — plus the coaching-session or job id found in the path —
  in context variables that every log record of the request carries. Counts the request by route template.
- `JsonFormatter` + `install_logging`: one JSON object per line (`ts, level, logger, msg, request_id,
  session_id, job_id`, exception text), chosen by `TEACH_LOG_FORMAT=json|text` (json by default for
  `teach serve` / `teach worker`).
- `bind(job_id=…)`: set a context id outside a request (the worker binds the job it runs).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from agents.metrics import HTTP_REQUESTS, HTTP_SECONDS

_FIELDS = ("request_id", "session_id", "job_id")
_VARS: dict[str, contextvars.ContextVar[str | None]] = {
    name: contextvars.ContextVar(name, default=None) for name in _FIELDS}
_PATH_IDS = re.compile(r"^/v1/(coaching-sessions|jobs)/([0-9a-fA-F-]{36})")
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class LogSettings(BaseSettings):
    """`TEACH_LOG_FORMAT` (json | text) and `TEACH_LOG_LEVEL`."""

    model_config = SettingsConfigDict(env_prefix="TEACH_LOG_", extra="ignore")
    format: str = "json"
    level: str = "INFO"


def current(name: str) -> str | None:
    """The context's `request_id`, `session_id` or `job_id`."""
    return _VARS[name].get()


@contextmanager
def bind(**ids: str | None) -> Iterator[None]:
    """Set context ids (request_id, session_id, job_id) for the block."""
    tokens = [(_VARS[k], _VARS[k].set(v)) for k, v in ids.items()]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


class ContextFilter(logging.Filter):
    """Copies the context ids onto every record (so text logs can show them too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _VARS.items():
            setattr(record, name, var.get())
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record; ids only when set."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "msg": record.getMessage(),
        }
        for name in _FIELDS:
            value = getattr(record, name, None) or _VARS[name].get()
            if value:
                out[name] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def install_logging(settings: LogSettings | None = None) -> None:
    """Root logging for a long-running process: JSON (or text) lines on stderr, context ids on each."""
    settings = settings or LogSettings()
    fmt = settings.format.lower()
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s session=%(session_id)s job=%(job_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.level.upper())


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's loggers propagate to our root handler instead of configuring their own."""
    return {"version": 1, "disable_existing_loggers": False,
            "loggers": {name: {"handlers": [], "propagate": True, "level": "INFO"}
                        for name in ("uvicorn", "uvicorn.error", "uvicorn.access")}}


class RequestContext:
    """ASGI middleware: request id in and out, ids of the path's session/job bound, request counted."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = None
        for key, value in scope.get("headers") or ():
            if key == b"x-request-id":
                candidate = value.decode("latin-1")
                request_id = candidate if _REQUEST_ID_OK.match(candidate) else None
                break
        request_id = request_id or uuid.uuid4().hex
        ids: dict[str, str | None] = {"request_id": request_id}
        match = _PATH_IDS.match(scope.get("path", ""))
        if match:
            ids["session_id" if match.group(1) == "coaching-sessions" else "job_id"] = match.group(2)
        status = {"code": 500}
        header = (b"x-request-id", request_id.encode())

        async def send_wrapper(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        started = time.perf_counter()
        with bind(**ids):
            try:
                await self.app(scope, receive, send_wrapper)
            finally:
                route = getattr(scope.get("route"), "path", None) or "unmatched"
                HTTP_REQUESTS.labels(method=scope.get("method", ""), route=route, status=str(status["code"])).inc()
                HTTP_SECONDS.labels(route=route).observe(time.perf_counter() - started)
