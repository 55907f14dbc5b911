"""Accounts, API tokens, classes and the access rule "who may see which student"."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

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


async def issue_token(session: AsyncSession, *, account_id: uuid.UUID, name: str = "default") -> str:
    """Create a new bearer token for an account; returns the plaintext (shown once, stored hashed)."""
    token = "tk_" + secrets.token_urlsafe(32)
    session.add(ApiToken(student_id=account_id, token_hash=hash_token(token), name=name))
    await session.flush()
    return token


async def get_account_by_token(session: AsyncSession, *, token: str) -> Student | None:
    """The account owning a live (not revoked) token."""
    stmt = (
        select(Student)
        .join(ApiToken, ApiToken.student_id == Student.id)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def create_class(session: AsyncSession, *, name: str, subject_id: uuid.UUID, teacher_id: uuid.UUID) -> Class:
    """Insert a class taught by `teacher_id`."""
    klass = Class(name=name, subject_id=subject_id, teacher_id=teacher_id)
    session.add(klass)
    await session.flush()
    return klass


async def get_class(session: AsyncSession, *, class_id: uuid.UUID) -> Class | None:
    """The class, if any."""
    return await session.get(Class, class_id)


async def add_class_member(session: AsyncSession, *, class_id: uuid.UUID, student_id: uuid.UUID) -> bool:
    """Add a student to a class; False if already a member."""
    if await session.get(ClassMember, (class_id, student_id)) is not None:
        return False
    session.add(ClassMember(class_id=class_id, student_id=student_id))
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
