"""Accounts as seen through the API: who am I, and a student's profile (self, their teachers, admins)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from api.access import ensure_can_view_student
from api.deps import CurrentUser, SessionDep
from api.errors import NotFound
from db.models import Student
from db.repo.accounts import get_account

router = APIRouter(prefix="/v1", tags=["accounts"])


class AccountPublic(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: str
    created_at: datetime

    @classmethod
    def of(cls, s: Student) -> AccountPublic:
        return cls(id=s.id, email=s.email, display_name=s.display_name, role=s.role, created_at=s.created_at)


@router.get("/me")
async def me(user: CurrentUser) -> AccountPublic:
    """The authenticated account."""
    return AccountPublic.of(user)


@router.get("/students/{student_id}")
async def read_student(student_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> AccountPublic:
    """A student's profile: visible to the student, their teachers and admins; 404 to anyone else."""
    await ensure_can_view_student(session, viewer=user, student_id=student_id, what="student")
    student = await get_account(session, account_id=student_id)
    if student is None:
        raise NotFound("student not found")
    return AccountPublic.of(student)
