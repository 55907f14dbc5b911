"""Seed 004's `director` schema: coaching plans/sessions, targets, scorecard templates, scorecards, scores.

Ids are varchar (ULIDs); tenancy is (customer, profile); arrays are text[]; soft delete via `deleted_at`.
The five indexes are the seed's, partial predicates included.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from db.models.common import optional_timestamp_field, text_array_field, timestamp_field

SCHEMA = "director"


def _pk() -> Any:
    return Field(sa_column=Column(String(), primary_key=True))


def _req() -> Any:
    return Field(sa_column=Column(String(), nullable=False))


def _opt() -> Any:
    return Field(default=None, sa_column=Column(String(), nullable=True))


def _float() -> Any:
    return Field(default=None, sa_column=Column(Float(), nullable=True))


def _bool() -> Any:
    return Field(default=None, sa_column=Column(Boolean(), nullable=True))


class DirectorCoachingPlan(SQLModel, table=True):
    """A coaching plan for an agent (here: a student), with the criteria it focuses on."""

    __tablename__ = "coaching_plans"
    __table_args__ = (
        Index("idx_coaching_plans_lookup", "customer", "profile", "resource_id"),
        {"schema": SCHEMA},
    )

    resource_id: str = _pk()
    customer: str = _req()
    profile: str = _req()
    agent_user_id: str = _req()
    creator_user_id: str = _req()
    focus_criteria_ids: list[str] | None = text_array_field()
    focus_behaviors: list[str] | None = text_array_field()
    start_date: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    end_date: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    is_active: bool | None = _bool()
    usecase_id: str | None = _opt()
    created_at: datetime = timestamp_field()
    deleted_at: datetime | None = optional_timestamp_field()


class DirectorCoachingSession(SQLModel, table=True):
    """A submitted coaching session; the anchor of the efficiency calculation."""

    __tablename__ = "coaching_sessions"
    __table_args__ = (
        Index(
            "idx_coaching_sessions_lookup",
            "customer", "profile", "usecase_id", "agent_user_id", "session_at",
            postgresql_where=text("manager_submitted_at IS NOT NULL AND deleted_at IS NULL"),
        ),
        {"schema": SCHEMA},
    )

    resource_id: str = _pk()
    customer: str = _req()
    profile: str = _req()
    agent_user_id: str = _req()
    manager_submitter_user_id: str | None = _opt()
    coaching_plan_id: str | None = Field(
        default=None,
        sa_column=Column(String(), ForeignKey(f"{SCHEMA}.coaching_plans.resource_id"), nullable=True),
    )
    focus_criteria_ids: list[str] | None = text_array_field()
    session_at: datetime | None = optional_timestamp_field()
    manager_submitted_at: datetime | None = optional_timestamp_field()
    deleted_at: datetime | None = optional_timestamp_field()
    usecase_id: str | None = _opt()
    created_at: datetime = timestamp_field()


class DirectorTarget(SQLModel, table=True):
    """A target QA score for one criterion of a plan; the fallback criterion for sessions without focus."""

    __tablename__ = "targets"
    __table_args__ = (
        Index("idx_targets_plan_lookup", "customer", "profile", "coaching_plan_id"),
        {"schema": SCHEMA},
    )

    target_id: str = _pk()
    customer: str = _req()
    profile: str = _req()
    coaching_plan_id: str | None = Field(
        default=None,
        sa_column=Column(String(), ForeignKey(f"{SCHEMA}.coaching_plans.resource_id"), nullable=True),
    )
    scorecard_template_id: str = _req()
    criterion_or_chapter_id: str = _req()
    target: float | None = _float()
    qa_score: float | None = _float()
    usecase_id: str | None = _opt()


class DirectorScorecardTemplate(SQLModel, table=True):
    """Criteria definitions (template JSONB: criteria[] with identifier, auto_qa, exclusion, outcome flag)."""

    __tablename__ = "scorecard_templates"
    __table_args__ = ({"schema": SCHEMA},)

    resource_id: str = _pk()
    customer: str = _req()
    profile: str = _req()
    revision: str = _req()
    title: str | None = _opt()
    template: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(), nullable=True))
    qa_score_config: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(), nullable=True))
    autoqa_triggers: list[str] | None = text_array_field()
    usecase_ids: list[str] | None = text_array_field()
    status: int | None = Field(default=None, sa_column=Column(SmallInteger(), nullable=True))


class DirectorScorecard(SQLModel, table=True):
    """One QA evaluation of a conversation (here: one marked answer)."""

    __tablename__ = "scorecards"
    __table_args__ = (
        Index(
            "idx_scorecards_qa_lookup",
            "agent_user_id", "template_id", "submitted_at",
            postgresql_where=text("submitted_at IS NOT NULL"),
        ),
        {"schema": SCHEMA},
    )

    resource_id: str = _pk()
    customer: str = _req()
    profile: str = _req()
    conversation_id: str = _req()
    agent_user_id: str = _req()
    template_id: str = Field(
        sa_column=Column(String(), ForeignKey(f"{SCHEMA}.scorecard_templates.resource_id"), nullable=False)
    )
    template_revision: str = _req()
    creator_user_id: str = _req()
    submitter_user_id: str | None = _opt()
    submitted_at: datetime | None = optional_timestamp_field()
    score: float | None = _float()
    ai_scored_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    manually_scored: bool | None = _bool()
    usecase_id: str | None = _opt()


class DirectorScore(SQLModel, table=True):
    """One criterion's score within a scorecard."""

    __tablename__ = "scores"
    __table_args__ = (
        Index("idx_scores_criterion_lookup", "scorecard_id", "criterion_identifier"),
        {"schema": SCHEMA},
    )

    resource_id: str = _pk()
    customer: str = _req()
    profile: str = _req()
    scorecard_id: str = Field(
        sa_column=Column(
            String(), ForeignKey(f"{SCHEMA}.scorecards.resource_id", ondelete="CASCADE"), nullable=False
        )
    )
    criterion_identifier: str = _req()
    numeric_value: float | None = _float()
    ai_value: float | None = _float()
    text_value: str | None = _opt()
    not_applicable: bool | None = _bool()
    ai_scored: bool | None = _bool()
    auto_failed: bool | None = _bool()
    usecase_id: str | None = _opt()


class DirectorCriterionScore(SQLModel, table=True):
    """Read-only mirror of each numeric score of a submitted scorecard, for the efficiency windows.

    Kept equal to scores ⋈ scorecards (submitted, numeric value) by triggers of migration 009 in the
    writer's transaction; never written by application code.
    """

    __tablename__ = "criterion_scores"
    __table_args__ = (
        Index(
            "idx_criterion_scores_window",
            "agent_user_id", "template_id", "criterion_identifier", "submitted_at",
            postgresql_include=["numeric_value", "conversation_id"],
        ),
        {"schema": SCHEMA},
    )

    score_id: str = _pk()
    agent_user_id: str = _req()
    template_id: str = _req()
    criterion_identifier: str = _req()
    submitted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    conversation_id: str = _req()
    numeric_value: float = Field(sa_column=Column(Float(), nullable=False))


class DirectorCriterionWindow(SQLModel, table=True):
    """Read-only before/after aggregates of one coached window (agent, template, criterion, session_at)
    needed by a session of the tenancy (customer, profile).

    Maintained by migration 010's triggers from `criterion_scores` and the coaching sessions, plans and
    targets; never written by application code. Averages are NULL when a window holds no numeric score.
    """

    __tablename__ = "criterion_windows"
    __table_args__ = (
        Index("idx_criterion_windows_key", "agent_user_id", "template_id", "criterion_identifier", "session_at"),
        {"schema": SCHEMA},
    )

    customer: str = Field(sa_column=Column(String(), primary_key=True))
    profile: str = Field(sa_column=Column(String(), primary_key=True))
    session_at: datetime = Field(sa_column=Column(DateTime(timezone=True), primary_key=True))
    agent_user_id: str = Field(sa_column=Column(String(), primary_key=True))
    template_id: str = Field(sa_column=Column(String(), primary_key=True))
    criterion_identifier: str = Field(sa_column=Column(String(), primary_key=True))
    before_avg: float | None = _float()
    before_n: int = Field(sa_column=Column(Integer(), nullable=False))
    after_avg: float | None = _float()
    after_n: int = Field(sa_column=Column(Integer(), nullable=False))
