"""The object-level access rule: a student's data is visible to the student, to teachers of a class the
student is in, and to admins; to everyone else it does not exist (404, so ids cannot be probed)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import NotFound
from db.models import Student
from db.repo.accounts import teacher_teaches_student


async def can_view_student(session: AsyncSession, *, viewer: Student, student_id: uuid.UUID) -> bool:
    """Whether `viewer` may see `student_id`'s data."""
    if viewer.id == student_id or viewer.role == "admin":
        return True
    if viewer.role == "teacher":
        return await teacher_teaches_student(session, teacher_id=viewer.id, student_id=student_id)
    return False


async def ensure_can_view_student(
    session: AsyncSession, *, viewer: Student, student_id: uuid.UUID, what: str = "resource"
) -> None:
    """Raise NotFound unless `viewer` may see the student's data."""
    if not await can_view_student(session, viewer=viewer, student_id=student_id):
        raise NotFound(f"{what} not found")
