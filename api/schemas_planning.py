"""Request and response models of the study-plan endpoints (seed 000's validation rules: exam date in the
future and within the planning window, 0.25 ≤ hours_per_day ≤ 24, grades 0..5, status one of active|completed|abandoned)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from api.request_model import RequestModel, WholeNumber
from db import clock
from db.models import StudyPlan, StudyPlanNote
from tools.schedule import MAX_WINDOW_DAYS

Grade = Annotated[WholeNumber, Field(ge=0, le=5)]
MIN_HOURS_PER_DAY = 0.25


def utc_today() -> date:
    """Today's date in UTC: the day plans start on."""
    return clock.now().date()


class _PlanWindow(RequestModel):
    subject_code: str = Field(min_length=1, max_length=20)
    exam_date: date
    # A plan must allot real time: at least a quarter of an hour a day (5e-324 used to make a 0.0-hour plan).
    # Strict: `true` is not a number of hours.
    hours_per_day: float = Field(ge=MIN_HOURS_PER_DAY, le=24, allow_inf_nan=False, strict=True)

    @field_validator("exam_date")
    @classmethod
    def _in_window(cls, value: date) -> date:
        # Checked here, before the workflow runs, so a refused date writes nothing (not even a checkpoint).
        today = utc_today()
        if value <= today:
            raise ValueError(f"must be in the future (after {today.isoformat()})")
        if (value - today).days > MAX_WINDOW_DAYS:
            raise ValueError(f"must be within {MAX_WINDOW_DAYS} days of today ({today.isoformat()})")
        return value


class StudyPlanCreate(_PlanWindow):
    """`POST /v1/study-plans`."""

    student_id: uuid.UUID


class ClassPlanCreate(_PlanWindow):
    """`POST /v1/classes/{id}/study-plans`."""


class DayComplete(RequestModel):
    """`POST /v1/study-plans/{id}/days/{day}/complete`: the day's grades, syllabus point code → 0..5."""

    grades: dict[Annotated[str, Field(min_length=1, max_length=30)], Grade] = Field(default_factory=dict)


class StatusUpdate(RequestModel):
    """`PATCH /v1/study-plans/{id}`."""

    status: Literal["active", "completed", "abandoned"]


class PlanNotePublic(BaseModel):
    rationale: str
    activity_suggestions: list[dict[str, Any]]
    model: str
    offline: bool


class StudyPlanPublic(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    subject_code: str
    exam_date: date
    total_days: int
    hours_per_day: float
    schedule: list[dict[str, Any]]
    easiness_factors: dict[str, float] | None
    status: str
    created_at: datetime
    updated_at: datetime
    note: PlanNotePublic | None = None

    @classmethod
    def of(cls, plan: StudyPlan, *, subject_code: str, note: StudyPlanNote | None) -> StudyPlanPublic:
        return cls(
            id=plan.id, student_id=plan.student_id, subject_code=subject_code, exam_date=plan.exam_date,
            total_days=plan.total_days, hours_per_day=plan.hours_per_day, schedule=plan.schedule,
            easiness_factors=plan.easiness_factors, status=plan.status, created_at=plan.created_at,
            updated_at=plan.updated_at,
            note=PlanNotePublic(rationale=note.rationale, activity_suggestions=note.activity_suggestions,
                                model=note.model, offline=note.offline) if note else None,
        )


class PlanError(BaseModel):
    code: str
    message: str
    field: str | None = None


class ClassPlanResult(BaseModel):
    student_id: uuid.UUID
    status: Literal["created", "failed"]
    study_plan_id: uuid.UUID | None = None
    error: PlanError | None = None


class ClassPlanResponse(BaseModel):
    class_id: uuid.UUID
    subject_code: str
    created: int
    failed: int
    results: list[ClassPlanResult]
