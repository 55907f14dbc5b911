"""`session_evals`: the deterministic eval scores of each closed coaching session (migration 014).

One row per closed session, written when it closes (and refreshed when the Coach's closing message lands), read
by the session API (flags for the teacher's transcript view), the production counts and `/metrics`. `judge`
holds an optional later LLM-judge pass (`teach eval judge-sessions`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class SessionEval(SQLModel, table=True):
    """Scores and flags of one closed coaching session."""

    __tablename__ = "session_evals"
    __table_args__ = (
        CheckConstraint("question_share >= 0 AND question_share <= 1", name="ck_session_evals_question_share"),
        CheckConstraint("leak_turns >= 0 AND lecture_turns >= 0 AND coach_turns >= 0", name="ck_session_evals_counts"),
        Index("ix_session_evals_closed_at", "closed_at"),
        Index("ix_session_evals_student_closed", "student_id", "closed_at"),
    )

    session_id: uuid.UUID = Field(sa_column=Column(
        Uuid(), ForeignKey("coaching_sessions.id", ondelete="CASCADE"), primary_key=True))
    student_id: uuid.UUID = Field(sa_column=Column(
        Uuid(), ForeignKey("students.id", ondelete="CASCADE"), nullable=False))
    model: str = Field(sa_column=Column(String(200), nullable=False))
    syllabus_point_code: str | None = Field(default=None, sa_column=Column(String(30), nullable=True))
    outcome: str = Field(sa_column=Column(String(50), nullable=False))
    closed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    scored_at: datetime | None = Field(default=None, sa_column=Column(
        DateTime(timezone=True), nullable=False, server_default=text("now()")))
    entries: int = Field(sa_column=Column(Integer(), nullable=False))
    coach_turns: int = Field(sa_column=Column(Integer(), nullable=False))
    question_share: float = Field(sa_column=Column(Float(), nullable=False))
    word_ratio: float = Field(sa_column=Column(Float(), nullable=False))
    leak_turns: int = Field(sa_column=Column(Integer(), nullable=False))
    lecture_turns: int = Field(sa_column=Column(Integer(), nullable=False))
    flags: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(
        JSONB(), nullable=False, server_default=text("'[]'::jsonb")))
    scores: dict[str, Any] = Field(default_factory=dict, sa_column=Column(
        JSONB(), nullable=False, server_default=text("'{}'::jsonb")))
    judge: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(), nullable=True))
    judged_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    scorer_version: str = Field(sa_column=Column(String(40), nullable=False))
