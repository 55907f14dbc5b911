"""Where transcripts to score come from: stored coaching sessions (by session, student, class, date range) and
JSONL files (one transcript object per line, see `evals.session_transcript.transcript_from_mapping`)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ClassMember, CoachingSession
from evals.session_transcript import Transcript, TranscriptError, build_transcript, transcript_from_mapping

MAX_SESSIONS = 10_000


@dataclass
class Loaded:
    """Transcripts ready to score, and the ones skipped with the reason (e.g. no coach reply yet)."""

    transcripts: list[Transcript] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


def transcript_of_session(cs: CoachingSession) -> Transcript:
    """The `Transcript` of a stored coaching session (raises `TranscriptError` when it has nothing to score)."""
    return build_transcript(
        list(cs.session_transcript or []), syllabus_point=cs.syllabus_point_code, outcome=cs.outcome,
        id=str(cs.id), student_id=str(cs.student_id), topic=cs.topic,
        meta={"created_at": cs.created_at.isoformat() if cs.created_at else None},
    )


async def transcripts_from_db(
    session: AsyncSession, *, session_id: uuid.UUID | None = None, student_id: uuid.UUID | None = None,
    class_id: uuid.UUID | None = None, since: datetime | None = None, until: datetime | None = None,
    limit: int = MAX_SESSIONS,
) -> Loaded:
    """Stored sessions matching every given filter (created in [since, until)), oldest first.

    At least one filter is required, so a typo never scores the whole database by accident.
    """
    if all(v is None for v in (session_id, student_id, class_id, since, until)):
        raise ValueError("filters: give a session, student, class or date range")
    if since is not None and until is not None and since >= until:
        raise ValueError("since: must be before until")
    stmt = select(CoachingSession)
    if session_id is not None:
        stmt = stmt.where(CoachingSession.id == session_id)
    if student_id is not None:
        stmt = stmt.where(CoachingSession.student_id == student_id)
    if class_id is not None:
        members = select(ClassMember.student_id).where(ClassMember.class_id == class_id)
        stmt = stmt.where(CoachingSession.student_id.in_(members))
    if since is not None:
        stmt = stmt.where(CoachingSession.created_at >= since)
    if until is not None:
        stmt = stmt.where(CoachingSession.created_at < until)
    stmt = stmt.order_by(CoachingSession.created_at, CoachingSession.id).limit(limit)
    loaded = Loaded()
    for cs in (await session.execute(stmt)).scalars():
        try:
            loaded.transcripts.append(transcript_of_session(cs))
        except TranscriptError as exc:
            loaded.skipped.append({"id": str(cs.id), "reason": str(exc)})
    return loaded


def transcripts_from_jsonl(path: Path) -> list[Transcript]:
    """Every transcript in a JSONL file; blank lines are ignored. Errors name the line and the field."""
    transcripts = []
    with Path(path).open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TranscriptError(f"not valid JSON ({exc.msg})", field=f"line {number}") from None
            transcript = transcript_from_mapping(data, field_prefix=f"line {number}: ")
            if transcript.id is None:
                transcript = Transcript(**{**transcript.__dict__, "id": f"{Path(path).name}:{number}"})
            transcripts.append(transcript)
    if not transcripts:
        raise TranscriptError("the file holds no transcripts", field=str(path))
    return transcripts
