"""Enrolment: class invite codes, email invitations, and the membership audit trail."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import clock
from db.models import Class, ClassInvitation, ClassMembershipEvent

# No 0/O or 1/I/L: a code is read off a board and typed.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_invite_code() -> str:
    """A fresh 10-character code (~49 bits: unguessable at any rate a server allows)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(10))


def normalise_code(code: str) -> str:
    """What a student typed, as stored (case and spaces/dashes forgiven)."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


async def set_invite_code(session: AsyncSession, *, class_id: uuid.UUID) -> str:
    """Give the class a new invite code (the old one stops working); returns it."""
    code = new_invite_code()
    await session.execute(update(Class).where(Class.id == class_id).values(invite_code=code))
    return code


async def class_by_invite_code(session: AsyncSession, *, code: str) -> Class | None:
    """The class whose current invite code this is."""
    code = normalise_code(code)
    if not code:
        return None
    return (await session.execute(select(Class).where(Class.invite_code == code))).scalar_one_or_none()


async def upsert_invitation(session: AsyncSession, *, class_id: uuid.UUID, email: str,
                            invited_by: uuid.UUID) -> ClassInvitation:
    """Invite an email to a class (again: a declined invitation becomes pending once more)."""
    email = email.strip().lower()
    stmt = select(ClassInvitation).where(ClassInvitation.class_id == class_id, ClassInvitation.email == email)
    inv = (await session.execute(stmt)).scalar_one_or_none()
    if inv is None:
        inv = ClassInvitation(class_id=class_id, email=email, invited_by=invited_by)
        session.add(inv)
    else:
        inv.invited_by, inv.declined_at, inv.accepted_at, inv.created_at = invited_by, None, None, clock.now()
    await session.flush()
    return inv


async def pending_invitations(session: AsyncSession, *, email: str) -> list[tuple[ClassInvitation, Class]]:
    """Invitations addressed to this email that are neither accepted nor declined, newest first."""
    stmt = (select(ClassInvitation, Class).join(Class, Class.id == ClassInvitation.class_id)
            .where(ClassInvitation.email == email.strip().lower(), ClassInvitation.accepted_at.is_(None),
                   ClassInvitation.declined_at.is_(None))
            .order_by(ClassInvitation.created_at.desc()))
    return [(i, c) for i, c in (await session.execute(stmt)).all()]


async def invitations_of_class(session: AsyncSession, *, class_id: uuid.UUID) -> list[ClassInvitation]:
    """A class's pending invitations (the teacher sees the addresses they typed, nothing more)."""
    stmt = (select(ClassInvitation).where(ClassInvitation.class_id == class_id,
                                          ClassInvitation.accepted_at.is_(None),
                                          ClassInvitation.declined_at.is_(None))
            .order_by(ClassInvitation.created_at))
    return list((await session.execute(stmt)).scalars())


async def get_invitation(session: AsyncSession, *, invitation_id: uuid.UUID) -> ClassInvitation | None:
    """One invitation by id."""
    return await session.get(ClassInvitation, invitation_id)


async def settle_invitation(session: AsyncSession, *, invitation_id: uuid.UUID, accepted: bool) -> bool:
    """Accept or decline a pending invitation; False if it was not pending."""
    values = {"accepted_at": clock.now()} if accepted else {"declined_at": clock.now()}
    stmt = (update(ClassInvitation)
            .where(ClassInvitation.id == invitation_id, ClassInvitation.accepted_at.is_(None),
                   ClassInvitation.declined_at.is_(None)).values(**values))
    return bool((await session.execute(stmt)).rowcount)


async def record_event(session: AsyncSession, *, class_id: uuid.UUID, action: str, actor_id: uuid.UUID | None,
                       student_id: uuid.UUID | None = None, email: str | None = None) -> None:
    """Append one membership change to the audit trail."""
    session.add(ClassMembershipEvent(class_id=class_id, action=action, actor_id=actor_id, student_id=student_id,
                                     email=email, at=clock.now()))
    await session.flush()


async def list_events(session: AsyncSession, *, class_id: uuid.UUID) -> list[ClassMembershipEvent]:
    """A class's membership history, oldest first."""
    stmt = (select(ClassMembershipEvent).where(ClassMembershipEvent.class_id == class_id)
            .order_by(ClassMembershipEvent.at, ClassMembershipEvent.id))
    return list((await session.execute(stmt)).scalars())
