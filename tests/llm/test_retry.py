"""The retry layer's pure parts: which errors are retried, Retry-After parsing, backoff bounds, attempt limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st
from langchain_core.exceptions import OutputParserException
from pydantic import BaseModel, ValidationError

from agents.retry import (
    MalformedToolCallError,
    RetryPolicy,
    acall_with_retry,
    backoff_seconds,
    call_with_retry,
    is_retryable,
    retry_after_seconds,
)

REQUEST = httpx.Request("POST", "http://llm.test/v1/chat/completions")
FAST = RetryPolicy(max_attempts=4, max_total_seconds=5, backoff_initial=0.001, backoff_max=0.005, jitter=0.001)


def status_error(status: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    """The exception the openai client raises for this HTTP status."""
    response = httpx.Response(status, headers=headers or {}, request=REQUEST, json={"error": {"message": "x"}})
    return openai.OpenAI(api_key="k", base_url="http://llm.test/v1")._make_status_error(
        "x", body=None, response=response
    )


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_transient_statuses_are_retryable(status: int) -> None:
    assert is_retryable(status_error(status))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_client_errors_are_not_retryable(status: int) -> None:
    assert not is_retryable(status_error(status))


def _validation_error() -> ValidationError:
    class Mark(BaseModel):
        marks: int

    try:
        Mark.model_validate({"marks": "lots"})
    except ValidationError as exc:
        return exc
    raise AssertionError("expected a ValidationError")


@pytest.mark.parametrize(
    "exc",
    [
        openai.APITimeoutError(request=REQUEST),
        openai.APIConnectionError(request=REQUEST),
        httpx.ReadTimeout("slow"),
        MalformedToolCallError("bad args"),
        OutputParserException("bad output"),
        json.JSONDecodeError("Expecting value", "{", 1),
    ],
)
def test_transport_and_output_errors_are_retryable(exc: BaseException) -> None:
    assert is_retryable(exc)


def test_structured_output_validation_errors_are_retryable() -> None:
    assert is_retryable(_validation_error())


@pytest.mark.parametrize("exc", [ValueError("bug"), KeyError("x"), TypeError("y")])
def test_programming_errors_are_not_retryable(exc: BaseException) -> None:
    assert not is_retryable(exc)


def test_retry_after_in_seconds_milliseconds_and_http_date() -> None:
    assert retry_after_seconds(status_error(429, {"Retry-After": "2"})) == 2.0
    assert retry_after_seconds(status_error(429, {"retry-after-ms": "1500"})) == 1.5
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after_seconds(status_error(429, {"Retry-After": later})) <= 30  # type: ignore[operator]
    assert retry_after_seconds(status_error(429, {"Retry-After": "soon-ish"})) is None
    assert retry_after_seconds(status_error(429)) is None
    assert retry_after_seconds(ValueError("no response")) is None


@given(attempt=st.integers(min_value=1, max_value=200), initial=st.floats(0, 5), cap=st.floats(0, 60),
       jitter=st.floats(0, 2))
def test_backoff_never_exceeds_its_cap(attempt: int, initial: float, cap: float, jitter: float) -> None:
    policy = RetryPolicy(backoff_initial=initial, backoff_max=cap, jitter=jitter)
    assert 0 <= backoff_seconds(attempt, policy) <= cap


def test_backoff_grows_exponentially() -> None:
    policy = RetryPolicy(backoff_initial=0.5, backoff_max=100, jitter=0)
    assert [backoff_seconds(n, policy) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]


async def test_attempts_are_bounded_and_the_last_error_is_raised() -> None:
    calls = 0

    async def always_500() -> str:
        nonlocal calls
        calls += 1
        raise status_error(500)

    with pytest.raises(openai.InternalServerError):
        await acall_with_retry(always_500, FAST)
    assert calls == FAST.max_attempts


async def test_a_transient_failure_then_success_returns_the_result() -> None:
    outcomes: list[BaseException | str] = [openai.APITimeoutError(request=REQUEST), status_error(429), "ok"]

    async def flaky() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    assert await acall_with_retry(flaky, FAST) == "ok"
    assert outcomes == []


def test_a_non_retryable_error_is_raised_at_once() -> None:
    calls = 0

    def unauthorised() -> None:
        nonlocal calls
        calls += 1
        raise status_error(401)

    with pytest.raises(openai.AuthenticationError):
        call_with_retry(unauthorised, FAST)
    assert calls == 1
