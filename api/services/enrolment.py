"""Who is in a class, and how they got there.

A teacher invites (an email address, or shares the class's invite code/link); only the student, signed in,
accepts — so a teacher can never attach a student alone. An admin may add a student directly. Inviting
answers the same whether or not the address has an account. Every change lands in the audit trail.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import Conflict, InvalidInput, NotFound
from db.models import Class, Student
from db.repo import accounts, enrolment

INVITED_MESSAGE = ("If that address belongs to a student account, the student will see the invitation when "
                   "they sign in and joins the class once they accept it.")


async def load_owned_class(db: AsyncSession, *, user: Student, class_id: uuid.UUID) -> Class:
    """The class if `user` teaches it (or is an admin); 404 otherwise, so ids cannot be probed."""
    klass = await accounts.get_class(db, class_id=class_id)
    if klass is None or (user.role != "admin" and klass.teacher_id != user.id):
        raise NotFound("class not found")
    return klass


async def ensure_invite_code(db: AsyncSession, *, klass: Class) -> str:
    """The class's invite code, creating one the first time it is asked for."""
    if klass.invite_code:
        return klass.invite_code
    code = await enrolment.set_invite_code(db, class_id=klass.id)
    klass.invite_code = code
    return code


async def invite(db: AsyncSession, *, klass: Class, actor: Student, email: str | None,
                 student_id: uuid.UUID | None) -> Student | None:
    """A teacher's "add": an invitation the student must accept (None returned, nothing revealed).
    An admin's: the student is added at once (returned), 422 when there is no such student."""
    if actor.role == "admin":
        student = (await accounts.get_account(db, account_id=student_id) if student_id is not None
                   else await accounts.get_account_by_email(db, email=email or ""))
        if student is None or student.role != "student":
            raise InvalidInput("no student account with that identity", field="student_id" if student_id else "email")
        if await accounts.add_class_member(db, class_id=klass.id, student_id=student.id):
            await enrolment.record_event(db, class_id=klass.id, action="added_by_admin", actor_id=actor.id,
                                         student_id=student.id, email=student.email)
        return student
    if student_id is not None:
        # Inviting an id would tell the teacher (through the pending list) which ids are students and their
        # addresses; teachers invite the address they were given, or share the class's code.
        raise InvalidInput("teachers invite by email (or share the class's invite code), not by student_id",
                           field="student_id")
    if email:
        email = email.strip().lower()
        await enrolment.upsert_invitation(db, class_id=klass.id, email=email, invited_by=actor.id)
        await enrolment.record_event(db, class_id=klass.id, action="invited", actor_id=actor.id, email=email)
    return None


async def join_with_code(db: AsyncSession, *, student: Student, code: str) -> Class:
    """A signed-in student joins the class whose invite code this is (joining twice is harmless)."""
    if student.role != "student":
        raise InvalidInput("only student accounts join classes", field="code")
    klass = await enrolment.class_by_invite_code(db, code=code)
    if klass is None:
        raise NotFound("no class has that invite code; check it with your teacher", field="code")
    if await accounts.add_class_member(db, class_id=klass.id, student_id=student.id):
        await enrolment.record_event(db, class_id=klass.id, action="joined_by_code", actor_id=student.id,
                                     student_id=student.id, email=student.email)
    return klass


async def answer_invitation(db: AsyncSession, *, student: Student, invitation_id: uuid.UUID,
                            accept: bool) -> Class:
    """Accept or decline an invitation addressed to this student's email (anyone else: 404)."""
    inv = await enrolment.get_invitation(db, invitation_id=invitation_id)
    if inv is None or inv.email != student.email or student.role != "student":
        raise NotFound("invitation not found")
    if not await enrolment.settle_invitation(db, invitation_id=inv.id, accepted=accept):
        raise Conflict("this invitation was already answered", field="invitation_id")
    if accept and await accounts.add_class_member(db, class_id=inv.class_id, student_id=student.id):
        await enrolment.record_event(db, class_id=inv.class_id, action="accepted_invitation", actor_id=student.id,
                                     student_id=student.id, email=student.email)
    elif not accept:
        await enrolment.record_event(db, class_id=inv.class_id, action="declined_invitation", actor_id=student.id,
                                     student_id=student.id, email=student.email)
    klass = await accounts.get_class(db, class_id=inv.class_id)
    if klass is None:
        raise NotFound("invitation not found")
    return klass


async def remove_member(db: AsyncSession, *, klass: Class, actor: Student, student_id: uuid.UUID) -> None:
    """Take a student out of the class (the teacher or an admin); 404 when they are not in it."""
    if not await accounts.remove_class_member(db, class_id=klass.id, student_id=student_id):
        raise NotFound("that student is not a member of this class", field="student_id")
    await enrolment.record_event(db, class_id=klass.id, action="removed", actor_id=actor.id, student_id=student_id)
