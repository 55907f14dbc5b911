"""Service bookkeeping beyond the seeds: idempotency keys for retried POSTs, and per-call LLM token usage."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from db.models.common import timestamp_field, uuid_pk_field


class IdempotencyKey(SQLModel, table=True):
    """The stored response of a POST made with an Idempotency-Key, so a retry returns it unchanged."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("student_id", "scope", "key", name="uq_idempotency_scope_key"),)

    id: uuid.UUID = uuid_pk_field()
    student_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("students.id", ondelete="CASCADE"), nullable=False)
    )
    scope: str = Field(sa_column=Column(String(200), nullable=False))
    key: str = Field(sa_column=Column(String(200), nullable=False))
    # SHA-256 of the request body: the same key with a different body is refused.
    request_hash: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    # None while the turn is in flight (its message stored, its reply not yet): a retry resumes it.
    response: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(), nullable=True))
    created_at: datetime = timestamp_field()


class LlmCall(SQLModel, table=True):
    """Token use of one model call (from `usage_metadata`), by agent and model."""

    __tablename__ = "llm_calls"
    __table_args__ = (Index("ix_llm_calls_student_created", "student_id", "created_at"),)

    id: uuid.UUID = uuid_pk_field()
    agent: str = Field(sa_column=Column(String(30), nullable=False))
    model: str = Field(sa_column=Column(String(200), nullable=False))
    offline: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False, server_default="false"))
    thread_id: str | None = Field(default=None, sa_column=Column(String(100), nullable=True, index=True))
    # Whose work the call was (spend per student and class); None for calls made for no one student.
    student_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(Uuid(), ForeignKey("students.id", ondelete="SET NULL", name="fk_llm_calls_student_id"),
                         nullable=True),
    )
    input_tokens: int = Field(default=0, sa_column=Column(Integer(), nullable=False, server_default="0"))
    output_tokens: int = Field(default=0, sa_column=Column(Integer(), nullable=False, server_default="0"))
    created_at: datetime = timestamp_field()


class QuotaUsage(SQLModel, table=True):
    """How much of one limit (`kind`) an owner (student or class) used in the window starting at `window_start`."""

    __tablename__ = "quota_usage"

    kind: str = Field(sa_column=Column(String(40), primary_key=True))
    owner_id: uuid.UUID = Field(sa_column=Column(Uuid(), primary_key=True))
    window_start: datetime = Field(sa_column=Column(DateTime(timezone=True), primary_key=True))
    used: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False, server_default="0"))
