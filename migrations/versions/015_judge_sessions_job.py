"""Jobs: a fourth kind, `judge_sessions` (an LLM-judge pass over the closed sessions of a date range).

Revision ID: 015_judge_sessions_job
Revises: 014_session_evals
Create Date: 2026-12-03
"""
from alembic import op

revision = "015_judge_sessions_job"
down_revision = "014_session_evals"
branch_labels = None
depends_on = None

KINDS = ("class_plan", "mark_attempts", "eval_run")


def _check(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade() -> None:
    op.drop_constraint("ck_jobs_kind", "jobs", type_="check")
    op.create_check_constraint("ck_jobs_kind", "jobs", _check((*KINDS, "judge_sessions")))


def downgrade() -> None:
    op.execute("DELETE FROM jobs WHERE kind = 'judge_sessions'")
    op.drop_constraint("ck_jobs_kind", "jobs", type_="check")
    op.create_check_constraint("ck_jobs_kind", "jobs", _check(KINDS))
