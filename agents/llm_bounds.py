"""Bound one model call: the retry policy, the unit of work's remaining deadline, and the endpoint's breaker.

`bounded_acall(call, policy, breaker)` runs `call` under the retry layer, but never for longer than the
smaller of the policy's own budget and what the current deadline (agents/deadline.py) leaves, never while
the breaker is open, and it feeds the breaker every attempt's outcome. It raises on failure; the caller
(agents/resilient.py) then answers with the offline model.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from typing import TypeVar

from langchain_core.exceptions import OutputParserException

from agents.breaker import CircuitBreaker, CircuitOpenError
from agents.deadline import remaining_seconds
from agents.retry import RetryPolicy, acall_with_retry, call_with_retry, is_retryable

T = TypeVar("T")


class EmptyResponseError(OutputParserException):
    """The provider answered 200 with nothing usable (no choices, or a reply with neither text nor tool call)."""


class DeadlineExceeded(TimeoutError):
    """The unit of work's time budget is spent; no (further) model call is made."""


def _budget(policy: RetryPolicy) -> float:
    left = remaining_seconds()
    return policy.max_total_seconds if left is None else min(policy.max_total_seconds, left)


def _tracked(call: Callable[[], T], breaker: CircuitBreaker | None) -> Callable[[], T]:
    """`call`, refusing to run while the breaker is open and reporting each outcome to it."""
    def run() -> T:
        if breaker is not None and breaker.is_open():
            raise CircuitOpenError(f"circuit open for {breaker.name}")
        try:
            result = call()
        except Exception as exc:
            if breaker is not None and is_retryable(exc):
                breaker.record_failure()
            raise
        if breaker is not None:
            breaker.record_success()
        return result
    return run


async def bounded_acall(call: Callable[[], Awaitable[T]], policy: RetryPolicy,
                        breaker: CircuitBreaker | None) -> T:
    """Await `call()` with retries inside the deadline and the breaker (raises when it cannot succeed)."""
    budget = _budget(policy)
    if budget <= 0:
        raise DeadlineExceeded("no time is left in this turn for a model call")
    if breaker is not None and not breaker.allow():
        raise CircuitOpenError(f"circuit open for {breaker.name}")

    async def attempt() -> T:
        if breaker is not None and breaker.is_open():
            raise CircuitOpenError(f"circuit open for {breaker.name}")
        try:
            result = await call()
        except Exception as exc:
            if breaker is not None and is_retryable(exc):
                breaker.record_failure()
            raise
        if breaker is not None:
            breaker.record_success()
        return result

    try:
        async with asyncio.timeout(budget):
            return await acall_with_retry(attempt, dataclasses.replace(policy, max_total_seconds=budget))
    except TimeoutError as exc:
        if isinstance(exc, DeadlineExceeded):
            raise
        if breaker is not None:
            breaker.trip()  # a call that used up its whole budget: the next turns must not wait the same
        raise DeadlineExceeded(f"the model did not answer within {budget:.1f} s") from exc


def bounded_call(call: Callable[[], T], policy: RetryPolicy, breaker: CircuitBreaker | None) -> T:
    """Synchronous `bounded_acall` (the deadline limits the retry budget; a hung attempt ends at its timeout)."""
    budget = _budget(policy)
    if budget <= 0:
        raise DeadlineExceeded("no time is left for a model call")
    if breaker is not None and not breaker.allow():
        raise CircuitOpenError(f"circuit open for {breaker.name}")
    return call_with_retry(_tracked(call, breaker), dataclasses.replace(policy, max_total_seconds=budget))
