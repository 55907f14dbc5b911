"""Column helpers shared by the table modules (each call builds a fresh Column: SQLAlchemy forbids sharing)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from db import clock


def utcnow() -> datetime:
    """Timezone-aware now from the service clock; every timestamp we write is UTC."""
    return clock.now()


def uuid_pk_field() -> Any:
    """A UUID primary key, generated in Python and defaulting to gen_random_uuid() in the database."""
    return Field(
        default_factory=uuid.uuid4,
        sa_column=Column(Uuid(), primary_key=True, server_default=text("gen_random_uuid()")),
    )


def timestamp_field(*, nullable: bool = False, server_now: bool = True) -> Any:
    """A TIMESTAMP WITH TIME ZONE column, `DEFAULT now()` unless told otherwise."""
    return Field(
        default_factory=utcnow if server_now else None,
        sa_column=Column(
            DateTime(timezone=True),
            server_default=text("now()") if server_now else None,
            nullable=nullable,
        ),
    )


def optional_timestamp_field() -> Any:
    """A nullable TIMESTAMPTZ with no default."""
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


def text_array_field(*, nullable: bool = True) -> Any:
    """A text[] column."""
    return Field(default=None, sa_column=Column(ARRAY(Text()), nullable=nullable))
