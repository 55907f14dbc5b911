"""Production watching: every closed coaching session scored deterministically, stored, flagged and counted.

`record_session_eval(db, session_id)` runs the deterministic session and turn scorers (`evals.suite`, no model,
tens of milliseconds) on a closed session and upserts its `session_evals` row: counts (coach turns, leaking
turns, lecture turns), question share, word ratio, the flags a teacher's transcript view shows (each naming the
transcript entry that caused it), and the full scores. `tools.coaching_close.close_session` calls it in the
closing transaction and the Coach calls it again once its closing message is stored, so the row always covers
the whole transcript. `safe_record` wraps it in a savepoint: scoring can never break a close.

`production_counts` groups the rows by day (or week) and model; `refresh_gauges` puts the last 24 hours and
7 days per model into `/metrics`.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db import clock
from db.models import CoachingSession, LlmCall
from db.models.evals import SessionEval
from evals.session_scorers import SessionView
from evals.session_transcript import Transcript, TranscriptError, build_transcript
from evals.suite import score_transcript

log = logging.getLogger(__name__)

SCORER_VERSION = "deterministic-1"
LECTURE_WORDS = 40  # a coach turn this long that asks nothing is a lecture, not a Socratic move
LOW_QUESTION_SHARE = 0.5
BUCKETS = ("day", "week")


def _words(text_: str) -> int:
    return len(text_.split())


def evaluate(transcript: Transcript) -> dict[str, Any]:
    """The row's values for one transcript (pure): counts, flags with their entry index, and the scores."""
    view = SessionView.of(transcript)
    scored = score_transcript(transcript, view=view)
    session = {r["key"]: r for r in scored["session"]}
    flags: list[dict[str, Any]] = []
    leak_turns = 0
    for index in transcript.coach_turns:
        leaks = view.leaks_at(index) if view.point else []
        if leaks:
            leak_turns += 1
            flags.append({"kind": "leak", "entry": index, "detail": "; ".join(leaks)})
    lectures = [i for i in view.tutoring_turns() if "?" not in transcript.entries[i]["content"]
                and _words(transcript.entries[i]["content"]) >= LECTURE_WORDS]
    flags += [{"kind": "lecture", "entry": i, "detail": f"{_words(transcript.entries[i]['content'])} words and "
               "no question"} for i in lectures]
    share = float(session["question_share"]["value"])
    if share < LOW_QUESTION_SHARE and view.tutoring_turns():
        flags.append({"kind": "low_question_share", "entry": None, "detail": session["question_share"]["reason"]})
    for key, bad, kind in (("outcome_consistency", "No", "outcome_inconsistent"),
                           ("injection_resistance", "No", "injection_not_resisted")):
        if session[key]["value"] == bad:
            flags.append({"kind": kind, "entry": None, "detail": session[key]["reason"]})
    turns = [{"index": t["index"], "labels": {s["key"]: s["value"] for s in t["scores"]}} for t in scored["turns"]]
    return {
        "entries": len(transcript.entries), "coach_turns": len(transcript.coach_turns),
        "question_share": min(max(share, 0.0), 1.0), "word_ratio": float(session["word_ratio"]["value"]),
        "leak_turns": leak_turns, "lecture_turns": len(lectures), "flags": flags,
        "scores": {"session": scored["session"], "turns": turns},
    }


async def coach_model_of(db: AsyncSession, session_id: uuid.UUID) -> str:
    """The model that wrote most of the session's coach replies (from the usage rows), else "unknown"."""
    row = (await db.execute(
        select(LlmCall.model, func.count()).where(LlmCall.thread_id == str(session_id), LlmCall.agent == "coach")
        .group_by(LlmCall.model).order_by(func.count().desc(), LlmCall.model).limit(1))).first()
    return row[0] if row else "unknown"


async def record_session_eval(db: AsyncSession, session_id: uuid.UUID) -> dict[str, Any] | None:
    """Score a closed session and upsert its row; None when it is open or has nothing to score."""
    cs = await db.get(CoachingSession, session_id, populate_existing=True)
    if cs is None or cs.outcome == "in_progress":
        return None
    try:
        transcript = build_transcript(list(cs.session_transcript or []), syllabus_point=cs.syllabus_point_code,
                                      outcome=cs.outcome, id=str(cs.id))
    except TranscriptError:
        return None  # e.g. closed before the Coach said anything
    values = evaluate(transcript) | {
        "student_id": cs.student_id, "model": await coach_model_of(db, session_id),
        "syllabus_point_code": cs.syllabus_point_code, "outcome": cs.outcome, "closed_at": cs.updated_at,
        "scored_at": clock.now(), "scorer_version": SCORER_VERSION,
    }
    statement = insert(SessionEval).values(session_id=session_id, **values)
    await db.execute(statement.on_conflict_do_update(index_elements=["session_id"], set_=values))
    return values


async def safe_record(db: AsyncSession, session_id: uuid.UUID) -> None:
    """`record_session_eval` in a savepoint; any failure is logged and rolled back to the savepoint."""
    try:
        async with db.begin_nested():
            await record_session_eval(db, session_id)
    except Exception:  # noqa: BLE001  (watching must never cost a student their close)
        log.warning("session %s: eval scores not recorded", session_id, exc_info=True)


def public_eval(row: SessionEval | None) -> dict[str, Any] | None:
    """The session API's `eval` field: counts and flags (entry indexes point into the transcript)."""
    if row is None:
        return None
    return {"scored_at": row.scored_at, "model": row.model, "coach_turns": row.coach_turns,
            "question_share": row.question_share, "word_ratio": row.word_ratio, "leak_turns": row.leak_turns,
            "lecture_turns": row.lecture_turns, "flags": row.flags, "scorer_version": row.scorer_version,
            "judge": row.judge}


async def production_counts(db: AsyncSession, *, since: datetime, until: datetime, bucket: str = "day",
                            student_ids: list[uuid.UUID] | None = None) -> list[dict[str, Any]]:
    """Per (bucket, model): sessions, sessions with a leak, leaking and lecture turns, mean question share."""
    if bucket not in BUCKETS:
        raise ValueError(f"bucket: expected one of {', '.join(BUCKETS)}")
    period = func.date_trunc(bucket, SessionEval.closed_at, text("'UTC'")).label("period")
    query = (select(period, SessionEval.model, func.count().label("sessions"),
                    func.count().filter(SessionEval.leak_turns > 0).label("sessions_with_leak"),
                    func.sum(SessionEval.leak_turns).label("leak_turns"),
                    func.sum(SessionEval.lecture_turns).label("lecture_turns"),
                    func.sum(SessionEval.coach_turns).label("coach_turns"),
                    func.avg(SessionEval.question_share).label("question_share"))
             .where(SessionEval.closed_at >= since, SessionEval.closed_at < until)
             .group_by(period, SessionEval.model).order_by(period, SessionEval.model))
    if student_ids is not None:
        query = query.where(SessionEval.student_id.in_(student_ids))
    return [{"period": r.period, "model": r.model, "sessions": r.sessions, "sessions_with_leak": r.sessions_with_leak,
             "leak_turns": int(r.leak_turns or 0), "lecture_turns": int(r.lecture_turns or 0),
             "coach_turns": int(r.coach_turns or 0), "question_share": round(float(r.question_share or 0), 4)}
            for r in (await db.execute(query)).all()]


async def refresh_gauges(db: AsyncSession) -> None:
    """Set the `/metrics` gauges from the shared table: the last 24 hours and 7 days, per model."""
    from agents.metrics import SESSION_EVAL_GAUGES

    now = clock.now()
    for gauge in SESSION_EVAL_GAUGES.values():
        gauge.clear()
    for window, since in (("24h", now - timedelta(hours=24)), ("7d", now - timedelta(days=7))):
        totals: dict[str, dict[str, float]] = {}
        for row in await production_counts(db, since=since, until=now, bucket="week"):
            t = totals.setdefault(row["model"], {"sessions": 0, "sessions_with_leak": 0, "leak_turns": 0,
                                                 "lecture_turns": 0, "share_sum": 0.0})
            for key in ("sessions", "sessions_with_leak", "leak_turns", "lecture_turns"):
                t[key] += row[key]
            t["share_sum"] += row["question_share"] * row["sessions"]
        for model, t in totals.items():
            for key in ("sessions", "sessions_with_leak", "leak_turns", "lecture_turns"):
                SESSION_EVAL_GAUGES[key].labels(model=model, window=window).set(t[key])
            SESSION_EVAL_GAUGES["question_share"].labels(model=model, window=window).set(
                t["share_sum"] / t["sessions"] if t["sessions"] else 0.0)
