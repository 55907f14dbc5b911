"""API tokens as the product issues them: always with the configured expiry."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.settings import auth_settings
from db import clock
from db.repo.accounts import issue_token


async def issue_api_token(db: AsyncSession, *, account_id: uuid.UUID, name: str = "default") -> str:
    """A new bearer token that expires after TEACH_AUTH_TOKEN_TTL_DAYS; the plaintext is returned once."""
    expires = clock.now() + timedelta(days=auth_settings().token_ttl_days)
    return await issue_token(db, account_id=account_id, name=name, expires_at=expires)
