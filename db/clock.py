"""The service's clock. Every timestamp the product writes comes from `now()`, so history can be replayed at
a chosen time through the real code paths (`teach demo` back-dates a school's history this way).

Outside `clock_at(...)` it is simply the current UTC time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_override: ContextVar[datetime | None] = ContextVar("teach_clock_override", default=None)


def now() -> datetime:
    """Timezone-aware UTC now (or the time set by an enclosing `clock_at`)."""
    return _override.get() or datetime.now(UTC)


def now_iso() -> str:
    """`now()` as ISO-8601 with a `Z` suffix (the transcript's timestamp format)."""
    return now().isoformat().replace("+00:00", "Z")


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Within the block (and tasks started from it), `now()` returns `moment`."""
    if moment.tzinfo is None:
        raise ValueError("clock_at needs a timezone-aware datetime")
    token = _override.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _override.reset(token)
