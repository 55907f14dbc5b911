"""Subjects, syllabus points and questions: lookups, and the idempotent upsert of the bundled curriculum."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Question, Subject, SyllabusPoint


async def get_subject_by_code(session: AsyncSession, *, code: str) -> Subject | None:
    """The subject with this code (e.g. `9708`)."""
    return (await session.execute(select(Subject).where(Subject.code == code))).scalar_one_or_none()


async def get_subject(session: AsyncSession, *, subject_id: uuid.UUID) -> Subject | None:
    """The subject with this id."""
    return await session.get(Subject, subject_id)


async def get_syllabus_point(session: AsyncSession, *, code: str) -> SyllabusPoint | None:
    """The syllabus point with this code (e.g. `9708.2.1`)."""
    return (await session.execute(select(SyllabusPoint).where(SyllabusPoint.code == code))).scalar_one_or_none()


async def list_syllabus_points(session: AsyncSession, *, subject_id: uuid.UUID | None) -> list[SyllabusPoint]:
    """All points of a subject (None = every subject), in code order."""
    stmt = select(SyllabusPoint).order_by(SyllabusPoint.code)
    if subject_id is not None:
        stmt = stmt.where(SyllabusPoint.subject_id == subject_id)
    return list((await session.execute(stmt)).scalars())


async def get_question(session: AsyncSession, *, question_id: uuid.UUID) -> Question | None:
    """The question with this id."""
    return await session.get(Question, question_id)


async def get_questions(session: AsyncSession, *, question_ids: list[uuid.UUID]) -> dict[uuid.UUID, Question]:
    """Questions by id (missing ids are simply absent)."""
    rows = (await session.execute(select(Question).where(Question.id.in_(question_ids)))).scalars()
    return {q.id: q for q in rows}


async def upsert_subject(session: AsyncSession, *, code: str, name: str, level: str) -> uuid.UUID:
    """Insert or update a subject by code; returns its id."""
    stmt = (
        insert(Subject)
        .values(id=uuid.uuid4(), code=code, name=name, level=level)
        .on_conflict_do_update(index_elements=["code"], set_={"name": name, "level": level})
        .returning(Subject.id)
    )
    return (await session.execute(stmt)).scalar_one()


async def upsert_syllabus_point(
    session: AsyncSession, *, subject_id: uuid.UUID, code: str, title: str, section: int, level: str,
    content: dict[str, Any],
) -> None:
    """Insert or update a syllabus point by code."""
    values = dict(subject_id=subject_id, title=title, section=section, level=level, content=content)
    stmt = (
        insert(SyllabusPoint)
        .values(id=uuid.uuid4(), code=code, **values)
        .on_conflict_do_update(index_elements=["code"], set_=values)
    )
    await session.execute(stmt)


async def upsert_question(
    session: AsyncSession, *, subject_id: uuid.UUID, ref: str, syllabus_point_codes: list[str], kind: str,
    text: str, max_marks: int, mark_scheme: dict[str, Any],
) -> None:
    """Insert or update a question by its stable `ref`."""
    values = dict(
        subject_id=subject_id, syllabus_point_codes=syllabus_point_codes, kind=kind, text=text,
        max_marks=max_marks, mark_scheme=mark_scheme,
    )
    stmt = (
        insert(Question)
        .values(id=uuid.uuid4(), ref=ref, **values)
        .on_conflict_do_update(index_elements=["ref"], set_=values)
    )
    await session.execute(stmt)
