"""Background jobs: the queue engine's tables (procrastinate), `jobs` + `job_items`, simulated students.

- procrastinate's schema, exactly as the installed version ships it (`procrastinate.schema`; pyproject pins
  the minor version, and a later upgrade adds procrastinate's own migration files as a new revision);
- `jobs` (what `GET /v1/jobs/{id}` shows) and `job_items` (one row per student/attempt/run, its result);
- `students.simulated`: the eval suite's simulated students, kept out of analytics and teachers' views.

Revision ID: 011_jobs
Revises: 010_criterion_windows
Create Date: 2026-12-03
"""
import re

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "011_jobs"
down_revision = "010_criterion_windows"
branch_labels = None
depends_on = None


def _procrastinate_schema() -> str:
    from procrastinate.schema import SchemaManager

    return SchemaManager.get_schema()


def upgrade() -> None:
    # The driver would read '%' as a placeholder; procrastinate's own apply_schema escapes it the same way.
    op.get_bind().exec_driver_sql(_procrastinate_schema().replace("%", "%%"))
    op.add_column("students", sa.Column("simulated", sa.Boolean(), server_default="false", nullable=False))
    op.create_table(
        "jobs",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="queued", nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("queue_job_id", sa.BIGINT(), nullable=True),
        sa.Column("runs", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('class_plan', 'mark_attempts', 'eval_run')", name="ck_jobs_kind"),
        sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
                           name="ck_jobs_status"),
        sa.ForeignKeyConstraint(["created_by"], ["students.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_jobs_status_kind", "jobs", ["status", "kind"])
    op.create_index("idx_jobs_created_by", "jobs", ["created_by", "created_at"])
    op.create_table(
        "job_items",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'done', 'failed', 'cancelled')", name="ck_job_items_status"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id", "key"),
    )


def downgrade() -> None:
    op.drop_table("job_items")
    op.drop_index("idx_jobs_created_by", table_name="jobs")
    op.drop_index("idx_jobs_status_kind", table_name="jobs")
    op.drop_table("jobs")
    op.drop_column("students", "simulated")
    schema = _procrastinate_schema()
    # Everything procrastinate created, by the names its schema file declares (tables first: they hold the
    # triggers and depend on the types).
    for kind in ("TABLE", "FUNCTION", "TYPE"):
        for name in re.findall(rf"^CREATE {kind} (procrastinate_\w+)", schema, flags=re.M):
            op.execute(f"DROP {kind} IF EXISTS {name} CASCADE")
