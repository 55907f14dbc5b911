"""Request and response models of `/v1/jobs` (stable: the web app's progress bars read `JobPublic`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from api.request_model import IsoDateTime, RequestModel
from api.schemas_marking import AnswerIn
from api.schemas_planning import ClassPlanCreate
from db.models import Job, JobItem
from db.repo.jobs import Progress


class ClassPlanJobCreate(ClassPlanCreate):
    """`POST /v1/jobs/class-plans`: a plan for every student of one class or a cohort of classes."""

    class_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)


class Submission(RequestModel):
    """One student's answers in a marking job."""

    student_id: uuid.UUID
    subject_code: str = Field(min_length=1, max_length=20)
    answers: list[AnswerIn] = Field(min_length=1, max_length=50)


class MarkingJobCreate(RequestModel):
    """`POST /v1/jobs/markings`: answers of many students (a mock exam), stored now, marked by workers."""

    submissions: list[Submission] = Field(min_length=1, max_length=500)


class EvalJobCreate(RequestModel):
    """`POST /v1/jobs/eval-runs`: the scenario suite on a scratch database."""

    points: list[str] | Literal["sample", "all"] = "sample"
    personas: list[str] | None = None
    offline: bool = True


class JudgeJobCreate(RequestModel):
    """`POST /v1/jobs/session-judgements`: an LLM-judge pass over the closed sessions of a date range (closed in
    [since, until)), optionally of some classes only; one item per session."""

    since: IsoDateTime
    until: IsoDateTime | None = None
    class_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=50)
    rejudge: bool = False


class JobCancel(RequestModel):
    """`POST /v1/jobs/{id}/cancel`: `{}` or `{"reason": …}`."""

    reason: str | None = Field(default=None, max_length=500)


class JobProgress(BaseModel):
    """Items settled so far: a progress bar is `(done + failed + cancelled) / total`."""

    total: int
    done: int
    failed: int
    cancelled: int
    pending: int


class JobItemPublic(BaseModel):
    """One item: a student (class plans), an attempt (markings), a persona (eval runs) or a session (judge
    passes)."""

    key: str
    status: Literal["pending", "done", "failed", "cancelled"]
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    attempts: int


class JobPublic(BaseModel):
    """`GET /v1/jobs/{id}`."""

    id: uuid.UUID
    kind: Literal["class_plan", "mark_attempts", "eval_run", "judge_sessions"]
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    progress: JobProgress
    params: dict[str, Any]
    error: str | None = None
    cancel_requested: bool
    created_by: uuid.UUID
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    items: list[JobItemPublic] | None = None

    @classmethod
    def of(cls, job: Job, progress: Progress, items: list[JobItem] | None) -> JobPublic:
        """From the rows."""
        return cls(
            id=job.id, kind=job.kind, status=job.status, params=job.params, error=job.error,
            cancel_requested=job.cancel_requested, created_by=job.created_by, created_at=job.created_at,
            started_at=job.started_at, finished_at=job.finished_at,
            progress=JobProgress(total=progress.total, done=progress.done, failed=progress.failed,
                                 cancelled=progress.cancelled, pending=progress.pending),
            items=None if items is None else [
                JobItemPublic(key=i.key, status=i.status, result=i.result, error=i.error, attempts=i.attempts)
                for i in items],
        )
