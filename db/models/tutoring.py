"""Seed 000's tables: coaching_sessions, study_plans, improvement_plans — columns, CHECKs, FKs, indexes as given."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from db.models.common import timestamp_field, uuid_pk_field

OUTCOMES = ("in_progress", "resolved", "needs_more_help", "refer_to_teacher")
PLAN_STATUSES = ("active", "completed", "abandoned")


class CoachingSession(SQLModel, table=True):
    """A tutoring conversation between a student and the Coach; the transcript is a JSONB array."""

    __tablename__ = "coaching_sessions"
    __table_args__ = (
        ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE", name="fk_student"),
        CheckConstraint(
            "outcome IN ('in_progress', 'resolved', 'needs_more_help', 'refer_to_teacher')",
            name="valid_outcome",
        ),
        Index("idx_coaching_sessions_student", "student_id"),
        Index("idx_coaching_sessions_created", text("created_at DESC")),
    )

    id: uuid.UUID = uuid_pk_field()
    student_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False))
    topic: str = Field(sa_column=Column(String(500), nullable=False))
    struggle_description: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    session_transcript: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB(), nullable=False)
    )
    outcome: str = Field(
        default="in_progress", sa_column=Column(String(50), nullable=False, server_default="in_progress")
    )
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    # Migration 007 (beyond the seed): the resolved syllabus point and a referral reason the teacher sees.
    syllabus_point_code: str | None = Field(default=None, sa_column=Column(String(30), nullable=True))
    referral_reason: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))


class StudyPlan(SQLModel, table=True):
    """An SM-2 study schedule up to an exam date, with per-syllabus-point easiness factors."""

    __tablename__ = "study_plans"
    __table_args__ = (
        ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE", name="fk_student"),
        ForeignKeyConstraint(["subject_id"], ["subjects.id"], name="fk_subject"),
        CheckConstraint("total_days > 0", name="valid_total_days"),
        CheckConstraint("hours_per_day > 0 AND hours_per_day <= 24", name="valid_hours_per_day"),
        CheckConstraint("status IN ('active', 'completed', 'abandoned')", name="valid_status"),
        Index("idx_study_plans_student", "student_id"),
        Index("idx_study_plans_status", "status"),
        Index("idx_study_plans_exam_date", "exam_date"),
    )

    id: uuid.UUID = uuid_pk_field()
    student_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False))
    subject_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False))
    exam_date: date = Field(sa_column=Column(Date(), nullable=False))
    total_days: int = Field(sa_column=Column(Integer(), nullable=False))
    hours_per_day: float = Field(sa_column=Column(Float(), nullable=False))
    schedule: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB(), nullable=False))
    easiness_factors: dict[str, float] | None = Field(default=None, sa_column=Column(JSONB(), nullable=True))
    status: str = Field(default="active", sa_column=Column(String(20), nullable=False, server_default="active"))
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class ImprovementPlan(SQLModel, table=True):
    """Weaknesses by AO1/AO2/AO3 from a marked attempt, and the action items that address them."""

    __tablename__ = "improvement_plans"
    __table_args__ = (
        ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE", name="fk_student"),
        ForeignKeyConstraint(["attempt_id"], ["attempts.id"], ondelete="CASCADE", name="fk_attempt"),
        Index("idx_improvement_plans_student", "student_id"),
        Index("idx_improvement_plans_attempt", "attempt_id"),
    )

    id: uuid.UUID = uuid_pk_field()
    student_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False))
    attempt_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False))
    weaknesses: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB(), nullable=False))
    action_items: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB(), nullable=False))
    progress: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(), nullable=True))
    created_at: datetime = timestamp_field()
