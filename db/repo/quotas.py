"""Quota counters in PostgreSQL (rows, not process memory, so every API instance sees the same counts) and
the token spend recorded in `llm_calls`, per student and per class."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_CONSUME = text(
    "INSERT INTO quota_usage AS q (kind, owner_id, window_start, used) VALUES (:kind, :owner, :window, 1) "
    "ON CONFLICT (kind, owner_id, window_start) DO UPDATE SET used = q.used + 1 WHERE q.used < :limit "
    "RETURNING used"
)


def window_start(now: datetime, seconds: int) -> datetime:
    """The start of the fixed window of `seconds` that contains `now`."""
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


async def consume(session: AsyncSession, *, kind: str, owner_id: uuid.UUID, now: datetime, window_seconds: int,
                  limit: int) -> float | None:
    """Take one unit of `kind` for `owner_id` in the current window. None when taken; else the seconds until
    the window ends (nothing is taken). The caller's transaction commits it."""
    start = window_start(now, window_seconds)
    used = (await session.execute(_CONSUME.bindparams(kind=kind, owner=owner_id, window=start,
                                                      limit=limit))).scalar_one_or_none()
    if used is not None:
        return None
    return max(1.0, (start + timedelta(seconds=window_seconds) - now).total_seconds())


async def classes_of(session: AsyncSession, *, student_id: uuid.UUID) -> list[uuid.UUID]:
    """The classes a student is a member of."""
    rows = await session.execute(text("SELECT class_id FROM class_members WHERE student_id = :s"),
                                 {"s": student_id})
    return [r.class_id for r in rows]


async def tokens_since(session: AsyncSession, *, student_ids: list[uuid.UUID], since: datetime) -> int:
    """LLM tokens (in + out) the configured model spent on these students' work since `since` (the offline
    model's estimates cost nothing and are not counted)."""
    if not student_ids:
        return 0
    total = (await session.execute(text(
        "SELECT COALESCE(SUM(input_tokens + output_tokens), 0) FROM llm_calls "
        "WHERE student_id = ANY(:ids) AND created_at >= :since AND NOT offline"), {"ids": student_ids, "since": since})).scalar_one()
    return int(total)


async def class_tokens_since(session: AsyncSession, *, class_id: uuid.UUID, since: datetime) -> int:
    """LLM tokens recorded for the work of a class's members since `since`."""
    total = (await session.execute(text(
        "SELECT COALESCE(SUM(c.input_tokens + c.output_tokens), 0) FROM llm_calls c "
        "JOIN class_members m ON m.student_id = c.student_id "
        "WHERE m.class_id = :k AND c.created_at >= :since AND NOT c.offline"),
        {"k": class_id, "since": since})).scalar_one()
    return int(total)


async def spend_by_student(session: AsyncSession, *, student_ids: list[uuid.UUID] | None, since: datetime
                           ) -> list[dict]:
    """Per student: calls, offline calls, input and output tokens since `since` (None = every student).

    A call is the student's when it says so (chat turns) or when its thread is one of their attempts (marking).
    """
    rows = await session.execute(text(
        "SELECT s.id AS student_id, s.display_name, COUNT(c.id) AS calls, "
        "COUNT(c.id) FILTER (WHERE c.offline) AS offline_calls, "
        "COALESCE(SUM(c.input_tokens), 0) AS input_tokens, COALESCE(SUM(c.output_tokens), 0) AS output_tokens "
        "FROM llm_calls c LEFT JOIN attempts a ON c.student_id IS NULL AND a.id::text = c.thread_id "
        "JOIN students s ON s.id = COALESCE(c.student_id, a.student_id) "
        "WHERE c.created_at >= :since AND (CAST(:all AS boolean) OR s.id = ANY(:ids)) "
        "GROUP BY s.id, s.display_name ORDER BY SUM(c.input_tokens + c.output_tokens) DESC NULLS LAST, s.id"),
        {"since": since, "all": student_ids is None, "ids": student_ids or []})
    return [dict(r._mapping) for r in rows]
