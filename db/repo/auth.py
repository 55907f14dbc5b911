"""Browser sessions and password resets: create, look up by secret (hashed), end."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import clock
from db.models import PasswordReset, Student, WebSession
from db.repo.accounts import hash_token


async def create_web_session(session: AsyncSession, *, account_id: uuid.UUID, expires_at: datetime) -> tuple[str, str]:
    """A new signed-in session; returns (cookie secret, CSRF token). Only the secret's hash is stored."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=hash_token(secret), student_id=account_id, csrf_token=csrf,
                           expires_at=expires_at))
    await session.flush()
    return secret, csrf


async def get_web_session(session: AsyncSession, *, secret: str) -> tuple[WebSession, Student] | None:
    """The live (unexpired) session behind a cookie secret, with its account."""
    stmt = (select(WebSession, Student).join(Student, Student.id == WebSession.student_id)
            .where(WebSession.token_hash == hash_token(secret), WebSession.expires_at > clock.now()))
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


async def end_web_session(session: AsyncSession, *, secret: str) -> None:
    """Sign one browser out (the row goes; the cookie is worthless afterwards)."""
    await session.execute(delete(WebSession).where(WebSession.token_hash == hash_token(secret)))


async def end_all_web_sessions(session: AsyncSession, *, account_id: uuid.UUID) -> None:
    """Sign an account out everywhere (after a password change)."""
    await session.execute(delete(WebSession).where(WebSession.student_id == account_id))


async def create_password_reset(session: AsyncSession, *, account_id: uuid.UUID, expires_at: datetime) -> str:
    """A one-time reset token; returns the plaintext (it goes in the link, only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(PasswordReset(token_hash=hash_token(token), student_id=account_id, expires_at=expires_at))
    await session.flush()
    return token


async def get_password_reset(session: AsyncSession, *, token: str) -> PasswordReset | None:
    """The reset behind a token if it is unused and unexpired."""
    stmt = select(PasswordReset).where(PasswordReset.token_hash == hash_token(token),
                                       PasswordReset.used_at.is_(None), PasswordReset.expires_at > clock.now())
    return (await session.execute(stmt)).scalar_one_or_none()


async def use_password_reset(session: AsyncSession, *, token: str) -> uuid.UUID | None:
    """Mark a live reset used (atomically: two concurrent uses cannot both win); returns its account id."""
    stmt = (update(PasswordReset)
            .where(PasswordReset.token_hash == hash_token(token), PasswordReset.used_at.is_(None),
                   PasswordReset.expires_at > clock.now())
            .values(used_at=clock.now()).returning(PasswordReset.student_id))
    return (await session.execute(stmt)).scalar_one_or_none()
