"""LLM spend for teachers and admins: tokens and calls per student of a class, or of one student, from the
token usage recorded with every model call (`llm_calls`)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.access import ensure_can_view_student
from api.deps import SessionDep, TeacherUser
from api.errors import NotFound
from db import clock
from db.repo import accounts
from db.repo.quotas import spend_by_student

router = APIRouter(prefix="/v1", tags=["usage"])


class StudentSpend(BaseModel):
    student_id: uuid.UUID
    display_name: str
    calls: int
    offline_calls: int
    input_tokens: int
    output_tokens: int


class Spend(BaseModel):
    since: datetime
    calls: int
    offline_calls: int
    input_tokens: int
    output_tokens: int
    students: list[StudentSpend]


def _spend(since: datetime, rows: list[dict]) -> Spend:
    students = [StudentSpend(**r) for r in rows]
    return Spend(since=since, calls=sum(s.calls for s in students),
                 offline_calls=sum(s.offline_calls for s in students),
                 input_tokens=sum(s.input_tokens for s in students),
                 output_tokens=sum(s.output_tokens for s in students), students=students)


Days = Annotated[int, Query(ge=1, le=366, description="how many days back, counting today")]


@router.get("/classes/{class_id}/spend")
async def class_spend(class_id: uuid.UUID, session: SessionDep, user: TeacherUser, days: Days = 1) -> Spend:
    """Tokens and calls per student of the class (its teacher or an admin), over the last `days` days."""
    klass = await accounts.get_class(session, class_id=class_id)
    if klass is None or (user.role != "admin" and klass.teacher_id != user.id):
        raise NotFound("class not found")
    members = [m.id for m in await accounts.list_class_members(session, class_id=class_id)]
    since = clock.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
    return _spend(since, await spend_by_student(session, student_ids=members, since=since))


@router.get("/students/{student_id}/spend")
async def student_spend(student_id: uuid.UUID, session: SessionDep, user: TeacherUser, days: Days = 1) -> Spend:
    """One student's tokens and calls (their teachers, admins), over the last `days` days."""
    await ensure_can_view_student(session, viewer=user, student_id=student_id, what="student")
    since = clock.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
    return _spend(since, await spend_by_student(session, student_ids=[student_id], since=since))
