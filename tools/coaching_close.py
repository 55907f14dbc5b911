"""Closing a coaching session: the seed's transition (from `in_progress` only) and what follows a close."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from db.repo.coaching import close_with_outcome

CLOSING_OUTCOMES = ("resolved", "needs_more_help", "refer_to_teacher")


async def close_session(
    db: AsyncSession, *, session_id: uuid.UUID, outcome: str, closed_by: uuid.UUID | None = None,
    referral_reason: str | None = None,
) -> bool:
    """Close `in_progress` → outcome. False when the session is already closed. The caller commits.

    `closed_by` is the teacher who closed it, or None for the AI Coach.
    """
    if outcome not in CLOSING_OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(CLOSING_OUTCOMES)}")
    return await close_with_outcome(db, session_id=session_id, outcome=outcome, referral_reason=referral_reason)
