"""Session evals: the deterministic scores of every closed coaching session (and an optional LLM judge pass).

Revision ID: 014_session_evals
Revises: 013_accounts_sign_in
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "014_session_evals"
down_revision = "013_accounts_sign_in"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "session_evals",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("syllabus_point_code", sa.String(length=30), nullable=True),
        sa.Column("outcome", sa.String(length=50), nullable=False),
        sa.Column("closed_at", TS, nullable=False),
        sa.Column("scored_at", TS, server_default=sa.text("now()"), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("coach_turns", sa.Integer(), nullable=False),
        sa.Column("question_share", sa.Float(), nullable=False),
        sa.Column("word_ratio", sa.Float(), nullable=False),
        sa.Column("leak_turns", sa.Integer(), nullable=False),
        sa.Column("lecture_turns", sa.Integer(), nullable=False),
        sa.Column("flags", JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("scores", JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("judge", JSONB(), nullable=True),
        sa.Column("judged_at", TS, nullable=True),
        sa.Column("scorer_version", sa.String(length=40), nullable=False),
        sa.CheckConstraint("question_share >= 0 AND question_share <= 1", name="ck_session_evals_question_share"),
        sa.CheckConstraint("leak_turns >= 0 AND lecture_turns >= 0 AND coach_turns >= 0",
                           name="ck_session_evals_counts"),
        sa.ForeignKeyConstraint(["session_id"], ["coaching_sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_index("ix_session_evals_closed_at", "session_evals", ["closed_at"])
    op.create_index("ix_session_evals_student_closed", "session_evals", ["student_id", "closed_at"])


def downgrade() -> None:
    op.drop_table("session_evals")
