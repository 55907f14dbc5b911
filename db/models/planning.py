"""The Planner's own tables (beyond the seeds): each student's SM-2 state per syllabus point, the ledger of
graded events that state is computed from, and the prose notes (rationale, activity suggestions) of a plan.

Why a ledger: a marked answer can be re-marked by a human reviewer. Replaying the student's graded events
in time order makes the per-point state exact and every feedback call idempotent (the same event twice, or
a corrected grade for the same event, never counts twice).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from db.models.common import timestamp_field

REVIEW_SOURCES = ("answer", "coaching_session", "study_day")


class StudentTopicState(SQLModel, table=True):
    """A student's current SM-2 state for one syllabus point (EF 1.3..2.5, interval, repetitions)."""

    __tablename__ = "student_topic_states"
    __table_args__ = (
        PrimaryKeyConstraint("student_id", "syllabus_point_code", name="pk_student_topic_states"),
        CheckConstraint("ef >= 1.3 AND ef <= 2.5", name="valid_topic_ef"),
        CheckConstraint("interval_days >= 0", name="valid_topic_interval"),
        CheckConstraint("repetitions >= 0", name="valid_topic_repetitions"),
        CheckConstraint("last_quality BETWEEN 0 AND 5", name="valid_topic_last_quality"),
    )

    student_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("students.id", ondelete="CASCADE"), nullable=False)
    )
    syllabus_point_code: str = Field(
        sa_column=Column(String(30), ForeignKey("syllabus_points.code", ondelete="CASCADE"), nullable=False)
    )
    ef: float = Field(default=2.5, sa_column=Column(Float(), nullable=False, server_default="2.5"))
    interval_days: int = Field(default=0, sa_column=Column(Integer(), nullable=False, server_default="0"))
    repetitions: int = Field(default=0, sa_column=Column(Integer(), nullable=False, server_default="0"))
    last_quality: int | None = Field(default=None, sa_column=Column(SmallInteger(), nullable=True))
    updated_at: datetime = timestamp_field()


class TopicReview(SQLModel, table=True):
    """One graded event for a student's syllabus point: a marked answer, a closed session, a studied day.

    (student, code, source_id) is unique, so re-recording an event replaces its grade instead of adding one.
    """

    __tablename__ = "topic_reviews"
    __table_args__ = (
        PrimaryKeyConstraint("student_id", "syllabus_point_code", "source_id", name="pk_topic_reviews"),
        CheckConstraint("quality BETWEEN 0 AND 5", name="valid_review_quality"),
        CheckConstraint("source IN ('answer', 'coaching_session', 'study_day')", name="valid_review_source"),
        Index("idx_topic_reviews_replay", "student_id", "syllabus_point_code", "reviewed_at"),
    )

    student_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("students.id", ondelete="CASCADE"), nullable=False)
    )
    syllabus_point_code: str = Field(
        sa_column=Column(String(30), ForeignKey("syllabus_points.code", ondelete="CASCADE"), nullable=False)
    )
    source: str = Field(sa_column=Column(String(20), nullable=False))
    source_id: str = Field(sa_column=Column(String(120), nullable=False))
    quality: int = Field(sa_column=Column(SmallInteger(), nullable=False))
    reviewed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class StudyPlanNote(SQLModel, table=True):
    """The Planner's prose for a study plan: a short rationale and activity suggestions, and which model
    wrote them ("offline" for the template-based offline planner). Never part of the schedule itself."""

    __tablename__ = "study_plan_notes"

    study_plan_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("study_plans.id", ondelete="CASCADE"), primary_key=True)
    )
    rationale: str = Field(sa_column=Column(Text(), nullable=False))
    activity_suggestions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB(), nullable=False)
    )
    model: str = Field(sa_column=Column(String(200), nullable=False))
    offline: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False, server_default="false"))
    created_at: datetime = timestamp_field()
