"""The one retry layer around every chat-model call (the OpenAI client itself runs with `max_retries=0`).

Retried: rate limits (429), timeouts, connection errors, 5xx (and 408), and output the model got wrong in a
way a second try usually fixes (unparseable tool-call arguments, structured output that does not validate).
Not retried: other 4xx (400, 401, 403, 404, 422 …) — repeating the same request cannot help.
Waits are exponential with jitter, except that a server's `Retry-After` is honoured (capped); attempts and
total time are both bounded, and a wait that would overrun the time budget ends the retries instead.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import openai
import pydantic
from langchain_core.exceptions import (
    ModelAPIError,
    ModelConnectionError,
    ModelRateLimitError,
    ModelTimeoutError,
    OutputParserException,
)
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
)

if TYPE_CHECKING:
    from agents.llm_settings import LlmSettings

log = logging.getLogger(__name__)
T = TypeVar("T")

_RETRYABLE_STATUS = {408, 429}


class MalformedToolCallError(OutputParserException):
    """The model returned tool calls whose arguments are not valid JSON; worth asking again."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry one model call."""

    max_attempts: int = 4
    max_total_seconds: float = 60.0
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    jitter: float = 0.5
    retry_after_cap: float = 30.0

    @classmethod
    def from_settings(cls, settings: LlmSettings) -> RetryPolicy:
        """The policy the settings describe."""
        return cls(
            max_attempts=settings.max_attempts,
            max_total_seconds=settings.max_retry_seconds,
            backoff_initial=settings.backoff_initial_seconds,
            backoff_max=settings.backoff_max_seconds,
            jitter=settings.backoff_jitter_seconds,
            retry_after_cap=settings.retry_after_cap_seconds,
        )


def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None) if response is not None else None


def is_retryable(exc: BaseException) -> bool:
    """Whether repeating the same call could succeed where this one failed."""
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, ModelTimeoutError,
                        ModelConnectionError, ModelRateLimitError, httpx.TimeoutException,
                        httpx.NetworkError, TimeoutError)):
        return True
    if isinstance(exc, (OutputParserException, json.JSONDecodeError, pydantic.ValidationError)):
        return True
    status = _status_of(exc)
    if isinstance(exc, (openai.APIStatusError, ModelAPIError, httpx.HTTPStatusError)) and status is not None:
        return status in _RETRYABLE_STATUS or status >= 500
    return False


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms` or `Retry-After`, seconds or HTTP date)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def backoff_seconds(attempt_number: int, policy: RetryPolicy) -> float:
    """Exponential backoff after the given failed attempt (1-based), plus jitter, never above backoff_max."""
    exponential = policy.backoff_initial * 2 ** min(attempt_number - 1, 30)
    return min(policy.backoff_max, exponential + random.uniform(0, policy.jitter))


class _WaitRetryAfterOrBackoff:
    """Wait what the server asked for (capped), else exponential backoff with jitter."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after_seconds(exc)
        if asked is not None:
            return min(asked, self.policy.retry_after_cap)
        return backoff_seconds(state.attempt_number, self.policy)


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.warning(
        "LLM call failed (attempt %d): %s: %s; retrying in %.2fs",
        state.attempt_number, type(exc).__name__, exc, state.upcoming_sleep,
    )


def _retry_kwargs(policy: RetryPolicy, retry_if: Callable[[BaseException], bool]) -> dict[str, Any]:
    return {
        "stop": stop_after_attempt(policy.max_attempts) | stop_before_delay(policy.max_total_seconds),
        "wait": _WaitRetryAfterOrBackoff(policy),
        "retry": retry_if_exception(retry_if),
        "before_sleep": _log_retry,
        "reraise": True,
    }


async def acall_with_retry(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    retry_if: Callable[[BaseException], bool] = is_retryable,
) -> T:
    """Await `call()` until it succeeds, a non-retryable error occurs, or the policy's budget is spent.

    The last error is re-raised as itself (not wrapped), so callers can fall back on it.
    """
    async for attempt in AsyncRetrying(**_retry_kwargs(policy, retry_if)):
        with attempt:
            return await call()
    raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover


def call_with_retry(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    retry_if: Callable[[BaseException], bool] = is_retryable,
) -> T:
    """Synchronous `acall_with_retry`."""
    for attempt in Retrying(**_retry_kwargs(policy, retry_if)):
        with attempt:
            return call()
    raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover
