"""Accounts, API tokens, classes and the access rule "who may see which student"."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

from sqlalchemy import exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import clock
from db.models import ApiToken, Class, ClassMember, Student


def hash_token(token: str) -> str:
    """SHA-256 hex of a bearer token (tokens are random, so a plain hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_account(session: AsyncSession, *, email: str, display_name: str, role: str) -> Student:
    """Insert an account (email lower-cased)."""
    student = Student(email=email.strip().lower(), display_name=display_name, role=role)
    session.add(student)
    await session.flush()
    return student


async def get_account_by_email(session: AsyncSession, *, email: str) -> Student | None:
    """The account with this email, if any."""
    return (await session.execute(select(Student).where(Student.email == email.strip().lower()))).scalar_one_or_none()


async def get_account(session: AsyncSession, *, account_id: uuid.UUID) -> Student | None:
    """The account with this id, if any."""
    return await session.get(Student, account_id)


async def issue_token(session: AsyncSession, *, account_id: uuid.UUID, name: str = "default",
                      expires_at: datetime | None = None) -> str:
    """Create a new bearer token for an account; returns the plaintext (shown once, stored hashed).
    `expires_at` None means it never expires (the product's callers pass the TEACH_AUTH_TOKEN_TTL_DAYS expiry)."""
    token = "tk_" + secrets.token_urlsafe(32)
    session.add(ApiToken(student_id=account_id, token_hash=hash_token(token), name=name, expires_at=expires_at))
    await session.flush()
    return token


async def get_account_by_token(session: AsyncSession, *, token: str) -> Student | None:
    """The account owning a live token: not revoked and not expired (by the service clock)."""
    stmt = (
        select(Student)
        .join(ApiToken, ApiToken.student_id == Student.id)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None),
               or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > clock.now()))
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_tokens(session: AsyncSession, *, account_id: uuid.UUID | None) -> list[tuple[ApiToken, Student]]:
    """Tokens (never their secrets) with their owners, newest first; `account_id` None lists everyone's."""
    stmt = select(ApiToken, Student).join(Student, Student.id == ApiToken.student_id)
    if account_id is not None:
        stmt = stmt.where(ApiToken.student_id == account_id)
    rows = await session.execute(stmt.order_by(ApiToken.created_at.desc(), ApiToken.id))
    return [(t, s) for t, s in rows.all()]


async def get_token_by_secret(session: AsyncSession, *, token: str) -> ApiToken | None:
    """A token row by its plaintext (just issued, say), whatever its state."""
    return (await session.execute(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))).scalar_one_or_none()


async def get_token(session: AsyncSession, *, token_id: uuid.UUID) -> ApiToken | None:
    """A token row by id."""
    return await session.get(ApiToken, token_id)


async def revoke_tokens(session: AsyncSession, *, token_ids: list[uuid.UUID] | None = None,
                        account_id: uuid.UUID | None = None, name: str | None = None) -> int:
    """Revoke live tokens by id, or an account's tokens (optionally only those with `name`); returns how many."""
    stmt = update(ApiToken).where(ApiToken.revoked_at.is_(None)).values(revoked_at=clock.now())
    if token_ids is not None:
        stmt = stmt.where(ApiToken.id.in_(token_ids))
    if account_id is not None:
        stmt = stmt.where(ApiToken.student_id == account_id)
    if name is not None:
        stmt = stmt.where(ApiToken.name == name)
    return (await session.execute(stmt)).rowcount or 0


async def set_password_hash(session: AsyncSession, *, account_id: uuid.UUID, password_hash: str | None) -> None:
    """Store an account's password hash (already hashed by the caller)."""
    await session.execute(update(Student).where(Student.id == account_id).values(password_hash=password_hash))


async def create_class(session: AsyncSession, *, name: str, subject_id: uuid.UUID, teacher_id: uuid.UUID) -> Class:
    """Insert a class taught by `teacher_id`."""
    klass = Class(name=name, subject_id=subject_id, teacher_id=teacher_id)
    session.add(klass)
    await session.flush()
    return klass


async def get_class(session: AsyncSession, *, class_id: uuid.UUID) -> Class | None:
    """The class, if any."""
    return await session.get(Class, class_id)


async def list_classes(session: AsyncSession, *, teacher_id: uuid.UUID | None) -> list[Class]:
    """Classes of one teacher (None: every class), by name."""
    stmt = select(Class)
    if teacher_id is not None:
        stmt = stmt.where(Class.teacher_id == teacher_id)
    return list((await session.execute(stmt.order_by(Class.name, Class.id))).scalars())


async def classes_of_student(session: AsyncSession, *, student_id: uuid.UUID) -> list[Class]:
    """Classes a student is a member of, by name."""
    stmt = (select(Class).join(ClassMember, ClassMember.class_id == Class.id)
            .where(ClassMember.student_id == student_id).order_by(Class.name, Class.id))
    return list((await session.execute(stmt)).scalars())


async def add_class_member(session: AsyncSession, *, class_id: uuid.UUID, student_id: uuid.UUID) -> bool:
    """Add a student to a class; False if already a member."""
    if await session.get(ClassMember, (class_id, student_id)) is not None:
        return False
    session.add(ClassMember(class_id=class_id, student_id=student_id))
    await session.flush()
    return True


async def remove_class_member(session: AsyncSession, *, class_id: uuid.UUID, student_id: uuid.UUID) -> bool:
    """Remove a student from a class; False if they were not a member."""
    member = await session.get(ClassMember, (class_id, student_id))
    if member is None:
        return False
    await session.delete(member)
    await session.flush()
    return True


async def list_class_members(session: AsyncSession, *, class_id: uuid.UUID) -> list[Student]:
    """Members of a class, by display name."""
    stmt = (
        select(Student)
        .join(ClassMember, ClassMember.student_id == Student.id)
        .where(ClassMember.class_id == class_id)
        .order_by(Student.display_name, Student.id)
    )
    return list((await session.execute(stmt)).scalars())


async def teacher_teaches_student(session: AsyncSession, *, teacher_id: uuid.UUID, student_id: uuid.UUID) -> bool:
    """True when the student is in a class this teacher teaches."""
    stmt = select(
        exists().where(
            ClassMember.student_id == student_id,
            ClassMember.class_id == Class.id,
            Class.teacher_id == teacher_id,
        )
    )
    return bool((await session.execute(stmt)).scalar())


async def students_taught_by(session: AsyncSession, *, teacher_id: uuid.UUID) -> list[uuid.UUID]:
    """Ids of every student in any class this teacher teaches."""
    stmt = (
        select(ClassMember.student_id)
        .join(Class, Class.id == ClassMember.class_id)
        .where(Class.teacher_id == teacher_id)
        .distinct()
    )
    return list((await session.execute(stmt)).scalars())
