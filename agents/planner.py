"""The Planner: study plans from the student's per-syllabus-point easiness factors.

A plan is made in three steps, each a node of the workflow's planning branch (graph/planning.py) and also
callable directly; a class plan runs the same branch once per student (api.services.planning):
1. `draft_study_plan` — deterministic: the subject's syllabus points with the student's EFs (from
   `student_topic_states`, fed by marks, coaching outcomes and studied days; 2.5 for a point never graded)
   → `tools.schedule.build_schedule` from today up to the exam date within the hours budget;
2. `write_plan_note` — the chat model (the offline planner when no LLM is configured) explains the schedule
   and suggests activities; it never changes the schedule, and a failure leaves the plan without a note;
3. `store_study_plan` — the `study_plans` row (schedule, easiness_factors), its note and token usage.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.runtime import Runtime
from sqlalchemy.ext.asyncio import AsyncSession

from agents.llm import get_chat_model, model_label
from agents.planner_prompt import MAX_SUGGESTIONS, PlanRationale, build_planner_messages, plan_request_payload
from agents.state import GraphContext, TutorState
from agents.usage import usage_from_message
from db.models import StudyPlan
from db.repo.curriculum import get_subject_by_code, list_syllabus_points
from db.repo.jobs import settle_item
from db.repo.study_plans import create_study_plan, save_plan_note
from db.repo.topic_states import get_topic_states
from db.repo.usage import record_llm_call
from tools.schedule import ScheduleInputError, build_schedule
from tools.sm2 import EF_DEFAULT

log = logging.getLogger(__name__)

ModelFactory = Callable[[str], BaseChatModel]


class PlanInputError(ValueError):
    """A plan request the Planner cannot serve; `.field` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PlanRequest:
    """What to plan: for whom, which subject, until when, how many hours a day, starting `today`."""

    student_id: uuid.UUID
    subject_code: str
    exam_date: date
    hours_per_day: float
    today: date

    def to_state(self) -> dict[str, Any]:
        """JSON-safe form for the workflow state."""
        return {"student_id": str(self.student_id), "subject_code": self.subject_code,
                "exam_date": self.exam_date.isoformat(), "hours_per_day": self.hours_per_day,
                "today": self.today.isoformat()}

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> PlanRequest:
        """Inverse of `to_state`."""
        return cls(uuid.UUID(data["student_id"]), data["subject_code"], date.fromisoformat(data["exam_date"]),
                   float(data["hours_per_day"]), date.fromisoformat(data["today"]))


@dataclass
class PlanDraft:
    """The deterministic part of a plan."""

    subject_id: str
    schedule: list[dict[str, Any]]
    easiness_factors: dict[str, float]
    total_days: int
    titles: dict[str, str]


@dataclass
class PlanNote:
    """The model's prose for a plan and who wrote it."""

    rationale: str
    activity_suggestions: list[dict[str, str]]
    model: str
    offline: bool
    input_tokens: int = 0
    output_tokens: int = 0


async def draft_study_plan(db: AsyncSession, *, request: PlanRequest) -> PlanDraft:
    """Build the SM-2 schedule for the student's syllabus points of the subject.

    Raises PlanInputError (`subject_code`, `exam_date`) or ScheduleInputError (`hours_per_day`,
    `exam_date`, … when the budget cannot fit every topic's first study session).
    """
    if request.exam_date <= request.today:
        raise PlanInputError("exam_date", f"must be after today ({request.today.isoformat()})")
    subject = await get_subject_by_code(db, code=request.subject_code)
    if subject is None:
        raise PlanInputError("subject_code", f"unknown subject {request.subject_code!r}")
    points = await list_syllabus_points(db, subject_id=subject.id)
    if not points:
        raise PlanInputError("subject_code", f"subject {request.subject_code!r} has no syllabus points")
    states = await get_topic_states(db, student_id=request.student_id, codes=[p.code for p in points])
    efs = {p.code: (states[p.code].ef if p.code in states else EF_DEFAULT) for p in points}
    schedule = build_schedule(efs, request.today, request.exam_date, request.hours_per_day)
    return PlanDraft(subject_id=str(subject.id), schedule=schedule, easiness_factors=efs,
                     total_days=(request.exam_date - request.today).days, titles={p.code: p.title for p in points})


async def write_plan_note(model: BaseChatModel, *, request: PlanRequest, draft: PlanDraft) -> PlanNote | None:
    """Ask the model for the plan's rationale and activity suggestions (None if it fails: the plan stands)."""
    payload = plan_request_payload(
        subject_code=request.subject_code, exam_date=request.exam_date.isoformat(),
        hours_per_day=request.hours_per_day, schedule=draft.schedule, easiness_factors=draft.easiness_factors,
        titles=draft.titles,
    )
    try:
        out = await model.with_structured_output(PlanRationale, include_raw=True).ainvoke(
            build_planner_messages(payload))
    except Exception:  # the retry layer already retried and fell back; a plan without prose is still a plan
        log.exception("planner note failed for student %s", request.student_id)
        return None
    parsed, raw = out.get("parsed"), out.get("raw")
    if not isinstance(parsed, PlanRationale):
        log.warning("planner note unparseable for student %s: %s", request.student_id, out.get("parsing_error"))
        return None
    # Suggestions may only name topics of this plan: a model cannot smuggle in other codes.
    suggestions = [s.model_dump() for s in parsed.activity_suggestions
                   if s.syllabus_point in draft.easiness_factors][:MAX_SUGGESTIONS]
    tokens_in, tokens_out = usage_from_message(raw) if raw is not None else (0, 0)
    label = model_label(raw) if raw is not None else "unknown"
    return PlanNote(rationale=parsed.rationale.strip(), activity_suggestions=suggestions, model=label,
                    offline=label == "offline", input_tokens=tokens_in, output_tokens=tokens_out)


async def store_study_plan(
    db: AsyncSession, *, request: PlanRequest, draft: PlanDraft, note: PlanNote | None, thread_id: str | None,
) -> StudyPlan:
    """Insert the plan, its note and the note's token usage. The caller commits."""
    plan = await create_study_plan(
        db, student_id=request.student_id, subject_id=uuid.UUID(draft.subject_id), exam_date=request.exam_date,
        total_days=draft.total_days, hours_per_day=request.hours_per_day, schedule=draft.schedule,
        easiness_factors=draft.easiness_factors,
    )
    if note is not None:
        await save_plan_note(db, plan_id=plan.id, rationale=note.rationale,
                             activity_suggestions=note.activity_suggestions, model=note.model, offline=note.offline)
        await record_llm_call(db, agent="planner", model=note.model, offline=note.offline, thread_id=thread_id,
                              input_tokens=note.input_tokens, output_tokens=note.output_tokens)
    return plan


# ---------------------------------------------------------------- workflow nodes


def _request(state: TutorState, runtime: Runtime[GraphContext]) -> PlanRequest:
    raw = (state.get("results") or {}).get("plan_request")
    if not isinstance(raw, dict):
        raise ValueError("plan_request: a plan run needs results.plan_request")
    request = PlanRequest.from_state(raw)
    if request.student_id != runtime.context.student_id:
        raise ValueError("student_id: the plan request is not for the student in the runtime context")
    return request


async def plan_entry(state: TutorState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Planner entry: validate the request and build the deterministic schedule."""
    request = _request(state, runtime)
    async with runtime.context.sessionmaker() as db:
        draft = await draft_study_plan(db, request=request)
    return {"results": {"plan_draft": asdict(draft)}}


async def plan_note(state: TutorState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Planner: the model's rationale and activity suggestions for the drafted schedule."""
    factory = runtime.context.model_factory or get_chat_model
    draft = PlanDraft(**state["results"]["plan_draft"])
    note = await write_plan_note(factory("planner"), request=_request(state, runtime), draft=draft)
    return {"results": {"plan_note": asdict(note) if note else None}}


async def plan_save(state: TutorState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Planner exit: store the plan (and note) and report its id."""
    results = state["results"]
    note = results.get("plan_note")
    thread = runtime.context.extras.get("thread_id")
    async with runtime.context.sessionmaker() as db:
        plan = await store_study_plan(db, request=_request(state, runtime), draft=PlanDraft(**results["plan_draft"]),
                                      note=PlanNote(**note) if note else None, thread_id=thread)
        if runtime.context.job_item is not None:  # same transaction: the plan exists iff its item is done
            job_id, key = runtime.context.job_item
            await settle_item(db, job_id=job_id, key=key, status="done", result={"study_plan_id": str(plan.id)})
        await db.commit()
        return {"results": {"study_plan_id": str(plan.id)}}


__all__ = ["PlanDraft", "PlanInputError", "PlanNote", "PlanRequest", "ScheduleInputError", "draft_study_plan",
           "plan_entry", "plan_note", "plan_save", "store_study_plan", "write_plan_note"]
