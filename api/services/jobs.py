"""Creating jobs behind `/v1/jobs`: check access and input, store the job and its items (and, for marking,
the students' answers) in one transaction, then put the job on the queue."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.access import ensure_can_view_student
from api.errors import DomainError, Forbidden, InvalidInput, NotFound, Unavailable
from api.schemas_jobs import ClassPlanJobCreate, EvalJobCreate, JudgeJobCreate, MarkingJobCreate
from api.schemas_marking import AttemptCreate
from api.schemas_planning import utc_today
from api.services.marking import store_attempt
from db.models import Job, Student
from db.repo import accounts
from db.repo import jobs as repo
from db.repo.curriculum import get_subject_by_code


async def create_class_plan_job(db: AsyncSession, *, user: Student, body: ClassPlanJobCreate) -> Job:
    """Every student of the given classes (each once), for the class's teacher or an admin."""
    if await get_subject_by_code(db, code=body.subject_code) is None:
        raise InvalidInput(f"subject_code: unknown subject {body.subject_code!r}", field="subject_code")
    students: dict[uuid.UUID, None] = {}
    for index, class_id in enumerate(dict.fromkeys(body.class_ids)):
        klass = await accounts.get_class(db, class_id=class_id)
        if klass is None or (user.role != "admin" and klass.teacher_id != user.id):
            raise NotFound("class not found", field=f"class_ids[{index}]")
        for member in await accounts.list_class_members(db, class_id=klass.id):
            students.setdefault(member.id, None)
    params = {"class_ids": [str(c) for c in dict.fromkeys(body.class_ids)], "subject_code": body.subject_code,
              "exam_date": body.exam_date.isoformat(), "hours_per_day": body.hours_per_day,
              "today": utc_today().isoformat()}
    return await repo.create_job(db, kind="class_plan", created_by=user.id, params=params,
                                 item_keys=[str(s) for s in students])


async def create_marking_job(db: AsyncSession, *, user: Student, body: MarkingJobCreate,
                             answer_max_chars: int) -> Job:
    """Store every submission as an attempt (validated as `POST /v1/attempts` validates), one item each.
    A student may submit only their own answers; a teacher those of their classes' students."""
    if user.role == "examiner":
        raise Forbidden("examiners cannot submit answers")
    attempt_ids = []
    for index, sub in enumerate(body.submissions):
        where = f"submissions[{index}]"
        if user.role == "student" and sub.student_id != user.id:
            raise NotFound("student not found", field=f"{where}.student_id")
        student = await accounts.get_account(db, account_id=sub.student_id)
        if student is None or student.role != "student":
            raise NotFound("student not found", field=f"{where}.student_id")
        await ensure_can_view_student(db, viewer=user, student_id=student.id, what="student")
        try:
            attempt_ids.append(await store_attempt(
                db, student=student, body=AttemptCreate(subject_code=sub.subject_code, answers=sub.answers),
                answer_max_chars=answer_max_chars))
        except DomainError as exc:  # the same check as POST /v1/attempts, the field named within the batch
            raise type(exc)(exc.message, field=f"{where}.{exc.field}" if exc.field else where) from exc
    return await repo.create_job(db, kind="mark_attempts", created_by=user.id,
                                 params={"attempt_ids": [str(a) for a in attempt_ids]},
                                 item_keys=[str(a) for a in attempt_ids])


async def create_eval_job(db: AsyncSession, *, user: Student, body: EvalJobCreate) -> Job:
    """The scenario suite (teachers and admins): one item per persona, on a scratch database."""
    from curriculum.loader import get_curriculum
    from evals.scenarios import SCENARIOS, default_points

    if user.role not in ("teacher", "admin"):
        raise Forbidden("only teachers and admins run evals")
    known = get_curriculum().points
    if body.points == "sample":
        points = default_points()
    elif body.points == "all":
        points = sorted(known, key=lambda c: tuple(int(p) for p in c.split(".")))
    else:
        points = list(dict.fromkeys(body.points))
        for index, code in enumerate(points):
            if code not in known:
                raise InvalidInput(f"unknown syllabus point {code!r}", field=f"points[{index}]")
        if not points:
            raise InvalidInput("give at least one syllabus point", field="points")
    personas = list(dict.fromkeys(body.personas)) if body.personas is not None else list(SCENARIOS)
    for index, name in enumerate(personas):
        if name not in SCENARIOS:
            raise InvalidInput(f"unknown persona {name!r}; choose from {', '.join(SCENARIOS)}",
                               field=f"personas[{index}]")
    if not personas:
        raise InvalidInput("give at least one persona", field="personas")
    return await repo.create_job(db, kind="eval_run", created_by=user.id,
                                 params={"points": points, "personas": personas, "offline": body.offline},
                                 item_keys=personas)


MAX_JUDGED_SESSIONS = 2000


async def create_judge_job(db: AsyncSession, *, user: Student, body: JudgeJobCreate) -> Job:
    """An LLM-judge pass (teachers and admins) over the scored sessions closed in [since, until): a teacher's
    own students only (optionally some of their classes), an admin's any; one item per session, oldest first.
    Sessions already judged are skipped unless `rejudge`. 422 when no LLM is configured (no judge)."""
    from datetime import UTC

    from sqlalchemy import select

    from db import clock
    from db.models import ClassMember
    from db.models.evals import SessionEval
    from evals.judge import judge_available

    if user.role not in ("teacher", "admin"):
        raise Forbidden("only teachers and admins run evals")
    if not judge_available():
        raise InvalidInput("no LLM is configured, so there is no judge; configure an LLM first", field="since")
    since = body.since if body.since.tzinfo else body.since.replace(tzinfo=UTC)
    until = body.until or clock.now()
    until = until if until.tzinfo else until.replace(tzinfo=UTC)
    if until <= since:
        raise InvalidInput("must be after since", field="until")
    query = select(SessionEval.session_id).where(SessionEval.closed_at >= since, SessionEval.closed_at < until)
    if body.class_ids is not None:
        for index, class_id in enumerate(dict.fromkeys(body.class_ids)):
            klass = await accounts.get_class(db, class_id=class_id)
            if klass is None or (user.role != "admin" and klass.teacher_id != user.id):
                raise NotFound("class not found", field=f"class_ids[{index}]")
        members = select(ClassMember.student_id).where(ClassMember.class_id.in_(list(body.class_ids)))
        query = query.where(SessionEval.student_id.in_(members))
    elif user.role != "admin":
        query = query.where(SessionEval.student_id.in_(await accounts.students_taught_by(db, teacher_id=user.id)))
    if not body.rejudge:
        query = query.where(SessionEval.judged_at.is_(None))
    query = query.order_by(SessionEval.closed_at, SessionEval.session_id).limit(MAX_JUDGED_SESSIONS + 1)
    keys = [str(sid) for sid in (await db.execute(query)).scalars()]
    if len(keys) > MAX_JUDGED_SESSIONS:
        raise InvalidInput(f"more than {MAX_JUDGED_SESSIONS} sessions in the range; narrow it", field="since")
    params = {"since": since.isoformat(), "until": until.isoformat(), "rejudge": body.rejudge,
              "class_ids": None if body.class_ids is None else [str(c) for c in dict.fromkeys(body.class_ids)]}
    return await repo.create_job(db, kind="judge_sessions", created_by=user.id, params=params, item_keys=keys)


async def enqueue_job(db: AsyncSession, state: Any, job: Job) -> None:
    """Commit the job, then put it on the queue (a job is never queued before it exists)."""
    from api.jobs.queue import enqueue

    await db.commit()
    try:
        queue_id = await enqueue(state.queue, job.id)
    except Exception as exc:
        await repo.finish(db, job_id=job.id, status="failed", error="could not be queued")
        await db.commit()
        raise Unavailable("the job could not be queued; please retry") from exc
    await repo.set_queue_job_id(db, job_id=job.id, queue_job_id=queue_id)
    await db.commit()


def can_see_job(user: Student, job: Job) -> bool:
    """The job's creator and admins (anyone else gets a 404, as for the resources it touches)."""
    return user.role == "admin" or job.created_by == user.id
