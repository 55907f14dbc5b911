"""Per-student SM-2 state per syllabus point, and the ledger of graded events it is replayed from.

The SM-2 arithmetic lives in `tools/` (db imports nothing of ours); these functions only store and read.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db import clock
from db.models import StudentTopicState, TopicReview


async def lock_student_topics(session: AsyncSession, *, student_id: uuid.UUID) -> None:
    """Serialise topic-state updates of one student until the transaction ends.

    Two events for the same student replaying the ledger concurrently could each miss the other's row and
    leave a state that counts only one of them; a transaction-scoped advisory lock rules that out.
    """
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))").bindparams(key=f"topics:{student_id}")
    )


async def record_topic_review(
    session: AsyncSession, *, student_id: uuid.UUID, syllabus_point_code: str, source: str, source_id: str,
    quality: int, reviewed_at: datetime,
) -> None:
    """Insert a graded event, or replace the grade of the same event (same student, code and source id).

    The first `reviewed_at` is kept on a re-grade: a reviewer's correction is about the original answer.
    """
    stmt = insert(TopicReview).values(
        student_id=student_id, syllabus_point_code=syllabus_point_code, source=source, source_id=source_id,
        quality=quality, reviewed_at=reviewed_at,
    )
    stmt = stmt.on_conflict_do_update(
        constraint="pk_topic_reviews", set_={"quality": stmt.excluded.quality}
    )
    await session.execute(stmt)


async def list_topic_reviews(
    session: AsyncSession, *, student_id: uuid.UUID, syllabus_point_code: str
) -> list[TopicReview]:
    """A student's graded events for one syllabus point, oldest first (ties by source id: deterministic)."""
    stmt = (
        select(TopicReview)
        .where(TopicReview.student_id == student_id, TopicReview.syllabus_point_code == syllabus_point_code)
        .order_by(TopicReview.reviewed_at, TopicReview.source_id)
    )
    return list((await session.execute(stmt)).scalars())


async def save_topic_state(
    session: AsyncSession, *, student_id: uuid.UUID, syllabus_point_code: str, ef: float, interval_days: int,
    repetitions: int, last_quality: int | None,
) -> None:
    """Insert or overwrite the student's state for one syllabus point."""
    values = {"ef": ef, "interval_days": interval_days, "repetitions": repetitions, "last_quality": last_quality}
    stmt = insert(StudentTopicState).values(
        student_id=student_id, syllabus_point_code=syllabus_point_code, **values
    )
    stmt = stmt.on_conflict_do_update(
        constraint="pk_student_topic_states", set_={**values, "updated_at": clock.now()}
    )
    await session.execute(stmt)


async def get_topic_states(
    session: AsyncSession, *, student_id: uuid.UUID, codes: list[str] | None = None
) -> dict[str, StudentTopicState]:
    """The student's stored states by syllabus point code (only points with at least one graded event)."""
    stmt = select(StudentTopicState).where(StudentTopicState.student_id == student_id)
    if codes is not None:
        stmt = stmt.where(StudentTopicState.syllabus_point_code.in_(codes))
    rows = (await session.execute(stmt.execution_options(populate_existing=True))).scalars()
    return {row.syllabus_point_code: row for row in rows}
