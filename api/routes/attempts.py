"""Attempts: a student submits answers and gets marks, feedback, confidence and an improvement plan."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from api.access import ensure_can_view_student
from api.deps import CurrentUser, SessionDep, StateDep, StudentUser
from api.errors import NotFound
from api.schemas_marking import AttemptCreate, AttemptPublic
from api.services.marking import load_attempt, run_marking, store_attempt

router = APIRouter(prefix="/v1/attempts", tags=["marking"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def submit_attempt(body: AttemptCreate, session: SessionDep, state: StateDep, user: StudentUser) -> AttemptPublic:
    """Mark an attempt: per-question marks per AO, feedback, confidence and needs_review; the improvement plan.

    Answers are saved before marking starts. Low-confidence marks go to the review queue (status
    `awaiting_review`) and are updated when a teacher or examiner decides them.
    """
    attempt_id = await store_attempt(session, student=user, body=body,
                                     answer_max_chars=state.settings.answer_max_chars)
    await session.commit()
    await run_marking(state, student_id=user.id, attempt_id=attempt_id)
    attempt = await load_attempt(session, attempt_id=attempt_id)
    if attempt is None:  # deleted between marking and reading (the account was removed)
        raise NotFound("attempt not found")
    return attempt


@router.get("/{attempt_id}")
async def read_attempt(attempt_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> AttemptPublic:
    """The marked attempt (the student, their teachers, admins)."""
    attempt = await load_attempt(session, attempt_id=attempt_id)
    if attempt is None:
        raise NotFound("attempt not found")
    await ensure_can_view_student(session, viewer=user, student_id=attempt.student_id, what="attempt")
    return attempt
