"""Evals over HTTP.

- `POST /v1/evals/transcripts:score` scores one transcript (stored session or posted).
- `GET /v1/evals/sessions/counts` — production watching: closed sessions' leaks, lectures and question share per
  coach model and day/week (`evals.production`), over the caller's students (a teacher's own, or all for admins).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, model_validator

from api.access import ensure_can_view_student
from api.deps import SessionDep, StateDep, TeacherUser
from api.errors import InvalidInput, NotFound, PayloadTooLarge, Unavailable
from api.request_model import IsoDateTime, RequestModel
from db.repo import coaching as repo
from evals.session_transcript import MAX_ENTRIES, Transcript, TranscriptError, build_transcript

router = APIRouter(prefix="/v1/evals", tags=["evals"])


class EntryIn(RequestModel):
    """One transcript message to score."""

    role: Literal["student", "coach"]
    content: str = Field(max_length=20_000)
    timestamp: datetime | None = None


class ScoreRequest(RequestModel):
    """Either a stored session (`session_id`) or a posted `transcript`, not both."""

    session_id: uuid.UUID | None = None
    transcript: list[EntryIn] | None = Field(default=None, max_length=MAX_ENTRIES)
    syllabus_point: str | None = Field(default=None, max_length=30)
    outcome: Literal["in_progress", "resolved", "needs_more_help", "refer_to_teacher"] | None = None
    judge: bool = Field(default=False, strict=True, description="add LLM-judge session scores (needs a configured LLM)")

    @model_validator(mode="after")
    def _one_source(self) -> ScoreRequest:
        if (self.session_id is None) == (self.transcript is None):
            raise ValueError("give exactly one of session_id or transcript")
        return self


class Score(BaseModel):
    key: str
    value: Any
    reason: str


class TurnScores(BaseModel):
    index: int
    coach: str
    scores: list[Score]


class ScoreResponse(BaseModel):
    session_id: uuid.UUID | None
    syllabus_point: str | None
    outcome: str | None
    entries: int
    turns: list[TurnScores]
    session: list[Score]
    judge: list[Score] | None = None


async def _stored(db: SessionDep, user: Any, body: ScoreRequest) -> Transcript:
    cs = await repo.get_session(db, session_id=body.session_id)
    if cs is None:
        raise NotFound("coaching session not found")
    await ensure_can_view_student(db, viewer=user, student_id=cs.student_id, what="coaching session")
    # syllabus_point/outcome in the body override what is stored, for this scoring only (nothing is saved)
    return build_transcript(
        list(cs.session_transcript or []), syllabus_point=body.syllabus_point or cs.syllabus_point_code,
        outcome=body.outcome or cs.outcome, id=str(cs.id), student_id=str(cs.student_id), topic=cs.topic)


async def _score_capped(state: Any, work: Any) -> Any:
    """Run the (CPU-bound) scoring in a thread, inside a scoring slot, for at most the time cap. A run past the
    cap keeps its slot until its thread ends, so slow scorings can never pile up beyond the slots."""

    async def in_slot() -> Any:
        async with state.slots.hold("scoring"):
            return await asyncio.to_thread(work)

    task = asyncio.ensure_future(in_slot())
    try:
        return await asyncio.wait_for(asyncio.shield(task), state.settings.score_timeout_seconds)
    except TimeoutError:
        raise Unavailable(f"scoring took longer than {state.settings.score_timeout_seconds:g} s; try a shorter "
                          "transcript or later", retry_after=10) from None


@router.post("/transcripts:score")
async def score_transcript_endpoint(body: ScoreRequest, db: SessionDep, state: StateDep,
                                    user: TeacherUser) -> ScoreResponse:
    """Per-turn (MRBench's eight dimensions) and per-session scores for one transcript.

    A teacher may score their own students' sessions (others are 404) or any posted transcript. Scoring has
    its own slots (never chat's), a size cap (413) and a time cap (503).
    """
    from evals.judge import judge_available
    from evals.suite import score_transcript

    if body.judge and not judge_available():
        raise InvalidInput("no LLM is configured, so there is no judge; omit judge or configure an LLM",
                           field="judge")
    try:
        if body.session_id is not None:
            transcript = await _stored(db, user, body)
        else:
            entries = [e.model_dump(mode="json", exclude_none=True) for e in body.transcript or []]
            transcript = build_transcript(entries, syllabus_point=body.syllabus_point, outcome=body.outcome)
    except TranscriptError as exc:
        raise InvalidInput(exc.message, field=exc.field) from None
    size, limit = sum(len(e.get("content") or "") for e in transcript.entries), state.settings.score_max_chars
    if size > limit:
        raise PayloadTooLarge(f"the transcript has {size} characters; scoring takes at most {limit}",
                              field="transcript" if body.transcript is not None else "session_id")
    await db.commit()  # release the connection before the (possibly slow) scoring
    judge_model = None
    if body.judge:
        from agents.llm import get_chat_model

        judge_model = get_chat_model("judge")
    scored = await _score_capped(state, lambda: score_transcript(transcript, judge_model=judge_model))
    return ScoreResponse(
        session_id=body.session_id, syllabus_point=scored["syllabus_point"], outcome=scored["outcome"],
        entries=scored["entries"], turns=scored["turns"], session=scored["session"],
        judge=(scored["judge"] or {}).get("session"),
    )


class CountsRow(BaseModel):
    period: datetime
    model: str
    sessions: int
    sessions_with_leak: int
    leak_turns: int
    lecture_turns: int
    coach_turns: int
    question_share: float


class CountsResponse(BaseModel):
    since: datetime
    until: datetime
    bucket: str
    rows: list[CountsRow]


@router.get("/sessions/counts")
async def session_eval_counts(db: SessionDep, user: TeacherUser, since: IsoDateTime, until: IsoDateTime | None = None,
                              bucket: Literal["day", "week"] = Query(default="day")) -> CountsResponse:
    """Per period and coach model: closed sessions, sessions with a leak, leaking and lecture turns, mean
    question share (deterministic scores written when each session closed)."""
    from db import clock
    from db.repo.accounts import students_taught_by
    from evals.production import production_counts

    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    until = until or clock.now()
    until = until if until.tzinfo else until.replace(tzinfo=UTC)
    if until <= since:
        raise InvalidInput("must be after since", field="until")
    students = None if user.role == "admin" else await students_taught_by(db, teacher_id=user.id)
    rows = await production_counts(db, since=since, until=until, bucket=bucket, student_ids=students)
    return CountsResponse(since=since, until=until, bucket=bucket, rows=[CountsRow(**r) for r in rows])
