"""A total time budget for one unit of work (a chat turn, a marking run), shared by every model call in it.

The API opens `deadline_after(20)` around a turn; each model call inside (retries included) gets only what
is left, and once it is spent the offline model answers at once. The budget travels in a context variable,
so LangGraph's node tasks (which copy the context) see it without any argument threading.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("teach_llm_deadline", default=None)


@contextmanager
def deadline_after(seconds: float | None) -> Iterator[None]:
    """Run the block with at most `seconds` for model calls (an enclosing, earlier deadline still wins)."""
    if seconds is None:
        yield
        return
    ends = time.monotonic() + seconds
    current = _deadline.get()
    token = _deadline.set(ends if current is None else min(current, ends))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining_seconds() -> float | None:
    """Seconds left in the current budget (never negative), or None when no deadline is set."""
    ends = _deadline.get()
    return None if ends is None else max(0.0, ends - time.monotonic())
