"""Refuse request bodies over the configured size with 413, before they are read into memory, and bodies
that do not arrive in time (a slow client, or a body shorter than its Content-Length) with 408.

A declared `Content-Length` over the limit is answered at once (the app never runs); a body streamed without
one is counted as it arrives and refused as soon as it passes the limit. Either way the answer is the usual
error envelope, and no handler has run far enough to write anything.
"""

from __future__ import annotations

import asyncio
import time

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes the limit (FastAPI hands it to the 413 handler)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"the request body is larger than the limit of {limit} bytes")


class BodyTimeout(HTTPException):
    """Raised from `receive` when the body has not fully arrived within the time allowed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(status_code=408, detail=f"the request body did not arrive within {seconds:g} seconds "
                                                 "(is it shorter than its Content-Length?)")


class BodySizeLimit:
    """ASGI middleware: at most `max_bytes` of request body per HTTP request, all of it within
    `timeout_seconds` of the first read."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout_seconds: float = 15.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _reply(scope, receive, send, 400, "bad_request", "Content-Length is not a number",
                             "Content-Length")
                return
            if int(declared) > self.max_bytes:
                await _reply(scope, receive, send, 413, "payload_too_large", BodyTooLarge(self.max_bytes).detail)
                return
        received = 0
        started = False
        body_done = False
        deadline: float | None = None

        async def limited_receive() -> Message:
            nonlocal received, body_done, deadline
            if body_done:  # after the body, receive() only waits for a disconnect: never bounded
                return await receive()
            deadline = deadline or time.monotonic() + self.timeout_seconds
            try:
                async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout(self.timeout_seconds) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except (BodyTooLarge, BodyTimeout) as exc:  # read outside FastAPI's body parsing: no handler answered
            if started:
                raise
            code = "payload_too_large" if exc.status_code == 413 else "request_timeout"
            await _reply(scope, receive, send, exc.status_code, code, exc.detail)


async def _reply(scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str,
                 field: str | None = None) -> None:
    await JSONResponse(error_body(code, message, field), status_code=status)(scope, receive, send)
