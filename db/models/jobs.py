"""Background jobs (class/cohort plans, marking runs, eval runs, LLM-judge passes over closed sessions) and their per-item results.

`jobs` is what the API shows (`GET /v1/jobs/{id}`); the queue engine (procrastinate, its own tables) only
carries `{"job_id": …}` to a worker. Each item of a job (a student to plan for, an attempt to mark, an eval
run) is a `job_items` row keyed (job_id, key): its `done` state is written in the same transaction as the
item's effect where the effect is one transaction (a study plan), so a job re-run after a crash skips it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.dialects.postgresql import BIGINT, JSONB
from sqlmodel import Field, SQLModel

from db.models.common import optional_timestamp_field, timestamp_field, uuid_pk_field

JOB_KINDS = ("class_plan", "mark_attempts", "eval_run", "judge_sessions")
JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
ITEM_STATUSES = ("pending", "done", "failed", "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Job(SQLModel, table=True):
    """One background job: who asked, what for, where it stands."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(_in("kind", JOB_KINDS), name="ck_jobs_kind"),
        CheckConstraint(_in("status", JOB_STATUSES), name="ck_jobs_status"),
        Index("idx_jobs_status_kind", "status", "kind"),
        Index("idx_jobs_created_by", "created_by", "created_at"),
    )

    id: uuid.UUID = uuid_pk_field()
    kind: str = Field(sa_column=Column(String(30), nullable=False))
    status: str = Field(default="queued", sa_column=Column(String(20), nullable=False, server_default="queued"))
    created_by: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("students.id", ondelete="CASCADE"), nullable=False))
    params: dict[str, Any] = Field(sa_column=Column(JSONB(), nullable=False))
    total: int = Field(default=0, sa_column=Column(Integer(), nullable=False, server_default="0"))
    error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    queue_job_id: int | None = Field(default=None, sa_column=Column(BIGINT(), nullable=True))
    runs: int = Field(default=0, sa_column=Column(Integer(), nullable=False, server_default="0"))
    cancel_requested: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False,
                                                                  server_default="false"))
    created_at: datetime = timestamp_field()
    started_at: datetime | None = optional_timestamp_field()
    finished_at: datetime | None = optional_timestamp_field()


class JobItem(SQLModel, table=True):
    """One unit of a job, processed at most once to `done`."""

    __tablename__ = "job_items"
    __table_args__ = (CheckConstraint(_in("status", ITEM_STATUSES), name="ck_job_items_status"),)

    job_id: uuid.UUID = Field(sa_column=Column(Uuid(), ForeignKey("jobs.id", ondelete="CASCADE"),
                                               primary_key=True))
    key: str = Field(sa_column=Column(String(200), primary_key=True))
    seq: int = Field(sa_column=Column(Integer(), nullable=False))
    status: str = Field(default="pending", sa_column=Column(String(20), nullable=False, server_default="pending"))
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(), nullable=True))
    error: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(), nullable=True))
    attempts: int = Field(default=0, sa_column=Column(Integer(), nullable=False, server_default="0"))
    updated_at: datetime = timestamp_field()
