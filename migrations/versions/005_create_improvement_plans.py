"""Create improvement_plans table and enhance attempted_questions (seed 000, migration 005).

Revision ID: 005_create_improvement_plans
Revises: 004_create_study_plans
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "005_create_improvement_plans"
down_revision = "004_create_study_plans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "improvement_plans",
        sa.Column("id", UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("student_id", UUID(), nullable=False),
        sa.Column("attempt_id", UUID(), nullable=False),
        sa.Column("weaknesses", JSONB(), nullable=False),
        sa.Column("action_items", JSONB(), nullable=False),
        sa.Column("progress", JSONB(), nullable=True),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE", name="fk_student"),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], ondelete="CASCADE", name="fk_attempt"),
    )
    op.create_index("idx_improvement_plans_student", "improvement_plans", ["student_id"])
    op.create_index("idx_improvement_plans_attempt", "improvement_plans", ["attempt_id"])

    op.add_column("attempted_questions", sa.Column("confidence_score", sa.Integer(), nullable=True))
    op.add_column(
        "attempted_questions", sa.Column("needs_review", sa.Boolean(), server_default="false", nullable=False)
    )
    op.add_column("attempted_questions", sa.Column("reviewed_by", UUID(), nullable=True))
    op.add_column("attempted_questions", sa.Column("reviewed_at", sa.TIMESTAMP(timezone=True), nullable=True))
    op.create_check_constraint(
        "valid_confidence_score", "attempted_questions", "confidence_score BETWEEN 0 AND 100"
    )
    op.create_foreign_key(
        "fk_attempted_questions_reviewed_by", "attempted_questions", "students", ["reviewed_by"], ["id"]
    )


def downgrade() -> None:
    op.drop_constraint("fk_attempted_questions_reviewed_by", "attempted_questions", type_="foreignkey")
    op.drop_constraint("valid_confidence_score", "attempted_questions", type_="check")
    op.drop_column("attempted_questions", "reviewed_at")
    op.drop_column("attempted_questions", "reviewed_by")
    op.drop_column("attempted_questions", "needs_review")
    op.drop_column("attempted_questions", "confidence_score")
    op.drop_index("idx_improvement_plans_attempt", "improvement_plans")
    op.drop_index("idx_improvement_plans_student", "improvement_plans")
    op.drop_table("improvement_plans")
