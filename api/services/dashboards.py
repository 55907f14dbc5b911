"""What the student home and the teacher's views show, computed once for both the JSON API and the pages:
the student's day, a class × syllabus-point mastery heatmap (recent marks as a fraction of the maximum, with
counts and coaching outcomes), the answers behind a cell, and the sessions a teacher should look at."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from agents.coach_moves import classify_intent
from db import clock
from db.models import Class, Student
from db.repo import dashboards as repo
from db.repo.accounts import list_class_members, students_taught_by
from db.repo.coaching import list_sessions
from db.repo.curriculum import list_syllabus_points
from db.repo.performance import recent_marked_answers

OUTCOME_WORDS = {"resolved": "resolved", "needs_more_help": "needs more help",
                 "refer_to_teacher": "referred to the teacher", "in_progress": "in progress"}


class PlanDay(BaseModel):
    plan_id: uuid.UUID
    day: int
    date: date
    topics: list[str]
    hours: float | None
    completed: bool
    is_today: bool


class DueAction(BaseModel):
    plan_id: uuid.UUID
    action_id: str
    action: str
    due_date: date | None
    overdue: bool


class StudentHome(BaseModel):
    plan_day: PlanDay | None
    open_sessions: list[dict[str, Any]]
    actions_due: list[DueAction]
    recent_marks: list[dict[str, Any]]


def _next_day(plan: Any, today: date) -> PlanDay | None:
    """Today's scheduled day, else the next one not yet done."""
    for entry in plan.schedule or []:
        on = date.fromisoformat(entry["date"])
        if entry.get("completed") or on < today:
            continue
        return PlanDay(plan_id=plan.id, day=entry["day"], date=on, topics=list(entry.get("topics", [])),
                       hours=entry.get("hours"), completed=False, is_today=on == today)
    return None


async def student_home(db: AsyncSession, *, student: Student) -> StudentHome:
    """Today's plan day, open coaching sessions, improvement actions due within a week, recent marks."""
    today = clock.now().date()
    plans = [p for p in await repo.student_study_plans(db, student_id=student.id) if p.status == "active"]
    plan_day = next((d for d in (_next_day(p, today) for p in plans) if d is not None), None)
    sessions, _ = await list_sessions(db, student_ids=[student.id], outcome="in_progress", limit=5, offset=0)
    due: list[DueAction] = []
    for plan in await repo.student_improvement_plans(db, student_id=student.id):
        for item in plan.action_items:
            if item.get("completed"):
                continue
            when = date.fromisoformat(item["due_date"]) if item.get("due_date") else None
            if when is None or when <= today + timedelta(days=7):
                due.append(DueAction(plan_id=plan.id, action_id=item["id"], action=item["action"], due_date=when,
                                     overdue=bool(when and when < today)))
    due.sort(key=lambda d: (d.due_date or date.max, d.action_id))
    return StudentHome(
        plan_day=plan_day,
        open_sessions=[{"id": s.id, "topic": s.topic, "syllabus_point": s.syllabus_point_code,
                        "updated_at": s.updated_at} for s in sessions],
        actions_due=due[:8], recent_marks=await recent_marked_answers(db, student_id=student.id, limit=8))


class HeatCell(BaseModel):
    code: str
    fraction: float | None  # marks / maximum marks, None when there is no marked answer
    answers: int
    students: int = 1


class HeatRow(BaseModel):
    student_id: uuid.UUID | None  # None: the whole class
    name: str
    cells: list[HeatCell]


class Heatmap(BaseModel):
    class_id: uuid.UUID
    class_name: str
    since: datetime
    points: list[dict[str, str]]  # [{code, title}] in syllabus order, only points with marks or coaching
    rows: list[HeatRow]  # the class first, then each student
    coaching: dict[str, dict[str, int]]  # code -> outcome -> sessions


async def class_heatmap(db: AsyncSession, *, klass: Class, days: int) -> Heatmap:
    """Marks since `days` ago per syllabus point, for the class and each member; coaching outcomes per point."""
    since = clock.now() - timedelta(days=days)
    members = await list_class_members(db, class_id=klass.id)
    ids = [m.id for m in members]
    cells = await repo.marks_by_point_and_student(db, student_ids=ids, since=since)
    coaching = await repo.outcomes_by_point(db, student_ids=ids, since=since)
    titles = {p.code: p.title for p in await list_syllabus_points(db, subject_id=klass.subject_id)}
    codes = sorted({c.code for c in cells} | set(coaching), key=_code_key)
    by = {(c.code, c.student_id): c for c in cells}

    def cell(code: str, student_id: uuid.UUID) -> HeatCell:
        found = by.get((code, student_id))
        return HeatCell(code=code, fraction=found.marks / found.max_marks if found and found.max_marks else None,
                        answers=found.answers if found else 0)

    class_row = []
    for code in codes:
        mine = [c for c in cells if c.code == code]
        total_max = sum(c.max_marks for c in mine)
        class_row.append(HeatCell(code=code, fraction=sum(c.marks for c in mine) / total_max if total_max else None,
                                  answers=sum(c.answers for c in mine), students=len(mine)))
    rows = [HeatRow(student_id=None, name="Whole class", cells=class_row)]
    rows += [HeatRow(student_id=m.id, name=m.display_name, cells=[cell(code, m.id) for code in codes])
             for m in members]
    return Heatmap(class_id=klass.id, class_name=klass.name, since=since,
                   points=[{"code": c, "title": titles.get(c, c)} for c in codes], rows=rows, coaching=coaching)


def _code_key(code: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in code.split("."))


async def cell_answers(db: AsyncSession, *, klass: Class, code: str, days: int,
                       student_id: uuid.UUID | None) -> list[repo.CellAnswer]:
    """The answers behind one heatmap cell (a member's, or the whole class's)."""
    ids = [m.id for m in await list_class_members(db, class_id=klass.id)]
    if student_id is not None:
        ids = [i for i in ids if i == student_id]
    return await repo.answers_for_point(db, student_ids=ids, code=code, since=clock.now() - timedelta(days=days))


class FlaggedSession(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    student_name: str
    topic: str
    syllabus_point: str | None
    outcome: str
    reasons: list[str]
    updated_at: datetime


def flag_reasons(outcome: str, referral_reason: str | None, transcript: list[dict[str, Any]]) -> list[str]:
    """Why a teacher should look: the outcome, prompt-injection attempts (the Coach's own detector), replies a
    guard replaced (when the transcript records a guard verdict)."""
    reasons = []
    if outcome == "refer_to_teacher":
        reasons.append("referred to you" + (f": {referral_reason}" if referral_reason else ""))
    elif outcome == "needs_more_help":
        reasons.append("needs more help")
    injections = sum(1 for e in transcript if e.get("role") == "student"
                     and classify_intent(str(e.get("content", ""))) == "injection")
    if injections:
        reasons.append(f"{injections} prompt-injection attempt{'s' if injections > 1 else ''}")
    guarded = sum(1 for e in transcript if e.get("role") == "coach" and isinstance(e.get("guard"), dict)
                  and e["guard"].get("passed") is False)
    if guarded:
        reasons.append(f"{guarded} coach repl{'ies' if guarded > 1 else 'y'} caught by the guard")
    return reasons


async def flagged_sessions(db: AsyncSession, *, teacher: Student) -> list[FlaggedSession]:
    """Sessions of the teacher's students (an admin: everyone's) that need a look, newest first."""
    if teacher.role == "admin":
        from sqlalchemy import select

        ids = list((await db.execute(select(Student.id).where(Student.role == "student"))).scalars())
    else:
        ids = await students_taught_by(db, teacher_id=teacher.id)
    out = []
    for cs, student in await repo.sessions_to_check(db, student_ids=ids):
        if reasons := flag_reasons(cs.outcome, cs.referral_reason, cs.session_transcript or []):
            out.append(FlaggedSession(id=cs.id, student_id=student.id, student_name=student.display_name,
                                      topic=cs.topic, syllabus_point=cs.syllabus_point_code, outcome=cs.outcome,
                                      reasons=reasons, updated_at=cs.updated_at))
    return out
