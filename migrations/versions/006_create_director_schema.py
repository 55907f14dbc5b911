"""Create the `director` analytics schema (seed 004): six tables and the seed's five indexes.

Revision ID: 006_create_director_schema
Revises: 005_create_improvement_plans
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "006_create_director_schema"
down_revision = "005_create_improvement_plans"
branch_labels = None
depends_on = None

S = "director"
TEXT_ARRAY = postgresql.ARRAY(sa.Text())


def _tenancy() -> list[sa.Column]:
    return [sa.Column("customer", sa.String(), nullable=False), sa.Column("profile", sa.String(), nullable=False)]


def upgrade() -> None:
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {S}")
    op.create_table(
        "coaching_plans",
        sa.Column("resource_id", sa.String(), nullable=False),
        *_tenancy(),
        sa.Column("agent_user_id", sa.String(), nullable=False),
        sa.Column("creator_user_id", sa.String(), nullable=False),
        sa.Column("focus_criteria_ids", TEXT_ARRAY, nullable=True),
        sa.Column("focus_behaviors", TEXT_ARRAY, nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=True),
        sa.Column("usecase_id", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("resource_id"),
        schema=S,
    )
    op.create_table(
        "scorecard_templates",
        sa.Column("resource_id", sa.String(), nullable=False),
        *_tenancy(),
        sa.Column("revision", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("template", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("qa_score_config", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("autoqa_triggers", TEXT_ARRAY, nullable=True),
        sa.Column("usecase_ids", TEXT_ARRAY, nullable=True),
        sa.Column("status", sa.SmallInteger(), nullable=True),
        sa.PrimaryKeyConstraint("resource_id"),
        schema=S,
    )
    op.create_table(
        "coaching_sessions",
        sa.Column("resource_id", sa.String(), nullable=False),
        *_tenancy(),
        sa.Column("agent_user_id", sa.String(), nullable=False),
        sa.Column("manager_submitter_user_id", sa.String(), nullable=True),
        sa.Column("coaching_plan_id", sa.String(), nullable=True),
        sa.Column("focus_criteria_ids", TEXT_ARRAY, nullable=True),
        sa.Column("session_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manager_submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("usecase_id", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["coaching_plan_id"], [f"{S}.coaching_plans.resource_id"]),
        sa.PrimaryKeyConstraint("resource_id"),
        schema=S,
    )
    op.create_table(
        "targets",
        sa.Column("target_id", sa.String(), nullable=False),
        *_tenancy(),
        sa.Column("coaching_plan_id", sa.String(), nullable=True),
        sa.Column("scorecard_template_id", sa.String(), nullable=False),
        sa.Column("criterion_or_chapter_id", sa.String(), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("qa_score", sa.Float(), nullable=True),
        sa.Column("usecase_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["coaching_plan_id"], [f"{S}.coaching_plans.resource_id"]),
        sa.PrimaryKeyConstraint("target_id"),
        schema=S,
    )
    op.create_table(
        "scorecards",
        sa.Column("resource_id", sa.String(), nullable=False),
        *_tenancy(),
        sa.Column("conversation_id", sa.String(), nullable=False),
        sa.Column("agent_user_id", sa.String(), nullable=False),
        sa.Column("template_id", sa.String(), nullable=False),
        sa.Column("template_revision", sa.String(), nullable=False),
        sa.Column("creator_user_id", sa.String(), nullable=False),
        sa.Column("submitter_user_id", sa.String(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("ai_scored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manually_scored", sa.Boolean(), nullable=True),
        sa.Column("usecase_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["template_id"], [f"{S}.scorecard_templates.resource_id"]),
        sa.PrimaryKeyConstraint("resource_id"),
        schema=S,
    )
    op.create_table(
        "scores",
        sa.Column("resource_id", sa.String(), nullable=False),
        *_tenancy(),
        sa.Column("scorecard_id", sa.String(), nullable=False),
        sa.Column("criterion_identifier", sa.String(), nullable=False),
        sa.Column("numeric_value", sa.Float(), nullable=True),
        sa.Column("ai_value", sa.Float(), nullable=True),
        sa.Column("text_value", sa.String(), nullable=True),
        sa.Column("not_applicable", sa.Boolean(), nullable=True),
        sa.Column("ai_scored", sa.Boolean(), nullable=True),
        sa.Column("auto_failed", sa.Boolean(), nullable=True),
        sa.Column("usecase_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["scorecard_id"], [f"{S}.scorecards.resource_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("resource_id"),
        schema=S,
    )
    # The seed's five indexes, partial predicates included.
    op.create_index(
        "idx_coaching_sessions_lookup", "coaching_sessions",
        ["customer", "profile", "usecase_id", "agent_user_id", "session_at"], schema=S,
        postgresql_where=sa.text("manager_submitted_at IS NOT NULL AND deleted_at IS NULL"),
    )
    op.create_index(
        "idx_scorecards_qa_lookup", "scorecards", ["agent_user_id", "template_id", "submitted_at"], schema=S,
        postgresql_where=sa.text("submitted_at IS NOT NULL"),
    )
    op.create_index("idx_scores_criterion_lookup", "scores", ["scorecard_id", "criterion_identifier"], schema=S)
    op.create_index("idx_coaching_plans_lookup", "coaching_plans", ["customer", "profile", "resource_id"], schema=S)
    op.create_index("idx_targets_plan_lookup", "targets", ["customer", "profile", "coaching_plan_id"], schema=S)


def downgrade() -> None:
    for name, table in [
        ("idx_targets_plan_lookup", "targets"),
        ("idx_coaching_plans_lookup", "coaching_plans"),
        ("idx_scores_criterion_lookup", "scores"),
        ("idx_scorecards_qa_lookup", "scorecards"),
        ("idx_coaching_sessions_lookup", "coaching_sessions"),
    ]:
        op.drop_index(name, table_name=table, schema=S)
    for table in ["scores", "scorecards", "targets", "coaching_sessions", "scorecard_templates", "coaching_plans"]:
        op.drop_table(table, schema=S)
    op.execute(f"DROP SCHEMA IF EXISTS {S}")
