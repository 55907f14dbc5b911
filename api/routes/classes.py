"""Classes: create, read, list; enrolment by invitation (email or the class's invite code), removal, and the
membership audit trail. Teachers act on their own classes; admins on any."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field, model_validator

from api.deps import SessionDep, StudentUser, TeacherUser
from api.errors import InvalidInput
from api.request_model import RequestModel
from api.services import enrolment
from api.services.enrolment import INVITED_MESSAGE, load_owned_class
from db.models import Class, Student
from db.repo import accounts as repo
from db.repo import enrolment as enrol_repo
from db.repo.curriculum import get_subject, get_subject_by_code

router = APIRouter(prefix="/v1", tags=["classes"])


class ClassCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    subject_code: str = Field(min_length=1, max_length=20)


class MemberAdd(RequestModel):
    student_id: uuid.UUID | None = None
    email: str | None = Field(default=None, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")

    @model_validator(mode="after")
    def _one_of(self) -> MemberAdd:
        if (self.student_id is None) == (self.email is None):
            raise ValueError("give exactly one of student_id or email")
        return self


class JoinRequest(RequestModel):
    code: str = Field(min_length=4, max_length=40)


class MemberPublic(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str


class InvitationPublic(BaseModel):
    id: uuid.UUID
    email: str
    created_at: datetime


class ClassPublic(BaseModel):
    id: uuid.UUID
    name: str
    subject_code: str
    teacher_id: uuid.UUID
    created_at: datetime
    invite_code: str | None = None
    members: list[MemberPublic] = []
    pending_invitations: list[InvitationPublic] = []


class ClassSummary(BaseModel):
    id: uuid.UUID
    name: str
    subject_code: str


class InvitationForStudent(BaseModel):
    id: uuid.UUID
    class_id: uuid.UUID
    class_name: str
    subject_code: str
    invited_at: datetime


class InviteResult(BaseModel):
    status: str
    message: str
    member: MemberPublic | None = None


class MembershipEvent(BaseModel):
    action: str
    student_id: uuid.UUID | None
    email: str | None
    actor_id: uuid.UUID | None
    at: datetime


async def class_public(session: SessionDep, klass: Class) -> ClassPublic:
    """A class as its teacher sees it: members, pending invitations, the invite code."""
    subject = await get_subject(session, subject_id=klass.subject_id)
    members = await repo.list_class_members(session, class_id=klass.id)
    pending = await enrol_repo.invitations_of_class(session, class_id=klass.id)
    return ClassPublic(
        id=klass.id, name=klass.name, subject_code=subject.code if subject else "", teacher_id=klass.teacher_id,
        created_at=klass.created_at, invite_code=await enrolment.ensure_invite_code(session, klass=klass),
        members=[MemberPublic(id=m.id, email=m.email, display_name=m.display_name) for m in members],
        pending_invitations=[InvitationPublic(id=i.id, email=i.email, created_at=i.created_at) for i in pending],
    )


async def _summary(session: SessionDep, klass: Class) -> ClassSummary:
    subject = await get_subject(session, subject_id=klass.subject_id)
    return ClassSummary(id=klass.id, name=klass.name, subject_code=subject.code if subject else "")


@router.post("/classes", status_code=status.HTTP_201_CREATED)
async def create_class(body: ClassCreate, session: SessionDep, user: TeacherUser) -> ClassPublic:
    """Create a class taught by the caller (it gets an invite code to share with students)."""
    subject = await get_subject_by_code(session, code=body.subject_code)
    if subject is None:
        raise InvalidInput(f"unknown subject {body.subject_code!r}", field="subject_code")
    klass = await repo.create_class(session, name=body.name, subject_id=subject.id, teacher_id=user.id)
    return await class_public(session, klass)


@router.get("/classes")
async def list_classes(session: SessionDep, user: TeacherUser) -> list[ClassSummary]:
    """The caller's classes (an admin: every class)."""
    classes = await repo.list_classes(session, teacher_id=None if user.role == "admin" else user.id)
    return [await _summary(session, c) for c in classes]


@router.get("/classes/{class_id}")
async def read_class(class_id: uuid.UUID, session: SessionDep, user: TeacherUser) -> ClassPublic:
    """A class, its members and pending invitations (the class's teacher or an admin)."""
    return await class_public(session, await load_owned_class(session, user=user, class_id=class_id))


@router.post("/classes/{class_id}/members", status_code=status.HTTP_202_ACCEPTED, responses={201: {}})
async def add_member(class_id: uuid.UUID, body: MemberAdd, session: SessionDep, user: TeacherUser,
                     response: Response) -> InviteResult:
    """A teacher invites an email (202, the same answer whether or not it has an account; the student joins
    on accepting). An admin adds a student directly (201)."""
    klass = await load_owned_class(session, user=user, class_id=class_id)
    student = await enrolment.invite(session, klass=klass, actor=user, email=body.email, student_id=body.student_id)
    if student is None:
        return InviteResult(status="invited", message=INVITED_MESSAGE)
    response.status_code = status.HTTP_201_CREATED
    return InviteResult(status="added", message="added to the class",
                        member=MemberPublic(id=student.id, email=student.email, display_name=student.display_name))


@router.delete("/classes/{class_id}/members/{student_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(class_id: uuid.UUID, student_id: uuid.UUID, session: SessionDep,
                        user: TeacherUser) -> Response:
    """Remove a student from the class (recorded in the membership history)."""
    klass = await load_owned_class(session, user=user, class_id=class_id)
    await enrolment.remove_member(session, klass=klass, actor=user, student_id=student_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/classes/{class_id}/invite-code")
async def new_invite_code(class_id: uuid.UUID, session: SessionDep, user: TeacherUser) -> ClassPublic:
    """Replace the class's invite code (the old code and link stop working)."""
    klass = await load_owned_class(session, user=user, class_id=class_id)
    klass.invite_code = await enrol_repo.set_invite_code(session, class_id=klass.id)
    return await class_public(session, klass)


@router.get("/classes/{class_id}/membership-events")
async def membership_events(class_id: uuid.UUID, session: SessionDep, user: TeacherUser) -> list[MembershipEvent]:
    """Who joined, was invited, added or removed, by whom and when (oldest first)."""
    klass = await load_owned_class(session, user=user, class_id=class_id)
    return [MembershipEvent(action=e.action, student_id=e.student_id, email=e.email, actor_id=e.actor_id, at=e.at)
            for e in await enrol_repo.list_events(session, class_id=klass.id)]


@router.post("/class-invites/accept")
async def join_class(body: JoinRequest, session: SessionDep, user: StudentUser) -> ClassSummary:
    """A student joins a class with its invite code."""
    return await _summary(session, await enrolment.join_with_code(session, student=user, code=body.code))


@router.get("/invitations")
async def my_invitations(session: SessionDep, user: StudentUser) -> list[InvitationForStudent]:
    """Invitations to the caller's email that await an answer, newest first."""
    return await invitations_for(session, user)


async def invitations_for(session: SessionDep, user: Student) -> list[InvitationForStudent]:
    """A student's pending invitations (shared with the web pages)."""
    out = []
    for inv, klass in await enrol_repo.pending_invitations(session, email=user.email):
        summary = await _summary(session, klass)
        out.append(InvitationForStudent(id=inv.id, class_id=klass.id, class_name=klass.name,
                                        subject_code=summary.subject_code, invited_at=inv.created_at))
    return out


@router.post("/invitations/{invitation_id}/accept")
async def accept_invitation(invitation_id: uuid.UUID, session: SessionDep, user: StudentUser) -> ClassSummary:
    """Accept an invitation: the caller joins the class."""
    klass = await enrolment.answer_invitation(session, student=user, invitation_id=invitation_id, accept=True)
    return await _summary(session, klass)


@router.post("/invitations/{invitation_id}/decline")
async def decline_invitation(invitation_id: uuid.UUID, session: SessionDep, user: StudentUser) -> ClassSummary:
    """Decline an invitation."""
    klass = await enrolment.answer_invitation(session, student=user, invitation_id=invitation_id, accept=False)
    return await _summary(session, klass)
