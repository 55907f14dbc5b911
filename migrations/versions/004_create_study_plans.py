"""Create study_plans table (seed 000, migration 004).

Revision ID: 004_create_study_plans
Revises: 003_create_coaching_sessions
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "004_create_study_plans"
down_revision = "003_create_coaching_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "study_plans",
        sa.Column("id", UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("student_id", UUID(), nullable=False),
        sa.Column("subject_id", UUID(), nullable=False),
        sa.Column("exam_date", sa.Date(), nullable=False),
        sa.Column("total_days", sa.Integer(), nullable=False),
        sa.Column("hours_per_day", sa.Float(), nullable=False),
        sa.Column("schedule", JSONB(), nullable=False),
        sa.Column("easiness_factors", JSONB(), nullable=True),
        sa.Column("status", sa.String(20), server_default="active", nullable=False),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE", name="fk_student"),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name="fk_subject"),
        sa.CheckConstraint("total_days > 0", name="valid_total_days"),
        sa.CheckConstraint("hours_per_day > 0 AND hours_per_day <= 24", name="valid_hours_per_day"),
        sa.CheckConstraint("status IN ('active', 'completed', 'abandoned')", name="valid_status"),
    )
    op.create_index("idx_study_plans_student", "study_plans", ["student_id"])
    op.create_index("idx_study_plans_status", "study_plans", ["status"])
    op.create_index("idx_study_plans_exam_date", "study_plans", ["exam_date"])


def downgrade() -> None:
    op.drop_index("idx_study_plans_exam_date", "study_plans")
    op.drop_index("idx_study_plans_status", "study_plans")
    op.drop_index("idx_study_plans_student", "study_plans")
    op.drop_table("study_plans")
