"""Attempts (one sitting) and attempted questions (one marked answer, with the seed's confidence columns)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from db.models.common import optional_timestamp_field, timestamp_field, uuid_pk_field

ATTEMPT_STATUSES = ("marking", "marked", "awaiting_review", "reviewed")


class Attempt(SQLModel, table=True):
    """A student's submission of answers to one or more questions of a subject."""

    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint(
            "status IN ('marking', 'marked', 'awaiting_review', 'reviewed')", name="valid_attempt_status"
        ),
    )

    id: uuid.UUID = uuid_pk_field()
    student_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("students.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    subject_id: uuid.UUID = Field(sa_column=Column(Uuid(), ForeignKey("subjects.id"), nullable=False))
    status: str = Field(
        default="marking", sa_column=Column(String(20), nullable=False, server_default="marking")
    )
    total_marks_awarded: int | None = None
    total_max_marks: int = 0
    created_at: datetime = timestamp_field()
    marked_at: datetime | None = optional_timestamp_field()


class AttemptedQuestion(SQLModel, table=True):
    """One answer within an attempt, its mark, feedback and the confidence gate's verdict."""

    __tablename__ = "attempted_questions"
    __table_args__ = (
        CheckConstraint("confidence_score BETWEEN 0 AND 100", name="valid_confidence_score"),
    )

    id: uuid.UUID = uuid_pk_field()
    attempt_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    question_id: uuid.UUID = Field(sa_column=Column(Uuid(), ForeignKey("questions.id"), nullable=False))
    position: int = 0
    answer: str = Field(sa_column=Column(Text(), nullable=False))
    marks_awarded: int | None = None
    marking_feedback: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(), nullable=True))
    created_at: datetime = timestamp_field()
    marked_at: datetime | None = optional_timestamp_field()
    # Seed 000, migration 005.
    confidence_score: int | None = Field(default=None, sa_column=Column(Integer(), nullable=True))
    needs_review: bool = Field(
        default=False, sa_column=Column(Boolean(), server_default="false", nullable=False)
    )
    reviewed_by: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(
            Uuid(), ForeignKey("students.id", name="fk_attempted_questions_reviewed_by"), nullable=True
        ),
    )
    reviewed_at: datetime | None = optional_timestamp_field()
