"""Coaching sessions: open, chat (JSON or SSE), read, list, close."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.responses import StreamingResponse

from agents.topic_match import resolve_syllabus_point
from api.access import ensure_can_view_student
from api.deps import MAX_OFFSET, CurrentUser, SessionDep, StateDep, StudentUser
from api.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from api.schemas_coaching import (
    CoachingSessionCreate,
    CoachingSessionCreated,
    CoachingSessionPage,
    CoachingSessionPublic,
    MessageCreate,
    OutcomeUpdate,
    TurnPublic,
)
from api.services.coaching_turns import run_turn, stream_turn
from api.services.quotas import take_session, take_turn
from db.models import CoachingSession, Student
from db.repo import coaching as repo
from db.repo.accounts import students_taught_by
from db.repo.curriculum import get_syllabus_point, list_syllabus_points
from db.repo.idempotency import get_key
from tools.coaching_close import close_session

router = APIRouter(prefix="/v1/coaching-sessions", tags=["coaching"])


async def _load(session: SessionDep, user: Student, session_id: uuid.UUID) -> CoachingSession:
    cs = await repo.get_session(session, session_id=session_id)
    if cs is None:
        raise NotFound("coaching session not found")
    await ensure_can_view_student(session, viewer=user, student_id=cs.student_id, what="coaching session")
    return cs


async def _resolve_point(session: SessionDep, body: CoachingSessionCreate) -> str | None:
    if body.syllabus_point:
        if await get_syllabus_point(session, code=body.syllabus_point) is None:
            raise InvalidInput(f"unknown syllabus point {body.syllabus_point!r}", field="syllabus_point")
        return body.syllabus_point
    points = await list_syllabus_points(session, subject_id=None)
    return resolve_syllabus_point(body.topic, body.struggle_description, {p.code: {"title": p.title, **p.content} for p in points})


def _check_size(state: StateDep, text: str, field: str) -> None:
    limit = state.settings.message_max_chars
    if len(text) > limit:
        raise PayloadTooLarge(f"{field} is {len(text)} characters; the limit is {limit}", field=field)


@router.post("", status_code=status.HTTP_201_CREATED,
             responses={429: {"description": "sessions-per-hour or turns-per-minute quota spent"}})
async def open_session(body: CoachingSessionCreate, session: SessionDep, state: StateDep,
                       user: StudentUser) -> CoachingSessionCreated:
    """Open a session on a topic. With a struggle description, it is the first message and the Coach replies."""
    if body.struggle_description:
        _check_size(state, body.struggle_description, "struggle_description")
    code = await _resolve_point(session, body)
    await take_session(session, state.quotas, student_id=user.id)  # 429 past the hourly limit
    use_llm = True
    if body.struggle_description and body.struggle_description.strip():
        use_llm = await take_turn(session, state.quotas, student_id=user.id)
    cs = await repo.create_session(session, student_id=user.id, topic=body.topic,
                                   struggle_description=body.struggle_description, syllabus_point_code=code)
    await session.commit()
    reply = None
    if body.struggle_description and body.struggle_description.strip():
        payload = await run_turn(state, student_id=user.id, session_id=cs.id,
                                 content=body.struggle_description.strip(), idempotency_key=None, use_llm=use_llm)
        reply = TurnPublic(**payload)
    cs = await repo.get_session(session, session_id=cs.id)
    return CoachingSessionCreated(**CoachingSessionPublic.of(cs).model_dump(), reply=reply)


@router.post("/{session_id}/messages", response_model=TurnPublic,
             responses={200: {"content": {"text/event-stream": {}}},
                        429: {"description": "turns-per-minute quota (student or class) or token budget spent"}})
async def post_message(
    session_id: uuid.UUID, body: MessageCreate, request: Request, session: SessionDep, state: StateDep,
    user: StudentUser, idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
):  # noqa: ANN201
    """One chat turn. `Accept: text/event-stream` streams `token` events then `done`."""
    _check_size(state, body.content, "content")
    found = await repo.get_session_state(session, session_id=session_id)
    if found is None or found[0] != user.id:  # only the owner chats; anyone else sees no such session
        raise NotFound("coaching session not found")
    if found[1] != "in_progress" and not idempotency_key:
        raise Conflict(f"this session is closed ({found[1]}); open a new one", field="outcome")
    use_llm = True
    retry = bool(idempotency_key) and await get_key(
        session, student_id=user.id, scope=f"coach:{session_id}", key=idempotency_key or "") is not None
    if not retry:  # a retry of a turn already counted is not counted again
        use_llm = await take_turn(session, state.quotas, student_id=user.id)
    await session.commit()  # the quota counts; and release this request's connection before the turn
    if "text/event-stream" in request.headers.get("accept", ""):
        gen = stream_turn(state, student_id=user.id, session_id=session_id, content=body.content,
                          idempotency_key=idempotency_key, use_llm=use_llm)
        return StreamingResponse(gen, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
    return TurnPublic(**await run_turn(state, student_id=user.id, session_id=session_id, content=body.content,
                                       idempotency_key=idempotency_key, use_llm=use_llm))


@router.get("/{session_id}")
async def read_session(session_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> CoachingSessionPublic:
    """Transcript and outcome (the student, their teachers, admins); for teachers and admins also the closed
    session's eval flags (`eval`)."""
    cs = await _load(session, user, session_id)
    found = None
    if user.role in ("teacher", "admin"):
        from db.models.evals import SessionEval
        from evals.production import public_eval

        found = public_eval(await session.get(SessionEval, session_id))
    return CoachingSessionPublic.of(cs, eval=found)


@router.get("")
async def list_sessions(
    session: SessionDep, user: CurrentUser,
    student_id: uuid.UUID | None = None,
    outcome: Annotated[str | None, Query(pattern="^(in_progress|resolved|needs_more_help|refer_to_teacher)$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> CoachingSessionPage:
    """Sessions visible to the caller, newest first; filter by student and outcome."""
    if student_id is not None:
        await ensure_can_view_student(session, viewer=user, student_id=student_id, what="student")
        ids: list[uuid.UUID] | None = [student_id]
    elif user.role == "admin":
        ids = None
    elif user.role == "teacher":
        ids = await students_taught_by(session, teacher_id=user.id)
    else:
        ids = [user.id]
    rows, total = await repo.list_sessions(session, student_ids=ids, outcome=outcome, limit=limit, offset=offset)
    return CoachingSessionPage(items=[CoachingSessionPublic.of(r) for r in rows], total=total, limit=limit,
                               offset=offset)


@router.post("/{session_id}/outcome")
async def set_outcome(session_id: uuid.UUID, body: OutcomeUpdate, session: SessionDep,
                      user: CurrentUser) -> CoachingSessionPublic:
    """Close a session (the student or their teacher). Only `in_progress` → an outcome is allowed (else 409)."""
    cs = await _load(session, user, session_id)
    if body.outcome == "in_progress" or cs.outcome != "in_progress":
        raise Conflict(f"cannot move a session from {cs.outcome} to {body.outcome}", field="outcome")
    closed_by = user.id if user.role in ("teacher", "admin") else None
    if not await close_session(session, session_id=session_id, outcome=body.outcome, closed_by=closed_by):
        raise Conflict("the session was closed meanwhile", field="outcome")
    await session.commit()
    return CoachingSessionPublic.of(await repo.get_session(session, session_id=session_id))
