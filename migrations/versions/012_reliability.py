"""Reliability: idempotent turns that can be resumed, token usage per student, quota counters.

- `idempotency_keys.request_hash` (SHA-256 of the request body) lets the same key with a different body be
  refused (422); `response` becomes nullable: a row without a response is a turn whose message is stored but
  whose reply is not yet, which a retry resumes instead of appending the message again.
- `llm_calls.student_id` attributes spend to a student (and through class membership, to a class).
- `quota_usage` holds the counters behind per-student and per-class limits, in fixed windows, so every API
  instance sees the same counts.

Revision ID: 012_reliability
Revises: 011_jobs
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "012_reliability"
down_revision = "011_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("idempotency_keys", sa.Column("request_hash", sa.String(length=64), nullable=True))
    op.alter_column("idempotency_keys", "response", nullable=True)
    op.add_column("llm_calls", sa.Column("student_id", sa.Uuid(), nullable=True))
    op.create_foreign_key("fk_llm_calls_student_id", "llm_calls", "students", ["student_id"], ["id"],
                          ondelete="SET NULL")
    op.create_index("ix_llm_calls_student_created", "llm_calls", ["student_id", "created_at"])
    op.create_table(
        "quota_usage",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("kind", "owner_id", "window_start"),
    )


def downgrade() -> None:
    op.drop_table("quota_usage")
    op.drop_index("ix_llm_calls_student_created", table_name="llm_calls")
    op.drop_constraint("fk_llm_calls_student_id", "llm_calls", type_="foreignkey")
    op.drop_column("llm_calls", "student_id")
    op.execute("DELETE FROM idempotency_keys WHERE response IS NULL")
    op.alter_column("idempotency_keys", "response", nullable=False)
    op.drop_column("idempotency_keys", "request_hash")
