"""Request and response models of the attempts, reviews and improvement-plan endpoints."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from api.request_model import RequestModel, WholeNumber
from db.models import Attempt, AttemptedQuestion, ImprovementPlan, Question


class AnswerIn(RequestModel):
    question_id: uuid.UUID
    answer: str = Field(description="The student's answer (may be empty: an empty answer earns no marks)")


class AttemptCreate(RequestModel):
    subject_code: str = Field(min_length=1, max_length=20)
    answers: list[AnswerIn] = Field(min_length=1, max_length=50)


class AnswerPublic(BaseModel):
    """One marked (or still marking) answer."""

    id: uuid.UUID
    question_id: uuid.UUID
    question_ref: str
    position: int
    answer: str
    max_marks: int
    marks_awarded: int | None
    ao_marks: dict[str, int] | None
    feedback: str | None
    credited: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    confidence_score: int | None
    needs_review: bool
    reviewed_by: uuid.UUID | None
    reviewed_at: datetime | None
    reviewed_by_agent: bool
    model: str | None

    @classmethod
    def of(cls, aq: AttemptedQuestion, question: Question) -> AnswerPublic:
        """From a stored answer and its question."""
        fb = aq.marking_feedback or {}
        review = fb.get("review") or {}
        return cls(
            id=aq.id, question_id=aq.question_id, question_ref=question.ref, position=aq.position, answer=aq.answer,
            max_marks=question.max_marks, marks_awarded=aq.marks_awarded,
            ao_marks=review.get("ao_marks") or fb.get("ao_marks"),
            feedback=review.get("feedback") or fb.get("feedback"), credited=fb.get("credited", []),
            missing=fb.get("missing", []), confidence_score=aq.confidence_score, needs_review=aq.needs_review,
            reviewed_by=aq.reviewed_by, reviewed_at=aq.reviewed_at,
            reviewed_by_agent=review.get("by") == "reviewer-agent", model=fb.get("model"),
        )


class ImprovementPlanPublic(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    attempt_id: uuid.UUID
    weaknesses: dict[str, Any]
    action_items: list[dict[str, Any]]
    progress: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, plan: ImprovementPlan) -> ImprovementPlanPublic:
        """From the stored plan."""
        return cls(id=plan.id, student_id=plan.student_id, attempt_id=plan.attempt_id, weaknesses=plan.weaknesses,
                   action_items=plan.action_items, progress=plan.progress or {}, created_at=plan.created_at)


class AttemptPublic(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    subject_code: str
    status: str
    total_marks_awarded: int | None
    total_max_marks: int
    created_at: datetime
    marked_at: datetime | None
    answers: list[AnswerPublic]
    improvement_plan: ImprovementPlanPublic | None

    @classmethod
    def of(cls, attempt: Attempt, subject_code: str, rows: list[tuple[AttemptedQuestion, Question]],
           plan: ImprovementPlan | None) -> AttemptPublic:
        """From the stored attempt, its answers and plan."""
        return cls(id=attempt.id, student_id=attempt.student_id, subject_code=subject_code, status=attempt.status,
                   total_marks_awarded=attempt.total_marks_awarded, total_max_marks=attempt.total_max_marks,
                   created_at=attempt.created_at, marked_at=attempt.marked_at,
                   answers=[AnswerPublic.of(aq, q) for aq, q in rows],
                   improvement_plan=ImprovementPlanPublic.of(plan) if plan else None)


class ReviewDecisionIn(RequestModel):
    # Strict: `false` is not a mark of 0 (2.0 is 2).
    marks_awarded: WholeNumber = Field(ge=0, description="The reviewer's mark, 0..the question's max_marks")
    feedback: str | None = Field(default=None, max_length=4000)


class QueueEntry(BaseModel):
    attempted_question_id: uuid.UUID
    attempt_id: uuid.UUID
    student_id: uuid.UUID
    student_name: str
    question_id: uuid.UUID
    question_ref: str
    question_text: str
    max_marks: int
    answer: str
    marks_awarded: int | None
    confidence_score: int | None
    why: list[str]
    first_marking: dict[str, Any] | None
    second_marking: dict[str, Any] | None
    queued_at: datetime


class ReviewQueuePage(BaseModel):
    items: list[QueueEntry]
    total: int
    limit: int
    offset: int


class ProgressUpdate(RequestModel):
    action_id: str = Field(min_length=1, max_length=50)
    started: date | None = None
    completed: date | None = None
    notes: str | None = Field(default=None, max_length=2000)

    @field_validator("action_id")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()
