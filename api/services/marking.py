"""Marking over HTTP: validate and store an attempt, run the marking workflow, resume it with a review.

Answers are committed before the workflow runs (thread id = attempt id), so a model failure never loses
what a student wrote. Runs and resumes of one attempt are serialised with the app's turn gate (keyed by the
attempt id), so two reviewers deciding answers of the same attempt resume the workflow one after the other.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from langgraph.types import Command
from sqlalchemy.ext.asyncio import AsyncSession

from agents.deadline import deadline_after
from api.errors import Conflict, InvalidInput, PayloadTooLarge, Unavailable
from api.schemas_marking import AttemptCreate, AttemptPublic
from db.models import Student
from db.repo.attempts import create_attempt, get_attempt, list_answers_with_questions
from db.repo.curriculum import get_questions, get_subject, get_subject_by_code
from db.repo.improvement_plans import get_plan_for_attempt
from db.repo.reviews import is_queued
from graph.state import GraphContext

log = logging.getLogger(__name__)


def _config(attempt_id: uuid.UUID) -> dict[str, Any]:
    return {"configurable": {"thread_id": str(attempt_id)}}


async def store_attempt(db: AsyncSession, *, student: Student, body: AttemptCreate, answer_max_chars: int) -> uuid.UUID:
    """Validate every answer (field named on failure, nothing written) and store the attempt; returns its id."""
    subject = await get_subject_by_code(db, code=body.subject_code.strip())
    if subject is None:
        raise InvalidInput(f"unknown subject {body.subject_code!r}", field="subject_code")
    questions = await get_questions(db, question_ids=[a.question_id for a in body.answers])
    seen: set[uuid.UUID] = set()
    for index, item in enumerate(body.answers):
        field = f"answers[{index}].question_id"
        question = questions.get(item.question_id)
        if question is None:
            raise InvalidInput(f"unknown question {item.question_id}", field=field)
        if question.subject_id != subject.id:
            other = await get_subject(db, subject_id=question.subject_id)
            raise InvalidInput(f"question {question.ref} belongs to subject {other.code if other else '?'}, "
                               f"not {subject.code}", field=field)
        if item.question_id in seen:
            raise InvalidInput(f"question {question.ref} is answered twice", field=field)
        seen.add(item.question_id)
        if len(item.answer) > answer_max_chars:
            raise PayloadTooLarge(f"answer is {len(item.answer)} characters; the limit is {answer_max_chars}",
                                  field=f"answers[{index}].answer")
    attempt = await create_attempt(
        db, student_id=student.id, subject_id=subject.id,
        answers=[(a.question_id, a.answer) for a in body.answers],
        max_marks=sum(questions[a.question_id].max_marks for a in body.answers),
    )
    return attempt.id


async def run_marking(state: Any, *, student_id: uuid.UUID, attempt_id: uuid.UUID) -> None:
    """Run the marking workflow for a stored attempt (it ends, or pauses for human reviews)."""
    context = GraphContext(sessionmaker=state.sessionmaker, student_id=student_id, attempt_id=attempt_id,
                           actor_id=student_id, model_factory=state.model_factory)
    async with state.turn_gate.turn(attempt_id, kind="marking"):  # marking's own slots, never chat's
        try:
            with deadline_after(state.settings.marking_deadline_seconds):
                await state.graph.ainvoke({"kind": "mark"}, config=_config(attempt_id), context=context,
                                          durability="sync")
        except Exception as exc:
            log.exception("marking failed for attempt %s", attempt_id)
            raise Unavailable(f"marking failed; your answers are saved in attempt {attempt_id} — please ask "
                              "your teacher or retry later") from exc


async def load_attempt(db: AsyncSession, *, attempt_id: uuid.UUID) -> AttemptPublic | None:
    """The attempt as the API shows it (answers, marks, feedback, confidence, improvement plan)."""
    attempt = await get_attempt(db, attempt_id=attempt_id)
    if attempt is None:
        return None
    subject = await get_subject(db, subject_id=attempt.subject_id)
    rows = await list_answers_with_questions(db, attempt_id=attempt_id)
    plan = await get_plan_for_attempt(db, attempt_id=attempt_id)
    return AttemptPublic.of(attempt, subject.code if subject else "?", rows, plan)


async def pending_review_interrupt(graph: Any, *, attempt_id: uuid.UUID, attempted_question_id: uuid.UUID) -> Any:
    """The workflow's paused `interrupt()` for this answer, or None when it is not waiting for one."""
    snapshot = await graph.aget_state(_config(attempt_id))
    for pending in getattr(snapshot, "interrupts", ()) or ():
        value = pending.value if isinstance(pending.value, dict) else {}
        if value.get("attempted_question_id") == str(attempted_question_id):
            return pending
    return None


async def resume_review(
    state: Any, *, attempt_id: uuid.UUID, student_id: uuid.UUID, attempted_question_id: uuid.UUID,
    marks_awarded: int, feedback: str | None, reviewer_id: uuid.UUID,
) -> None:
    """Resume the paused review of one answer with a person's (already validated) decision.

    409 when the answer is not in the queue or the workflow is not paused on it.
    """
    async with state.turn_gate.turn(attempt_id, kind="marking"):
        async with state.sessionmaker() as db:
            queued = await is_queued(db, attempted_question_id=attempted_question_id)
        if not queued:
            raise Conflict("this answer is not in the review queue (not flagged, or already reviewed)",
                           field="attempted_question_id")
        pending = await pending_review_interrupt(state.graph, attempt_id=attempt_id,
                                                 attempted_question_id=attempted_question_id)
        if pending is None:
            raise Conflict("the marking workflow is not waiting for a review of this answer",
                           field="attempted_question_id")
        decision = {"marks_awarded": marks_awarded, "feedback": feedback, "reviewer_id": str(reviewer_id)}
        context = GraphContext(sessionmaker=state.sessionmaker, student_id=student_id, attempt_id=attempt_id,
                               actor_id=reviewer_id, model_factory=state.model_factory)
        try:
            await state.graph.ainvoke(Command(resume={pending.id: decision}), config=_config(attempt_id),
                                      context=context, durability="sync")
        except Exception as exc:
            log.exception("resuming the review of %s failed", attempted_question_id)
            raise Unavailable("the review could not be applied; please retry") from exc
        async with state.sessionmaker() as db:
            if await is_queued(db, attempted_question_id=attempted_question_id):
                raise Unavailable("the review was not applied; please retry")
