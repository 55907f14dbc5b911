"""The views behind the web app, as JSON: a student's home, a class's mastery heatmap and the answers behind
a cell, and the coaching sessions a teacher should look at."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from api.deps import SessionDep, StudentUser, TeacherUser
from api.errors import InvalidInput, NotFound
from api.request_model import unstorable_text_problem
from api.services import dashboards
from api.services.enrolment import load_owned_class
from db.repo.curriculum import get_syllabus_point

router = APIRouter(prefix="/v1", tags=["dashboards"])
Days = Annotated[int, Query(ge=1, le=366, description="how many days back the marks count")]


class CellAnswerPublic(BaseModel):
    attempt_id: uuid.UUID
    answer_id: uuid.UUID
    student_id: uuid.UUID
    student_name: str
    question_ref: str
    marks: int
    max_marks: int
    needs_review: bool


@router.get("/me/home")
async def student_home(session: SessionDep, user: StudentUser) -> dashboards.StudentHome:
    """Today's study-plan day, open coaching sessions, improvement actions due, recent marks."""
    return await dashboards.student_home(session, student=user)


@router.get("/classes/{class_id}/mastery")
async def class_mastery(class_id: uuid.UUID, session: SessionDep, user: TeacherUser,
                        days: Days = 28) -> dashboards.Heatmap:
    """Class × syllabus point: recent marks as a fraction of the maximum, counts, coaching outcomes."""
    klass = await load_owned_class(session, user=user, class_id=class_id)
    return await dashboards.class_heatmap(session, klass=klass, days=days)


@router.get("/classes/{class_id}/mastery/{code}")
async def class_mastery_cell(class_id: uuid.UUID, code: Annotated[str, Path(max_length=30)],
                             session: SessionDep, user: TeacherUser, days: Days = 28,
                             student_id: uuid.UUID | None = None) -> list[CellAnswerPublic]:
    """The marked answers behind one heatmap cell (the class's, or one member's)."""
    if problem := unstorable_text_problem(code):
        raise InvalidInput(f"code: {problem}", field="code")
    klass = await load_owned_class(session, user=user, class_id=class_id)
    if await get_syllabus_point(session, code=code) is None:
        raise NotFound(f"unknown syllabus point {code!r}", field="code")
    rows = await dashboards.cell_answers(session, klass=klass, code=code, days=days, student_id=student_id)
    return [CellAnswerPublic(attempt_id=r.attempt_id, answer_id=r.answer_id, student_id=r.student_id,
                             student_name=r.student_name, question_ref=r.question_ref, marks=r.marks,
                             max_marks=r.max_marks, needs_review=r.needs_review) for r in rows]


@router.get("/flagged-sessions")
async def flagged_sessions(session: SessionDep, user: TeacherUser) -> list[dashboards.FlaggedSession]:
    """Sessions referred to the teacher, needing more help, with injection attempts or guarded replies."""
    return await dashboards.flagged_sessions(session, teacher=user)
