"""Idempotency keys: a retried POST with the same key does its work once, and a crashed turn is resumed.

A chat turn with a key is recorded in two steps, each inside the transaction that does the work:
1. `claim` — in the transaction that appends the student's message: a row with the request's hash and no
   response yet. From then on a retry never appends the message again; it resumes the turn;
2. `complete` — in the transaction that appends the Coach's reply: the response is stored with it.
So "message stored" and "key claimed" commit together, and so do "reply stored" and "response stored":
there is no crash window in which a retry would duplicate either. The same key with a different body is
refused (as the IETF Idempotency-Key draft says), never answered with the old reply.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import IdempotencyKey


def request_hash(body: dict[str, Any]) -> str:
    """SHA-256 of the body in a canonical JSON form (key order and spacing do not matter)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredKey:
    """What a key's row says: the body hash it was first used with, and the response once there is one."""

    request_hash: str | None
    response: dict[str, Any] | None


async def get_key(session: AsyncSession, *, student_id: uuid.UUID, scope: str, key: str) -> StoredKey | None:
    """The row for this (account, scope, key), if any."""
    stmt = select(IdempotencyKey.request_hash, IdempotencyKey.response).where(
        IdempotencyKey.student_id == student_id, IdempotencyKey.scope == scope, IdempotencyKey.key == key
    )
    row = (await session.execute(stmt)).one_or_none()
    return StoredKey(request_hash=row.request_hash, response=row.response) if row else None


async def get_stored_response(
    session: AsyncSession, *, student_id: uuid.UUID, scope: str, key: str
) -> dict[str, Any] | None:
    """The response stored for this (account, scope, key), if any."""
    found = await get_key(session, student_id=student_id, scope=scope, key=key)
    return found.response if found else None


async def store_response(
    session: AsyncSession, *, student_id: uuid.UUID, scope: str, key: str, response: dict[str, Any],
    body_hash: str | None = None,
) -> None:
    """Remember the response for this key (first writer wins)."""
    stmt = insert(IdempotencyKey).values(
        id=uuid.uuid4(), student_id=student_id, scope=scope, key=key, response=response, request_hash=body_hash,
    ).on_conflict_do_nothing(constraint="uq_idempotency_scope_key")
    await session.execute(stmt)


@dataclass
class TurnRecord:
    """One chat turn's bookkeeping, carried through the workflow in its context.

    `key` is None for a turn without an Idempotency-Key (then only `message_committed` is tracked, so the
    API says "your message was saved" only when it was). `resume` is set when the message is already
    stored by an earlier attempt of this turn, so it must not be appended again.
    """

    student_id: uuid.UUID
    scope: str
    key: str | None = None
    body_hash: str | None = None
    resume: bool = False
    message_committed: bool = False

    async def claim(self, session: AsyncSession) -> None:
        """Record the key, response pending, in the transaction that stores the student's message."""
        if self.key is None:
            return
        await session.execute(insert(IdempotencyKey).values(
            id=uuid.uuid4(), student_id=self.student_id, scope=self.scope, key=self.key,
            request_hash=self.body_hash, response=None,
        ))

    async def complete(self, session: AsyncSession, response: dict[str, Any]) -> None:
        """Store the response in the transaction that stores the reply."""
        if self.key is None:
            return
        await session.execute(update(IdempotencyKey).where(
            IdempotencyKey.student_id == self.student_id, IdempotencyKey.scope == self.scope,
            IdempotencyKey.key == self.key,
        ).values(response=response))
