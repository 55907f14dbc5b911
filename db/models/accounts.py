"""Accounts (students, teachers, examiners, admins share `students`), API tokens, classes and membership."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, String, Text, Uuid
from sqlmodel import Field, SQLModel

from db.models.common import optional_timestamp_field, timestamp_field, uuid_pk_field

Role = Literal["student", "teacher", "examiner", "admin"]
ROLES: tuple[str, ...] = ("student", "teacher", "examiner", "admin")


class Student(SQLModel, table=True):
    """Every account. The seed's `reviewed_by` references students(id), so examiners live here too."""

    __tablename__ = "students"
    __table_args__ = (
        CheckConstraint("role IN ('student', 'teacher', 'examiner', 'admin')", name="valid_role"),
    )

    id: uuid.UUID = uuid_pk_field()
    email: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    display_name: str = Field(max_length=200)
    role: str = Field(default="student", sa_column=Column(String(20), nullable=False, server_default="student"))
    # A simulated student of the eval suite: its sessions never reach the coaching analytics or teachers' lists.
    simulated: bool = Field(default=False, sa_column=Column(Boolean(), nullable=False, server_default="false"))
    created_at: datetime = timestamp_field()
    # argon2id (PHC string); NULL for an account that signs in with API tokens only.
    password_hash: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))


class ApiToken(SQLModel, table=True):
    """A bearer token, stored only as its SHA-256 hash."""

    __tablename__ = "api_tokens"

    id: uuid.UUID = uuid_pk_field()
    student_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("students.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    name: str = Field(default="default", max_length=100)
    created_at: datetime = timestamp_field()
    revoked_at: datetime | None = optional_timestamp_field()
    expires_at: datetime | None = optional_timestamp_field()


class Class(SQLModel, table=True):
    """A teaching group: which teacher may see and act for which students, in one subject."""

    __tablename__ = "classes"

    id: uuid.UUID = uuid_pk_field()
    name: str = Field(max_length=200)
    subject_id: uuid.UUID = Field(sa_column=Column(Uuid(), ForeignKey("subjects.id"), nullable=False))
    teacher_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("students.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    created_at: datetime = timestamp_field()
    # The code a student types (or follows as a link) to join; a teacher can replace it.
    invite_code: str | None = Field(default=None, sa_column=Column(String(32), nullable=True, unique=True))


class ClassMember(SQLModel, table=True):
    """A student's membership of a class."""

    __tablename__ = "class_members"

    class_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True)
    )
    student_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("students.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    added_at: datetime = timestamp_field()
