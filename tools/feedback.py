"""The feedback loop: what happens to a student (a marked answer, a closed coaching session, a graded study
day, an improvement plan) updates their SM-2 state per syllabus point and feeds the director analytics.

SM-2 quality mappings (`tools/sm2.py`):
- a marked answer → `quality_from_fraction(marks / max_marks)`: ≥ 0.9 → 5, ≥ 0.75 → 4, ≥ 0.6 → 3,
  ≥ 0.4 → 2, ≥ 0.2 → 1, else 0 — for every syllabus point the question covers;
- a closed coaching session → `quality_from_outcome`: resolved → 4, needs_more_help → 2,
  refer_to_teacher → 1 — for the session's syllabus point;
- a completed study-plan day → the grades the student gave (0..5), per topic of that day.

Each event is a row in `topic_reviews` keyed by its source (attempted question, session, plan day); the
state in `student_topic_states` is the SM-2 replay of those rows in time order, so recording an event twice
or re-grading it (a human review) never double-counts.

Director bridge (DESIGN.md §3.3): customer = the organisation setting (`tools.tenancy`, `TEACH_ORGANISATION`),
profile = subject code, usecase_id = the student's first class in that subject. Rows are only written when
the subject has its scorecard template (created by `curriculum/sync.py`); otherwise a warning is logged.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from db.models import Attempt, DirectorScorecardTemplate, ImprovementPlan, Student, Subject
from db.repo.curriculum import get_question, get_subject, get_syllabus_point
from db.repo.director_bridge import (
    Tenancy,
    attempt_point_fractions,
    class_of_student,
    insert_coaching_session,
    upsert_answer_scorecard,
    upsert_coaching_plan,
)
from db.repo.director_templates import get_template
from db.repo.topic_states import (
    list_topic_reviews,
    lock_student_topics,
    record_topic_review,
    save_topic_state,
)
from tools.sm2 import SM2State, quality_from_fraction, quality_from_outcome, review
from tools.tenancy import organisation

log = logging.getLogger(__name__)

COACH_AGENT = "coach-agent"
MARKER_AGENT = "marker-agent"
PLANNER_AGENT = "planner-agent"
PASS_FRACTION = 0.6  # quality 3, SM-2's first passing grade
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def event_ulid(at: datetime, source: uuid.UUID) -> str:
    """A ULID whose time part is `at` and whose random part comes from `source`: the same event always gets
    the same id, so inserting it twice is a no-op."""
    millis = max(0, int(at.timestamp() * 1000))
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + source.bytes[6:]))


def new_ulid(at: datetime) -> str:
    """A fresh ULID stamped with `at`."""
    return str(ULID.from_datetime(at))


async def apply_graded_event(
    db: AsyncSession, *, student_id: uuid.UUID, syllabus_point_code: str, source: str, source_id: str,
    quality: int, at: datetime,
) -> SM2State:
    """Record one graded event for a syllabus point and recompute the student's state from the ledger."""
    await lock_student_topics(db, student_id=student_id)
    await record_topic_review(db, student_id=student_id, syllabus_point_code=syllabus_point_code, source=source,
                              source_id=source_id, quality=quality, reviewed_at=at)
    state, last = SM2State(), None
    for event in await list_topic_reviews(db, student_id=student_id, syllabus_point_code=syllabus_point_code):
        state, last = review(state, int(event.quality)), int(event.quality)
    await save_topic_state(db, student_id=student_id, syllabus_point_code=syllabus_point_code, ef=state.ef,
                           interval_days=state.interval, repetitions=state.repetitions, last_quality=last)
    return state


async def record_study_day(
    db: AsyncSession, *, student_id: uuid.UUID, plan_id: uuid.UUID, day: int, grades: dict[str, int],
    at: datetime,
) -> None:
    """Feed a completed study-plan day's grades (code → 0..5) into the student's per-point states."""
    for code, quality in sorted(grades.items()):
        await apply_graded_event(db, student_id=student_id, syllabus_point_code=code, source="study_day",
                                 source_id=f"{plan_id}:{day}", quality=quality, at=at)


async def _tenancy(db: AsyncSession, *, student_id: uuid.UUID, subject: Subject
                   ) -> tuple[Tenancy, DirectorScorecardTemplate] | None:
    customer = organisation()
    template = await get_template(db, customer=customer, profile=subject.code)
    if template is None:
        log.warning("no director scorecard template for %s/%s; analytics not written (run curriculum sync)",
                    customer, subject.code)
        return None
    class_id = await class_of_student(db, student_id=student_id, subject_id=subject.id)
    return Tenancy(customer, subject.code, str(class_id) if class_id else None), template


def _criteria(template: DirectorScorecardTemplate) -> set[str]:
    return {c.get("identifier") for c in (template.template or {}).get("criteria", [])}


async def on_answer_marked(
    db: AsyncSession, *, attempted_question_id: uuid.UUID, student_id: uuid.UUID, question_id: uuid.UUID,
    marks_awarded: int, max_marks: int, syllabus_point_codes: list[str], marked_at: datetime,
    manually_scored: bool, scorer_id: str | None,
) -> None:
    """A marked (or human re-marked) answer: SM-2 update per syllabus point, director scorecard + scores.

    Idempotent per attempted question: a re-mark replaces the grade and updates the same scorecard.
    Raises ValueError naming the field for marks outside 0..max_marks. The caller commits.
    """
    if max_marks <= 0:
        raise ValueError(f"max_marks: must be positive, got {max_marks}")
    if not 0 <= marks_awarded <= max_marks:
        raise ValueError(f"marks_awarded: must be within 0..{max_marks}, got {marks_awarded}")
    fraction = marks_awarded / max_marks
    quality = quality_from_fraction(fraction)
    codes = sorted(set(syllabus_point_codes))
    for code in codes:
        await apply_graded_event(db, student_id=student_id, syllabus_point_code=code, source="answer",
                                 source_id=str(attempted_question_id), quality=quality, at=marked_at)
    question = await get_question(db, question_id=question_id)
    subject = await get_subject(db, subject_id=question.subject_id) if question else None
    found = await _tenancy(db, student_id=student_id, subject=subject) if subject else None
    if found is None:
        return
    tenancy, template = found
    known = _criteria(template)
    values = {code: fraction for code in codes if code in known}
    await upsert_answer_scorecard(
        db, tenancy=tenancy, new_id=event_ulid(marked_at, attempted_question_id), template_id=template.resource_id,
        template_revision=template.revision, conversation_id=str(attempted_question_id),
        agent_user_id=str(student_id), creator_user_id=scorer_id if manually_scored and scorer_id else MARKER_AGENT,
        submitter_user_id=scorer_id or MARKER_AGENT, submitted_at=marked_at,
        ai_scored_at=None if manually_scored else marked_at, manually_scored=manually_scored,
        score=fraction, criterion_values=values, score_ids={c: new_ulid(marked_at) for c in values},
    )


async def _simulated(db: AsyncSession, student_id: uuid.UUID) -> bool:
    return bool((await db.execute(select(Student.simulated).where(Student.id == student_id))).scalar())


async def on_session_closed(
    db: AsyncSession, *, session_id: uuid.UUID, student_id: uuid.UUID, syllabus_point_code: str | None,
    outcome: str, closed_at: datetime, closed_by: uuid.UUID | None,
) -> None:
    """A closed coaching session: SM-2 update for its syllabus point and a submitted director coaching
    session (`coach-agent` for the AI Coach, else the closing teacher's id). A session with no syllabus
    point has nothing to grade or focus on, so it writes nothing. The caller commits."""
    quality = quality_from_outcome(outcome)
    if not syllabus_point_code or await _simulated(db, student_id):
        return  # a simulated (eval) student's sessions never reach the SM-2 states or the analytics
    await apply_graded_event(db, student_id=student_id, syllabus_point_code=syllabus_point_code,
                             source="coaching_session", source_id=str(session_id), quality=quality, at=closed_at)
    point = await get_syllabus_point(db, code=syllabus_point_code)
    subject = await get_subject(db, subject_id=point.subject_id) if point else None
    found = await _tenancy(db, student_id=student_id, subject=subject) if subject else None
    if found is None:
        return
    tenancy, template = found
    # The coaching happened in the session that just closed: it is anchored at the close time.
    await insert_coaching_session(
        db, resource_id=event_ulid(closed_at, session_id), tenancy=tenancy, agent_user_id=str(student_id),
        manager_submitter_user_id=str(closed_by) if closed_by else COACH_AGENT,
        focus_criteria_ids=[f"{template.resource_id}/{syllabus_point_code}"],
        session_at=closed_at, manager_submitted_at=closed_at,
    )


def _weak_codes(weaknesses: dict[str, Any]) -> list[str]:
    ranked: list[tuple[int, str]] = []
    for items in (weaknesses or {}).values():
        for item in items if isinstance(items, list) else []:
            rank = _SEVERITY_ORDER.get(str(item.get("severity")), 3) if isinstance(item, dict) else 3
            for code in (item.get("syllabus_points") or []) if isinstance(item, dict) else []:
                ranked.append((rank, str(code)))
    seen: dict[str, None] = {}
    for _, code in sorted(ranked):
        seen.setdefault(code, None)
    return list(seen)


def _end_date(action_items: list[dict[str, Any]], start: date) -> date:
    dues = []
    for item in action_items or []:
        try:
            dues.append(date.fromisoformat(str(item.get("due_date"))))
        except (TypeError, ValueError):
            continue
    return max(dues, default=start + timedelta(days=14))


async def on_improvement_plan(db: AsyncSession, *, plan_id: uuid.UUID) -> None:
    """An improvement plan → a director coaching plan whose focus criteria are the weak syllabus points
    (from the plan's weaknesses, else the attempt's points under a pass), with one target per point:
    qa_score = the attempt's fraction of marks on it, target = max(0.6, that + 0.2), at most 1. One director
    plan per improvement plan: calling again (the plan was rebuilt after a review) replaces its focus and
    targets. The caller commits."""
    plan = await db.get(ImprovementPlan, plan_id)
    if plan is None:
        raise ValueError(f"plan_id: no improvement plan {plan_id}")
    attempt = await db.get(Attempt, plan.attempt_id)
    subject = await get_subject(db, subject_id=attempt.subject_id)
    fractions = await attempt_point_fractions(db, attempt_id=attempt.id)
    codes = _weak_codes(plan.weaknesses) or sorted(c for c, f in fractions.items() if f < PASS_FRACTION)
    if not codes and fractions:
        lowest = min(fractions.values())
        codes = sorted(c for c, f in fractions.items() if f == lowest)
    found = await _tenancy(db, student_id=plan.student_id, subject=subject)
    if found is None or not codes:
        return
    tenancy, template = found
    codes = [c for c in codes if c in _criteria(template)]
    start = plan.created_at.date()
    targets = []
    for code in codes:
        current = fractions.get(code)
        goal = min(1.0, max(PASS_FRACTION, (current or 0.0) + 0.2))
        targets.append({"target_id": new_ulid(plan.created_at), "scorecard_template_id": template.resource_id,
                        "criterion_or_chapter_id": code, "target": round(goal, 2),
                        "qa_score": round(current, 4) if current is not None else None})
    await upsert_coaching_plan(
        db, resource_id=event_ulid(plan.created_at, plan.id), tenancy=tenancy, agent_user_id=str(plan.student_id),
        creator_user_id=PLANNER_AGENT, focus_criteria_ids=[f"{template.resource_id}/{c}" for c in codes],
        start_date=start, end_date=_end_date(plan.action_items, start), targets=targets,
    )

