"""A student's recent performance: marked answers by syllabus point, and recent coaching outcomes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Attempt, AttemptedQuestion, CoachingSession, Question


async def recent_marked_answers(session: AsyncSession, *, student_id: uuid.UUID, limit: int = 20) -> list[dict[str, Any]]:
    """The student's latest marked answers: question ref, syllabus codes, marks, max marks, when."""
    stmt = (
        select(Question.ref, Question.syllabus_point_codes, Question.kind, AttemptedQuestion.marks_awarded,
               Question.max_marks, AttemptedQuestion.marked_at)
        .join(AttemptedQuestion, AttemptedQuestion.question_id == Question.id)
        .join(Attempt, Attempt.id == AttemptedQuestion.attempt_id)
        .where(Attempt.student_id == student_id, AttemptedQuestion.marks_awarded.is_not(None))
        .order_by(AttemptedQuestion.marked_at.desc().nulls_last())
        .limit(limit)
    )
    return [
        {"question": r.ref, "syllabus_points": list(r.syllabus_point_codes), "kind": r.kind,
         "marks": r.marks_awarded, "max_marks": r.max_marks,
         "marked_at": r.marked_at.isoformat() if r.marked_at else None}
        for r in (await session.execute(stmt)).all()
    ]


async def recent_coaching_outcomes(session: AsyncSession, *, student_id: uuid.UUID, limit: int = 5) -> list[dict[str, Any]]:
    """The student's latest closed coaching sessions: topic, syllabus point, outcome."""
    stmt = (
        select(CoachingSession.topic, CoachingSession.syllabus_point_code, CoachingSession.outcome,
               CoachingSession.updated_at)
        .where(CoachingSession.student_id == student_id, CoachingSession.outcome != "in_progress")
        .order_by(CoachingSession.updated_at.desc())
        .limit(limit)
    )
    return [
        {"topic": r.topic, "syllabus_point": r.syllabus_point_code, "outcome": r.outcome,
         "closed_at": r.updated_at.isoformat()}
        for r in (await session.execute(stmt)).all()
    ]


def weakest_points(answers: list[dict[str, Any]], *, limit: int = 3) -> list[dict[str, Any]]:
    """Syllabus points ranked by the student's mean fraction of marks (lowest first)."""
    totals: dict[str, list[float]] = {}
    for a in answers:
        if a["max_marks"]:
            for code in a["syllabus_points"]:
                totals.setdefault(code, []).append(a["marks"] / a["max_marks"])
    ranked = sorted(totals.items(), key=lambda kv: (sum(kv[1]) / len(kv[1]), kv[0]))
    return [{"syllabus_point": c, "mean_fraction": round(sum(v) / len(v), 2), "answers": len(v)} for c, v in ranked[:limit]]
