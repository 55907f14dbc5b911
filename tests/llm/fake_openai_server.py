"""A real OpenAI-compatible HTTP server for tests: `/v1/chat/completions` with a scripted queue of replies.

It listens on 127.0.0.1 (a free port) in a background thread, so the real `ChatOpenAI`/openai client path
(HTTP, JSON, SSE streaming, status codes, headers) is exercised. Each request takes the next scripted item:
a `Reply` (text and/or tool calls, token usage, optional delay before answering — longer than the client's
timeout makes a timeout) or a `Fault` (an HTTP error status with headers such as Retry-After). When the
queue is empty, `default` answers. Every request is recorded with its arrival time.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import uvicorn
from langchain_core.messages import HumanMessage, SystemMessage
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from agents.llm_settings import LlmSettings


@dataclass
class Reply:
    """A successful completion."""

    text: str = ""
    tool_calls: list[tuple[str, str]] = field(default_factory=list)  # (name, raw JSON arguments)
    prompt_tokens: int = 11
    completion_tokens: int = 7
    delay: float = 0.0
    cut_after_tokens: int | None = None  # streaming only: drop the connection after this many tokens
    empty_choices: bool = False  # a 200 whose `choices` is [] (some gateways do this under load)


@dataclass
class Fault:
    """An HTTP error response."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "injected fault"


@dataclass
class Recorded:
    """One request the server received."""

    at: float
    body: dict[str, Any]


class FakeOpenAI:
    """The server: `enqueue(...)` replies/faults, read `requests`, use `base_url` as OPENAI_BASE_URL."""

    def __init__(self) -> None:
        self.queue: deque[Reply | Fault] = deque()
        self.default: Reply | Fault = Reply(text="default reply")
        self.requests: list[Recorded] = []
        # Seconds to wait before answering any request for these model names (a slow model next to fast ones).
        self.slow_models: dict[str, float] = {}
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        app = Starlette(routes=[Route("/v1/chat/completions", self._completions, methods=["POST"])])
        config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    @property
    def base_url(self) -> str:
        """The OpenAI base URL of this server."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        """Serve in the background; returns once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake OpenAI server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Shut the server down."""
        self._server.should_exit = True
        self._thread.join(timeout=5)

    def reset(self) -> None:
        """Forget the script and the recorded requests."""
        self.queue.clear()
        self.requests.clear()
        self.default = Reply(text="default reply")
        self.slow_models = {}

    def enqueue(self, *items: Reply | Fault) -> None:
        """Script the next responses, in order."""
        self.queue.extend(items)

    def gaps(self) -> list[float]:
        """Seconds between consecutive requests."""
        times = [r.at for r in self.requests]
        return [b - a for a, b in pairwise(times)]

    async def _completions(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(Recorded(at=time.monotonic(), body=body))
        if (slow := self.slow_models.get(body.get("model", ""))) is not None:
            await asyncio.sleep(slow)
        item = self.queue.popleft() if self.queue else self.default
        if isinstance(item, Fault):
            error = {"error": {"message": item.message, "type": "injected", "code": str(item.status)}}
            return JSONResponse(error, status_code=item.status, headers=item.headers)
        if item.delay:
            await asyncio.sleep(item.delay)
        model = body.get("model", "unknown")
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(_sse(item, model, include_usage), media_type="text/event-stream")
        return JSONResponse(_completion(item, model))


def _usage(item: Reply) -> dict[str, int]:
    return {
        "prompt_tokens": item.prompt_tokens,
        "completion_tokens": item.completion_tokens,
        "total_tokens": item.prompt_tokens + item.completion_tokens,
    }


def _tool_calls(item: Reply) -> list[dict[str, Any]]:
    return [
        {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": args}}
        for i, (name, args) in enumerate(item.tool_calls)
    ]


def _completion(item: Reply, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": item.text or None}
    if item.tool_calls:
        message["tool_calls"] = _tool_calls(item)
    if item.empty_choices:
        return {"id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion", "created": int(time.time()),
                "model": model, "choices": [], "usage": _usage(item)}
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{
            "index": 0, "message": message, "logprobs": None,
            "finish_reason": "tool_calls" if item.tool_calls else "stop",
        }],
        "usage": _usage(item),
    }


def _words(text: str) -> list[str]:
    parts = text.split(" ")
    return [p + (" " if i < len(parts) - 1 else "") for i, p in enumerate(parts) if p or i == 0]


async def _sse(item: Reply, model: str, include_usage: bool) -> AsyncIterator[bytes]:
    cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())

    def chunk(delta: dict[str, Any] | None, finish: str | None = None, usage: dict | None = None) -> bytes:
        choices = [] if delta is None else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
        payload: dict[str, Any] = {
            "id": cid, "object": "chat.completion.chunk", "created": created, "model": model, "choices": choices,
        }
        if usage is not None:
            payload["usage"] = usage
        return f"data: {json.dumps(payload)}\n\n".encode()

    yield chunk({"role": "assistant", "content": ""})
    if item.text:
        for n, word in enumerate(_words(item.text)):
            if item.cut_after_tokens is not None and n >= item.cut_after_tokens:
                raise ConnectionAbortedError("injected: connection dropped mid-stream")
            await asyncio.sleep(0.005)  # real token pacing, so tests can see chunks arrive separately
            yield chunk({"content": word})
    for i, call in enumerate(_tool_calls(item)):
        head = {"index": i, "id": call["id"], "type": "function",
                "function": {"name": call["function"]["name"], "arguments": ""}}
        yield chunk({"tool_calls": [head]})
        args = call["function"]["arguments"]
        for start in range(0, len(args), 8):
            yield chunk({"tool_calls": [{"index": i, "function": {"arguments": args[start:start + 8]}}]})
    yield chunk({}, finish="tool_calls" if item.tool_calls else "stop")
    if include_usage:
        yield chunk(None, usage=_usage(item))
    yield b"data: [DONE]\n\n"



MESSAGES = [SystemMessage("[role: coach] You are a Socratic tutor."), HumanMessage("What is elasticity?")]


def settings_for(server: FakeOpenAI, **overrides: Any) -> LlmSettings:
    """Fast retry settings pointing at the fake server, falling back to the offline model."""
    values: dict[str, Any] = {
        "api_key": "dummy", "base_url": server.base_url, "offline": False, "timeout_seconds": 0.4,
        "max_attempts": 3, "max_retry_seconds": 5.0, "backoff_initial_seconds": 0.01,
        "backoff_max_seconds": 0.05, "backoff_jitter_seconds": 0.01, "retry_after_cap_seconds": 2.0,
        "fallback_to_offline": True,
    }
    values.update(overrides)
    return LlmSettings(**values)
