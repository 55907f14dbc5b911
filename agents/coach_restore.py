"""The Coach's progress when a checkpoint lacks it: restored from what is stored with the replies, or replayed.

Progress lives in the LangGraph checkpoint, but it is also stored with every coach reply (the transcript
entry's `meta.progress`, in the reply's own transaction), and it can always be replayed from the transcript's
student messages (assessment is deterministic). `restore_progress` trusts the checkpoint only when it covers
the transcript exactly (`transcript_len`); otherwise it takes the stored copy from the latest coach entry, and
if that does not cover the transcript either, it replays the whole transcript.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.coach_progress import CoachProgress, assess_turn, note_reply


def _covers(progress: dict[str, Any] | None, entries: int) -> bool:
    return bool(progress) and int(progress.get("transcript_len", -1)) == entries


def replay(point: dict[str, Any], transcript: list[dict[str, Any]]) -> CoachProgress:
    """Progress rebuilt from transcript entries (student messages assessed, coach messages noted)."""
    progress = CoachProgress()
    asked = ""
    for entry in transcript:
        if entry.get("role") == "student":
            progress = assess_turn(point, entry.get("content", ""), progress, asked=asked) if point else (
                CoachProgress(student_turns=progress.student_turns + 1))
        else:
            asked = entry.get("content", "")
            progress = note_reply(point, progress, asked)
        progress.transcript_len += 1
    return progress


async def restore_progress(sessionmaker: async_sessionmaker[AsyncSession], session_id: uuid.UUID | None,
                           checkpointed: dict[str, Any] | None, tail: dict[str, Any],
                           point: dict[str, Any]) -> CoachProgress:
    """Progress before the student's newest message (already appended: it is the tail's last entry)."""
    before = tail["length"] - 1
    if _covers(checkpointed, before):
        return CoachProgress.from_dict(checkpointed)
    stored = next((e.get("meta", {}).get("progress") for e in reversed(tail["tail"][:-1])
                   if e.get("role") == "coach"), None)
    if _covers(stored, before):
        return CoachProgress.from_dict(stored)
    if before == 0:
        return CoachProgress()
    from db.repo.coaching import get_session  # the whole transcript: rare (a lost checkpoint and reply meta)

    async with sessionmaker() as db:
        row = await get_session(db, session_id=session_id) if session_id else None
    transcript = list(row.session_transcript or [])[:before] if row else []
    return replay(point, transcript)
