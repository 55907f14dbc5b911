"""Sign-in state and enrolment records: browser sessions, password resets, class invitations, the membership
audit trail. Secrets (session ids, reset tokens) are stored only as SHA-256 hashes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, String, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from db.models.common import optional_timestamp_field, timestamp_field, uuid_pk_field

MEMBERSHIP_ACTIONS: tuple[str, ...] = (
    "invited", "joined_by_code", "accepted_invitation", "declined_invitation", "added_by_admin", "removed",
)


def _account_fk(*, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True) -> Column:
    return Column(Uuid(), ForeignKey("students.id", ondelete=ondelete), nullable=nullable, index=index)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds the secret, the row holds its hash and the CSRF token."""

    __tablename__ = "web_sessions"

    token_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    student_id: uuid.UUID = Field(sa_column=_account_fk())
    csrf_token: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class PasswordReset(SQLModel, table=True):
    """A one-time password-reset link (its token hashed); used once, or expired."""

    __tablename__ = "password_resets"

    token_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    student_id: uuid.UUID = Field(sa_column=_account_fk())
    created_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    used_at: datetime | None = optional_timestamp_field()


class ClassInvitation(SQLModel, table=True):
    """A teacher's invitation of an email address to a class; only the student signed in as that email can
    accept it, so a teacher never attaches a student alone (and learns nothing about whether it exists)."""

    __tablename__ = "class_invitations"
    __table_args__ = (UniqueConstraint("class_id", "email", name="uq_class_invitations_class_email"),)

    id: uuid.UUID = uuid_pk_field()
    class_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("classes.id", ondelete="CASCADE"), nullable=False, index=True))
    email: str = Field(sa_column=Column(String(320), nullable=False, index=True))
    invited_by: uuid.UUID | None = Field(default=None, sa_column=_account_fk(nullable=True, ondelete="SET NULL",
                                                                             index=False))
    created_at: datetime = timestamp_field()
    accepted_at: datetime | None = optional_timestamp_field()
    declined_at: datetime | None = optional_timestamp_field()


class ClassMembershipEvent(SQLModel, table=True):
    """Who changed a class's membership, how and when. No foreign keys: the record outlives the class."""

    __tablename__ = "class_membership_events"
    __table_args__ = (
        CheckConstraint("action IN ('" + "', '".join(MEMBERSHIP_ACTIONS) + "')", name="valid_membership_action"),
    )

    id: uuid.UUID = uuid_pk_field()
    class_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False, index=True))
    student_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid(), nullable=True))
    email: str | None = Field(default=None, sa_column=Column(String(320), nullable=True))
    actor_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid(), nullable=True))
    action: str = Field(sa_column=Column(String(30), nullable=False))
    at: datetime = timestamp_field()
