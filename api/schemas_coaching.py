"""Request and response models of the coaching endpoints (transcript entries validated per the seed)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from api.request_model import RequestModel
from db.models import CoachingSession


class GuardPublic(BaseModel):
    """What the reply guard decided about a coach message (see agents.guard)."""

    passed: bool | None = None  # the verdict on the reply that was sent (None: not checked, e.g. a tool turn)
    caught: list[str] = []  # checks a model's earlier attempt(s) failed this turn
    fallback: bool = False  # the model failed twice and the offline Coach's move was sent instead


class TranscriptEntry(BaseModel):
    """One transcript message: role student|coach, content, ISO-8601 timestamp; coach messages say which model
    answered and what the reply guard found."""

    role: Literal["student", "coach"]
    content: str
    timestamp: datetime
    model: str | None = None
    guard: GuardPublic | None = None

    @classmethod
    def of(cls, entry: dict) -> TranscriptEntry:
        """The public form of a stored entry (its internal `meta`, e.g. the Coach's progress, stays inside)."""
        meta = entry.get("meta") or {}
        record = meta.get("guard") or None
        guard = None
        if record:
            verdict = record.get("verdict") or {}
            caught = [r for v in record.get("caught", []) for r in v.get("reasons", [])]
            guard = GuardPublic(passed=verdict.get("passed"), caught=list(dict.fromkeys(caught)),
                                fallback=bool(record.get("fallback")))
        return cls(role=entry["role"], content=entry["content"], timestamp=entry["timestamp"],
                   model=meta.get("model"), guard=guard)


class CoachingSessionCreate(RequestModel):
    topic: str = Field(min_length=1, max_length=500)
    struggle_description: str | None = Field(default=None, max_length=4000)
    syllabus_point: str | None = Field(default=None, max_length=30)

    @field_validator("topic")
    @classmethod
    def _topic_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v.strip()


class MessageCreate(RequestModel):
    content: str = Field(min_length=1)

    @field_validator("content")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v


class OutcomeUpdate(RequestModel):
    outcome: Literal["in_progress", "resolved", "needs_more_help", "refer_to_teacher"]


class TurnPublic(BaseModel):
    reply: str | None
    outcome: str
    model: str | None
    message: TranscriptEntry | None = None


class CoachingSessionPublic(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    topic: str
    struggle_description: str | None
    syllabus_point: str | None
    outcome: str
    referral_reason: str | None
    session_transcript: list[TranscriptEntry]
    created_at: datetime
    updated_at: datetime
    eval: dict[str, Any] | None = Field(
        default=None, description="teachers and admins, once the session is closed: its deterministic eval "
        "scores and flags (`flags[].entry` is the index of the transcript entry that caused the flag)")

    @classmethod
    def of(cls, cs: CoachingSession, eval: dict[str, Any] | None = None) -> CoachingSessionPublic:
        return cls(eval=eval,
            id=cs.id, student_id=cs.student_id, topic=cs.topic, struggle_description=cs.struggle_description,
            syllabus_point=cs.syllabus_point_code, outcome=cs.outcome, referral_reason=cs.referral_reason,
            session_transcript=[TranscriptEntry.of(e) for e in cs.session_transcript],
            created_at=cs.created_at, updated_at=cs.updated_at,
        )


class CoachingSessionCreated(CoachingSessionPublic):
    reply: TurnPublic | None = None


class CoachingSessionPage(BaseModel):
    items: list[CoachingSessionPublic]
    total: int
    limit: int
    offset: int
