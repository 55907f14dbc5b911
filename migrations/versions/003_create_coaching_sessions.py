"""Create coaching_sessions table (seed 000, migration 003).

Revision ID: 003_create_coaching_sessions
Revises: 002_create_classes_and_attempts
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "003_create_coaching_sessions"
down_revision = "002_create_classes_and_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coaching_sessions",
        sa.Column("id", UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("student_id", UUID(), nullable=False),
        sa.Column("topic", sa.String(500), nullable=False),
        sa.Column("struggle_description", sa.Text(), nullable=True),
        sa.Column("session_transcript", JSONB(), nullable=False),
        sa.Column("outcome", sa.String(50), server_default="in_progress", nullable=False),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE", name="fk_student"),
        sa.CheckConstraint(
            "outcome IN ('in_progress', 'resolved', 'needs_more_help', 'refer_to_teacher')", name="valid_outcome"
        ),
    )
    op.create_index("idx_coaching_sessions_student", "coaching_sessions", ["student_id"])
    op.create_index("idx_coaching_sessions_created", "coaching_sessions", [sa.text("created_at DESC")])


def downgrade() -> None:
    op.drop_index("idx_coaching_sessions_created", "coaching_sessions")
    op.drop_index("idx_coaching_sessions_student", "coaching_sessions")
    op.drop_table("coaching_sessions")
