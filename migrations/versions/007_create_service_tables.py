"""Beyond the seeds: idempotency keys, LLM token usage, and two coaching_sessions columns.

`syllabus_point_code` records which syllabus point the Coach resolved the topic to; `referral_reason` is the
reason a teacher sees when the Coach refers a student.

Revision ID: 007_create_service_tables
Revises: 006_create_director_schema
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "007_create_service_tables"
down_revision = "006_create_director_schema"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("coaching_sessions", sa.Column("syllabus_point_code", sa.String(length=30), nullable=True))
    op.add_column("coaching_sessions", sa.Column("referral_reason", sa.Text(), nullable=True))
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("student_id", "scope", "key", name="uq_idempotency_scope_key"),
    )
    op.create_table(
        "llm_calls",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("agent", sa.String(length=30), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("offline", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("thread_id", sa.String(length=100), nullable=True),
        sa.Column("input_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("output_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_llm_calls_thread_id", "llm_calls", ["thread_id"])


def downgrade() -> None:
    op.drop_index("ix_llm_calls_thread_id", table_name="llm_calls")
    op.drop_table("llm_calls")
    op.drop_table("idempotency_keys")
    op.drop_column("coaching_sessions", "referral_reason")
    op.drop_column("coaching_sessions", "syllabus_point_code")
