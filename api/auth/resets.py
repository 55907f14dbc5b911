"""Password resets through a one-time link. No mail server is assumed: `teach users reset-link EMAIL` prints
the link; with TEACH_AUTH_MAIL_BACKEND=console a "forgot your password?" request writes it to the log."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.passwords import check_password_policy, hash_password
from api.auth.settings import auth_settings
from api.errors import InvalidInput
from db import clock
from db.models import Student
from db.repo.accounts import get_account_by_email, set_password_hash
from db.repo.auth import create_password_reset, end_all_web_sessions, use_password_reset

log = logging.getLogger(__name__)


async def reset_link(db: AsyncSession, *, account: Student) -> str:
    """A fresh one-time link that lets the account set a new password (valid TEACH_AUTH_RESET_TTL_MINUTES)."""
    settings = auth_settings()
    token = await create_password_reset(
        db, account_id=account.id, expires_at=clock.now() + timedelta(minutes=settings.reset_ttl_minutes))
    return f"{settings.base_url.rstrip('/')}/reset-password/{token}"


async def request_reset(db: AsyncSession, *, email: str) -> None:
    """"Forgot my password": deliver a link if the account exists and a mail backend is set; the caller
    answers the same either way, so the form tells nobody whether an email has an account."""
    backend = auth_settings().mail_backend
    account = await get_account_by_email(db, email=email)
    if account is None or backend == "none":
        return
    link = await reset_link(db, account=account)
    log.warning("password reset link for %s: %s", account.email, link)  # the console "mail" backend


async def apply_reset(db: AsyncSession, *, token: str, password: str) -> None:
    """Set a new password through a live reset token; every signed-in browser of the account is signed out."""
    check_password_policy(password)
    account_id = await use_password_reset(db, token=token)
    if account_id is None:
        raise InvalidInput("this reset link has expired or was already used; ask for a new one", field="token")
    await set_password_hash(db, account_id=account_id, password_hash=await hash_password(password))
    await end_all_web_sessions(db, account_id=account_id)
