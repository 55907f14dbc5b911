"""Classes: which teacher may see and act for which students."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field, model_validator

from api.deps import SessionDep, TeacherUser
from api.errors import InvalidInput, NotFound
from api.request_model import RequestModel
from db.models import Class, Student
from db.repo import accounts as repo
from db.repo.curriculum import get_subject, get_subject_by_code

router = APIRouter(prefix="/v1/classes", tags=["classes"])


class ClassCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    subject_code: str = Field(min_length=1, max_length=20)


class MemberAdd(RequestModel):
    student_id: uuid.UUID | None = None
    email: str | None = Field(default=None, max_length=320)

    @model_validator(mode="after")
    def _one_of(self) -> MemberAdd:
        if (self.student_id is None) == (self.email is None):
            raise ValueError("give exactly one of student_id or email")
        return self


class MemberPublic(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str


class ClassPublic(BaseModel):
    id: uuid.UUID
    name: str
    subject_code: str
    teacher_id: uuid.UUID
    created_at: datetime
    members: list[MemberPublic] = []


async def _load_owned_class(session: SessionDep, user: Student, class_id: uuid.UUID) -> Class:
    klass = await repo.get_class(session, class_id=class_id)
    if klass is None or (user.role != "admin" and klass.teacher_id != user.id):
        raise NotFound("class not found")
    return klass


async def _public(session: SessionDep, klass: Class) -> ClassPublic:
    subject = await get_subject(session, subject_id=klass.subject_id)
    members = await repo.list_class_members(session, class_id=klass.id)
    return ClassPublic(
        id=klass.id, name=klass.name, subject_code=subject.code if subject else "", teacher_id=klass.teacher_id,
        created_at=klass.created_at,
        members=[MemberPublic(id=m.id, email=m.email, display_name=m.display_name) for m in members],
    )


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_class(body: ClassCreate, session: SessionDep, user: TeacherUser) -> ClassPublic:
    """Create a class taught by the caller."""
    subject = await get_subject_by_code(session, code=body.subject_code)
    if subject is None:
        raise InvalidInput(f"unknown subject {body.subject_code!r}", field="subject_code")
    klass = await repo.create_class(session, name=body.name, subject_id=subject.id, teacher_id=user.id)
    return await _public(session, klass)


@router.get("/{class_id}")
async def read_class(class_id: uuid.UUID, session: SessionDep, user: TeacherUser) -> ClassPublic:
    """A class and its members (the class's teacher or an admin)."""
    return await _public(session, await _load_owned_class(session, user, class_id))


@router.post("/{class_id}/members", status_code=status.HTTP_201_CREATED)
async def add_member(class_id: uuid.UUID, body: MemberAdd, session: SessionDep, user: TeacherUser) -> ClassPublic:
    """Add a student (by id or email) to the class."""
    klass = await _load_owned_class(session, user, class_id)
    if body.student_id is not None:
        student = await repo.get_account(session, account_id=body.student_id)
        field = "student_id"
    else:
        student = await repo.get_account_by_email(session, email=body.email or "")
        field = "email"
    if student is None or student.role != "student":
        raise InvalidInput("no student account with that identity", field=field)
    await repo.add_class_member(session, class_id=klass.id, student_id=student.id)
    return await _public(session, klass)
