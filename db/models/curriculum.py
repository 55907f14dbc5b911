"""Subjects, syllabus points (with the tutor's content) and questions with their mark schemes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from db.models.common import uuid_pk_field


class Subject(SQLModel, table=True):
    """A syllabus, e.g. 9708 Economics."""

    __tablename__ = "subjects"

    id: uuid.UUID = uuid_pk_field()
    code: str = Field(sa_column=Column(String(20), nullable=False, unique=True))
    name: str = Field(max_length=200)
    level: str = Field(max_length=50)


class SyllabusPoint(SQLModel, table=True):
    """One syllabus point (`9708.2.1`); `content` holds key terms, expectations, misconceptions, ladder."""

    __tablename__ = "syllabus_points"

    id: uuid.UUID = uuid_pk_field()
    subject_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    code: str = Field(sa_column=Column(String(30), nullable=False, unique=True))
    title: str = Field(max_length=300)
    section: int
    level: str = Field(max_length=10)
    content: dict[str, Any] = Field(sa_column=Column(JSONB(), nullable=False))


class Question(SQLModel, table=True):
    """An exam-style question with its mark scheme (marks per AO, indicative points, level descriptors)."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint("max_marks > 0", name="valid_max_marks"),
        CheckConstraint("kind IN ('define', 'explain', 'evaluate')", name="valid_kind"),
    )

    id: uuid.UUID = uuid_pk_field()
    subject_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    ref: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    syllabus_point_codes: list[str] = Field(sa_column=Column(ARRAY(String(30)), nullable=False))
    kind: str = Field(max_length=20)
    text: str = Field(sa_column=Column(Text(), nullable=False))
    max_marks: int
    mark_scheme: dict[str, Any] = Field(sa_column=Column(JSONB(), nullable=False))
