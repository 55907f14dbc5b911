"""Idempotency keys: a retried POST with the same key returns the first response and does nothing twice."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import IdempotencyKey


async def get_stored_response(
    session: AsyncSession, *, student_id: uuid.UUID, scope: str, key: str
) -> dict[str, Any] | None:
    """The response stored for this (account, scope, key), if any."""
    stmt = select(IdempotencyKey.response).where(
        IdempotencyKey.student_id == student_id, IdempotencyKey.scope == scope, IdempotencyKey.key == key
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def store_response(
    session: AsyncSession, *, student_id: uuid.UUID, scope: str, key: str, response: dict[str, Any]
) -> None:
    """Remember the response for this key (first writer wins)."""
    stmt = insert(IdempotencyKey).values(
        id=uuid.uuid4(), student_id=student_id, scope=scope, key=key, response=response
    ).on_conflict_do_nothing(constraint="uq_idempotency_scope_key")
    await session.execute(stmt)
