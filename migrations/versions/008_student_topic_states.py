"""The Planner's tables: per-student SM-2 state per syllabus point, the graded-event ledger it is replayed
from, and a study plan's prose notes (rationale and activity suggestions).

Revision ID: 008_student_topic_states
Revises: 007_create_service_tables
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "008_student_topic_states"
down_revision = "007_create_service_tables"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "student_topic_states",
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("syllabus_point_code", sa.String(length=30), nullable=False),
        sa.Column("ef", sa.Float(), server_default="2.5", nullable=False),
        sa.Column("interval_days", sa.Integer(), server_default="0", nullable=False),
        sa.Column("repetitions", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_quality", sa.SmallInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["syllabus_point_code"], ["syllabus_points.code"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("student_id", "syllabus_point_code", name="pk_student_topic_states"),
        sa.CheckConstraint("ef >= 1.3 AND ef <= 2.5", name="valid_topic_ef"),
        sa.CheckConstraint("interval_days >= 0", name="valid_topic_interval"),
        sa.CheckConstraint("repetitions >= 0", name="valid_topic_repetitions"),
        sa.CheckConstraint("last_quality BETWEEN 0 AND 5", name="valid_topic_last_quality"),
    )
    op.create_table(
        "topic_reviews",
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("syllabus_point_code", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.String(length=120), nullable=False),
        sa.Column("quality", sa.SmallInteger(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["syllabus_point_code"], ["syllabus_points.code"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("student_id", "syllabus_point_code", "source_id", name="pk_topic_reviews"),
        sa.CheckConstraint("quality BETWEEN 0 AND 5", name="valid_review_quality"),
        sa.CheckConstraint("source IN ('answer', 'coaching_session', 'study_day')", name="valid_review_source"),
    )
    op.create_index(
        "idx_topic_reviews_replay", "topic_reviews", ["student_id", "syllabus_point_code", "reviewed_at"]
    )
    op.create_table(
        "study_plan_notes",
        sa.Column("study_plan_id", sa.Uuid(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("activity_suggestions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("offline", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["study_plan_id"], ["study_plans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("study_plan_id"),
    )


def downgrade() -> None:
    op.drop_table("study_plan_notes")
    op.drop_index("idx_topic_reviews_replay", table_name="topic_reviews")
    op.drop_table("topic_reviews")
    op.drop_table("student_topic_states")
