"""Coaching sessions: create, read, list, append to the transcript atomically, close with an outcome."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import clock
from db.models import CoachingSession, Student


def now_iso() -> str:
    """ISO-8601 UTC timestamp for a transcript entry."""
    return clock.now_iso()


async def create_session(
    session: AsyncSession, *, student_id: uuid.UUID, topic: str, struggle_description: str | None,
    syllabus_point_code: str | None,
) -> CoachingSession:
    """Open a session in `in_progress` with an empty transcript."""
    row = CoachingSession(
        student_id=student_id, topic=topic, struggle_description=struggle_description,
        session_transcript=[], syllabus_point_code=syllabus_point_code,
    )
    session.add(row)
    await session.flush()
    return row


async def get_session(session: AsyncSession, *, session_id: uuid.UUID) -> CoachingSession | None:
    """The coaching session, freshly read."""
    return (
        await session.execute(
            select(CoachingSession).where(CoachingSession.id == session_id).execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def get_session_state(session: AsyncSession, *, session_id: uuid.UUID) -> tuple[uuid.UUID, str] | None:
    """(student_id, outcome) of a session without reading its transcript (the per-turn check stays cheap)."""
    row = (await session.execute(
        select(CoachingSession.student_id, CoachingSession.outcome).where(CoachingSession.id == session_id)
    )).one_or_none()
    return (row.student_id, row.outcome) if row else None


async def list_sessions(
    session: AsyncSession, *, student_ids: list[uuid.UUID] | None, outcome: str | None, limit: int, offset: int
) -> tuple[list[CoachingSession], int]:
    """Sessions (newest first) of the given students (None = any), optionally by outcome; with the total."""
    conds = []
    if student_ids is not None:
        conds.append(CoachingSession.student_id.in_(student_ids))
    else:  # "everyone" (an admin's list) means real students: the eval suite's simulated ones are left out
        conds.append(CoachingSession.student_id.not_in(select(Student.id).where(Student.simulated)))
    if outcome is not None:
        conds.append(CoachingSession.outcome == outcome)
    total = (await session.execute(select(func.count()).select_from(CoachingSession).where(*conds))).scalar_one()
    stmt = (
        select(CoachingSession).where(*conds).order_by(CoachingSession.created_at.desc(), CoachingSession.id)
        .limit(limit).offset(offset)
    )
    return list((await session.execute(stmt)).scalars()), int(total)


class SessionClosedError(Exception):
    """The session is no longer `in_progress`, so a student's message cannot be added to it."""


async def append_transcript_entry(
    session: AsyncSession, *, session_id: uuid.UUID, role: str, content: str, timestamp: str | None = None,
    require_open: bool = False, meta: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], str]:
    """Append `{role, content, timestamp}` in one UPDATE (atomic: concurrent appends never lose entries).

    `meta` (coach entries: which model answered, the reply guard's verdict, the Coach's progress after the
    turn) is stored in the entry under "meta", in the same statement as the reply itself.

    With `require_open`, the append happens only while the session is `in_progress` (else SessionClosedError),
    so a message queued behind the turn that closed the session is refused, not silently added.
    Returns the entry and the session's outcome as it stands after the append.
    """
    if role not in ("student", "coach"):
        raise ValueError(f"transcript role must be 'student' or 'coach', not {role!r}")
    entry: dict[str, Any] = {"role": role, "content": content, "timestamp": timestamp or now_iso()}
    if meta is not None:
        entry["meta"] = meta
    only_open = " AND outcome = 'in_progress'" if require_open else ""
    outcome = (await session.execute(
        text(
            "UPDATE coaching_sessions SET session_transcript = session_transcript || jsonb_build_array("
            f"CAST(:entry AS jsonb)), updated_at = :now WHERE id = :id{only_open} RETURNING outcome"
        ).bindparams(entry=_json(entry), id=session_id, now=clock.now())
    )).scalar_one_or_none()
    if outcome is None:
        raise SessionClosedError(f"coaching session {session_id} is closed or does not exist")
    return entry, outcome


async def get_session_tail(session: AsyncSession, *, session_id: uuid.UUID, entries: int) -> dict[str, Any] | None:
    """Topic, syllabus point, outcome, transcript length and only the last `entries` transcript entries.

    Keeps a turn's cost independent of how long the session has grown.
    """
    row = (await session.execute(
        text(
            "SELECT topic, syllabus_point_code, outcome, jsonb_array_length(session_transcript) AS n, "
            "jsonb_path_query_array(session_transcript, CAST(:path AS jsonpath)) AS tail "
            "FROM coaching_sessions WHERE id = :id"
        ).bindparams(path=f"$[last - {max(entries - 1, 0)} to last]", id=session_id)
    )).one_or_none()
    if row is None:
        return None
    return {"topic": row.topic, "syllabus_point_code": row.syllabus_point_code, "outcome": row.outcome,
            "length": row.n, "tail": row.tail}


async def close_with_outcome(
    session: AsyncSession, *, session_id: uuid.UUID, outcome: str, referral_reason: str | None = None
) -> bool:
    """Move `in_progress` → outcome (the seed's only transitions). False if the session was not in progress."""
    values: dict[str, Any] = {"outcome": outcome, "updated_at": clock.now()}
    if referral_reason is not None:
        values["referral_reason"] = referral_reason
    result = await session.execute(
        update(CoachingSession)
        .where(CoachingSession.id == session_id, CoachingSession.outcome == "in_progress")
        .values(**values)
    )
    return result.rowcount == 1


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
