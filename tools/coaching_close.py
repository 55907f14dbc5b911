"""Closing a coaching session: the seed's transition (from `in_progress` only) and what follows a close —
the outcome becomes an SM-2 grade for the session's syllabus point and a director coaching session
(`tools.feedback.on_session_closed`), and the session's deterministic eval scores (`evals.production`), in the
same transaction as the close."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from db.repo.coaching import close_with_outcome, get_session
from tools.feedback import on_session_closed

CLOSING_OUTCOMES = ("resolved", "needs_more_help", "refer_to_teacher")


async def close_session(
    db: AsyncSession, *, session_id: uuid.UUID, outcome: str, closed_by: uuid.UUID | None = None,
    referral_reason: str | None = None,
) -> bool:
    """Close `in_progress` → outcome and feed the outcome back. False when the session is already closed
    (then nothing else happens). The caller commits.

    `closed_by` is the teacher who closed it, or None for the AI Coach (or the student themselves).
    """
    if outcome not in CLOSING_OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(CLOSING_OUTCOMES)}")
    if not await close_with_outcome(db, session_id=session_id, outcome=outcome, referral_reason=referral_reason):
        return False
    closed = await get_session(db, session_id=session_id)  # updated_at is the database's close time
    await on_session_closed(
        db, session_id=session_id, student_id=closed.student_id, syllabus_point_code=closed.syllabus_point_code,
        outcome=outcome, closed_at=closed.updated_at, closed_by=closed_by,
    )
    from evals.production import safe_record  # deferred: the scorers load the curriculum

    await safe_record(db, session_id)
    return True
