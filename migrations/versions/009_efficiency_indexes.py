"""Covering indexes for the set-based coaching-efficiency statement (tools/efficiency_sql.py).

The statement reads, per (session, criterion), a range of the agent's scorecards of one template and then
that criterion's score of each. With the seed's indexes each step also visits the heap; these two indexes
carry the columns the statement needs, so both steps are index-only scans (measured on the 10k-session
benchmark: ~970 ms → ~480 ms of server CPU). The seed's own indexes stay.

Revision ID: 009_efficiency_indexes
Revises: 008_student_topic_states
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "009_efficiency_indexes"
down_revision = "008_student_topic_states"
branch_labels = None
depends_on = None

S = "director"


def upgrade() -> None:
    op.create_index(
        "idx_scorecards_qa_window", "scorecards", ["agent_user_id", "template_id", "submitted_at"], schema=S,
        postgresql_include=["resource_id", "conversation_id"],
        postgresql_where=sa.text("submitted_at IS NOT NULL"),
    )
    op.create_index(
        "idx_scores_criterion_value", "scores", ["scorecard_id", "criterion_identifier"], schema=S,
        postgresql_include=["numeric_value"],
    )


def downgrade() -> None:
    op.drop_index("idx_scores_criterion_value", table_name="scores", schema=S)
    op.drop_index("idx_scorecards_qa_window", table_name="scorecards", schema=S)
