"""The review queue: low-confidence marks awaiting a person, and the decision that resumes the workflow."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import MAX_OFFSET, SessionDep, StaffUser, StateDep
from api.errors import InvalidInput, NotFound
from api.schemas_marking import AnswerPublic, QueueEntry, ReviewDecisionIn, ReviewQueuePage
from api.services.marking import resume_review
from db.models import Student
from db.repo.accounts import students_taught_by, teacher_teaches_student
from db.repo.reviews import QueuedAnswer, get_answer_context, list_review_queue

router = APIRouter(prefix="/v1/reviews", tags=["reviews"])


async def _scope(session: SessionDep, user: Student) -> list[uuid.UUID] | None:
    """Examiners and admins see the whole queue; a teacher sees their classes' students."""
    if user.role in ("examiner", "admin"):
        return None
    return await students_taught_by(session, teacher_id=user.id)


def _entry(item: QueuedAnswer) -> QueueEntry:
    fb = item.answer.marking_feedback or {}
    # the reasons were computed once, when the answer was gated and reviewed, and stored with the marking
    why = list(fb.get("why") or (fb.get("confidence") or {}).get("why") or [])
    second = fb.get("second_marking")
    return QueueEntry(
        attempted_question_id=item.answer.id, attempt_id=item.attempt.id, student_id=item.student.id,
        student_name=item.student.display_name, question_id=item.question.id, question_ref=item.question.ref,
        question_text=item.question.text, max_marks=item.question.max_marks, answer=item.answer.answer,
        marks_awarded=item.answer.marks_awarded, confidence_score=item.answer.confidence_score, why=why,
        first_marking={k: fb.get(k) for k in ("ao_marks", "total", "feedback", "credited", "missing", "model")}
        if fb else None,
        second_marking={k: second.get(k) for k in ("ao_marks", "total", "feedback", "model")} if second else None,
        queued_at=item.answer.marked_at or item.answer.created_at,
    )


@router.get("")
async def review_queue(
    session: SessionDep, user: StaffUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ReviewQueuePage:
    """Answers awaiting a human decision, oldest first (teachers: their classes' students only)."""
    items, total = await list_review_queue(session, student_ids=await _scope(session, user), limit=limit,
                                           offset=offset)
    return ReviewQueuePage(items=[_entry(i) for i in items], total=total, limit=limit, offset=offset)


@router.post("/{attempted_question_id}")
async def decide_review(
    attempted_question_id: uuid.UUID, body: ReviewDecisionIn, session: SessionDep, state: StateDep, user: StaffUser,
) -> AnswerPublic:
    """Decide a queued mark (0..max_marks): resumes the paused workflow, sets reviewed_by/at, updates totals
    and the improvement plan. 409 when the answer is not in the queue."""
    item = await get_answer_context(session, attempted_question_id=attempted_question_id)
    if item is None:
        raise NotFound("answer not found")
    if user.role == "teacher" and not await teacher_teaches_student(
            session, teacher_id=user.id, student_id=item.student.id):
        raise NotFound("answer not found")
    if body.marks_awarded > item.question.max_marks:
        raise InvalidInput(f"marks_awarded: {body.marks_awarded} is outside 0..{item.question.max_marks}",
                           field="marks_awarded")
    await session.commit()  # release this request's connection before the workflow runs
    await resume_review(state, attempt_id=item.attempt.id, student_id=item.student.id,
                        attempted_question_id=attempted_question_id, marks_awarded=body.marks_awarded,
                        feedback=body.feedback, reviewer_id=user.id)
    item = await get_answer_context(session, attempted_question_id=attempted_question_id)
    if item is None:
        raise NotFound("answer not found")
    return AnswerPublic.of(item.answer, item.question)
