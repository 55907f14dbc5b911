"""A circuit breaker per model endpoint (base URL + model name), shared by every model object in the process.

Closed: calls go through; consecutive failed attempts are counted, a success resets the count. After
`failures` of them in a row — or one call that used up its whole time budget — it opens: for `cooldown`
seconds every call is refused at once (the caller answers with the offline model), so a provider outage
costs one timeout, not one per turn. When the cool-down ends, one call is let through as a probe
(half-open): its success closes the breaker, its failure opens it again.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)


class CircuitOpenError(Exception):
    """The endpoint's breaker is open: the call was not made."""


class CircuitBreaker:
    """One endpoint's breaker (a plain object, so every model holding it shares the same one)."""

    def __init__(self, name: str, *, failures: int = 3, cooldown: float = 30.0) -> None:
        self.name = name
        self.failures = failures
        self.cooldown = cooldown
        self.opened_count = 0
        self._consecutive = 0
        self._open_until: float | None = None
        self._probing = False

    @property
    def state(self) -> str:
        """"closed", "open" or "half_open"."""
        if self._open_until is None:
            return "closed"
        return "open" if time.monotonic() < self._open_until else "half_open"

    def allow(self) -> bool:
        """Whether a new call may start now (in half-open, only the first caller — the probe — may)."""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self._probing:
            self._probing = True
            return True
        return False

    def is_open(self) -> bool:
        """True while calls are refused (a retry loop stops retrying when this turns true)."""
        return self.state == "open"

    def record_success(self) -> None:
        """A call succeeded: close."""
        if self._open_until is not None:
            log.info("LLM endpoint %s recovered; circuit closed", self.name)
        self._consecutive, self._open_until, self._probing = 0, None, False

    def record_failure(self) -> None:
        """An attempt failed in a way an outage would (timeout, connection, 5xx, 429, bad output)."""
        self._consecutive += 1
        if self._probing or self._consecutive >= self.failures:
            self.trip()

    def trip(self) -> None:
        """Open now, for one cool-down."""
        if self.state != "open":
            self.opened_count += 1
            log.warning("LLM endpoint %s is failing; circuit open for %.0f s (the offline model answers)",
                        self.name, self.cooldown)
        self._open_until = time.monotonic() + self.cooldown
        self._probing = False


_breakers: dict[tuple[str, str], CircuitBreaker] = {}


def breaker_for(base_url: str | None, model: str, *, failures: int, cooldown: float) -> CircuitBreaker:
    """The process's breaker for this endpoint and model (created on first use)."""
    key = (base_url or "https://api.openai.com/v1", model)
    breaker = _breakers.get(key)
    if breaker is None:
        breaker = _breakers[key] = CircuitBreaker(name=f"{key[0]} {model}", failures=failures, cooldown=cooldown)
    return breaker


def reset_breakers() -> None:
    """Forget every breaker (tests start each case closed)."""
    _breakers.clear()
