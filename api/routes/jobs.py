"""Background jobs: create (class/cohort plans, marking runs, eval runs, LLM-judge passes over closed sessions), read with progress and per-item
results, list one's own, cancel. `POST` answers 202 with the job; poll `GET /v1/jobs/{id}`."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import CurrentUser, SessionDep, StateDep, TeacherUser
from api.errors import NotFound
from api.schemas_jobs import (
    ClassPlanJobCreate,
    EvalJobCreate,
    JobCancel,
    JobPublic,
    JudgeJobCreate,
    MarkingJobCreate,
)
from api.services.jobs import (
    can_see_job,
    create_class_plan_job,
    create_eval_job,
    create_judge_job,
    create_marking_job,
    enqueue_job,
)
from db.models import Job, Student
from db.repo import jobs as repo

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])
log = logging.getLogger(__name__)


async def _public(session: SessionDep, job: Job, *, with_items: bool = True) -> JobPublic:
    progress = await repo.progress(session, job_id=job.id)
    items = await repo.list_items(session, job_id=job.id) if with_items else None
    return JobPublic.of(job, progress, items)


async def _visible(session: SessionDep, user: Student, job_id: uuid.UUID) -> Job:
    job = await repo.get_job(session, job_id=job_id)
    if job is None or not can_see_job(user, job):
        raise NotFound("job not found")
    return job


@router.post("/class-plans", status_code=status.HTTP_202_ACCEPTED)
async def create_class_plans_job(body: ClassPlanJobCreate, session: SessionDep, state: StateDep,
                                 user: TeacherUser) -> JobPublic:
    """Study plans for every student of one class or several (a cohort), each student once."""
    job = await create_class_plan_job(session, user=user, body=body)
    await enqueue_job(session, state, job)
    return await _public(session, await repo.get_job(session, job_id=job.id))


@router.post("/markings", status_code=status.HTTP_202_ACCEPTED)
async def create_markings_job(body: MarkingJobCreate, session: SessionDep, state: StateDep,
                              user: CurrentUser) -> JobPublic:
    """Store every submission's answers now (validated, the field named on error), mark them in workers."""
    job = await create_marking_job(session, user=user, body=body, answer_max_chars=state.settings.answer_max_chars)
    await enqueue_job(session, state, job)
    return await _public(session, await repo.get_job(session, job_id=job.id))


@router.post("/eval-runs", status_code=status.HTTP_202_ACCEPTED)
async def create_eval_run_job(body: EvalJobCreate, session: SessionDep, state: StateDep,
                              user: TeacherUser) -> JobPublic:
    """The simulated-student scenario suite, on a scratch database (never the serving one)."""
    job = await create_eval_job(session, user=user, body=body)
    await enqueue_job(session, state, job)
    return await _public(session, await repo.get_job(session, job_id=job.id))


@router.post("/session-judgements", status_code=status.HTTP_202_ACCEPTED)
async def create_session_judgement_job(body: JudgeJobCreate, session: SessionDep, state: StateDep,
                                       user: TeacherUser) -> JobPublic:
    """An LLM-judge pass over the closed sessions of a date range (`since`, `until`; your students, or the
    given `class_ids`): each session's six judge labels land in its stored eval (`eval.judge`), one item each,
    with the judge's coverage. Sessions already judged are skipped unless `rejudge`."""
    job = await create_judge_job(session, user=user, body=body)
    await enqueue_job(session, state, job)
    return await _public(session, await repo.get_job(session, job_id=job.id))


@router.get("")
async def list_jobs(session: SessionDep, user: CurrentUser,
                    limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[JobPublic]:
    """Your most recent jobs, newest first (without their items)."""
    from sqlalchemy import select

    rows = await session.execute(select(Job).where(Job.created_by == user.id)
                                 .order_by(Job.created_at.desc()).limit(limit))
    return [await _public(session, job, with_items=False) for job in rows.scalars()]


@router.get("/{job_id:uuid}")  # typed: GET /v1/jobs/class-plans is a 405, not a bad job id
async def read_job(job_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> JobPublic:
    """Status, progress (done/failed/cancelled of total) and every item's result."""
    return await _public(session, await _visible(session, user, job_id))


@router.post("/{job_id:uuid}/cancel", status_code=status.HTTP_202_ACCEPTED)
async def cancel_job(job_id: uuid.UUID, body: JobCancel, session: SessionDep, user: CurrentUser) -> JobPublic:
    """Cancel (body `{}` or `{"reason": …}`): a queued job at once; a running one before its next item
    (items already done stay done)."""
    job = await _visible(session, user, job_id)
    if body.reason:
        log.info("job %s cancelled by %s: %s", job.id, user.id, body.reason)
    await repo.request_cancel(session, job_id=job.id)
    await session.commit()
    return await _public(session, await repo.get_job(session, job_id=job.id))
