"""One Coach turn over HTTP: lock the session, honour the Idempotency-Key, run the graph, store the answer.

JSON callers get `{reply, outcome, model, message}`; streaming callers get keep-alive comments while the
turn runs, then the stored (final, guarded) reply as `token` events, then `done` with the same payload.

Guarantees:
- the student's message and the key's claim commit together, and the reply and the key's response commit
  together (db/repo/idempotency.py), so a retry by key never appends the message twice and resumes a turn
  whose reply is missing;
- the turn runs as its own task (api/services/turn_runner.py) within a total deadline, after which the
  offline model answers; a client that disconnects does not cancel it;
- "your message was saved" is said only when it was.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from agents.deadline import deadline_after
from agents.llm import offline_chat_model
from agents.metrics import TURN_SECONDS
from agents.state import GraphContext
from api.db_errors import is_database_unavailable
from api.errors import Conflict, DomainError, InvalidInput, Unavailable
from db.repo.coaching import SessionClosedError
from db.repo.idempotency import TurnRecord, get_key, request_hash

log = logging.getLogger(__name__)


def _inputs(content: str) -> dict[str, Any]:
    return {"kind": "chat", "student_message": content}


def _config(session_id: uuid.UUID) -> dict[str, Any]:
    return {"configurable": {"thread_id": str(session_id)}}


def _context(state: Any, record: TurnRecord, session_id: uuid.UUID, use_llm: bool) -> GraphContext:
    # A spent token budget (api/services/quotas.py) means the offline model answers this turn.
    factory = state.model_factory if use_llm else offline_chat_model
    return GraphContext(sessionmaker=state.sessionmaker, student_id=record.student_id, session_id=session_id,
                        model_factory=factory, turn_record=record)


def _payload(values: dict[str, Any]) -> dict[str, Any]:
    return {"reply": values.get("reply"), "outcome": values.get("outcome"), "model": values.get("reply_model"),
            "message": values.get("reply_entry")}


async def _prepare(state: Any, record: TurnRecord) -> dict[str, Any] | None:
    """The stored response of an earlier attempt with this key, or None (then `record.resume` says whether
    the message is already stored). The same key with a different body is refused."""
    if record.key is None:
        return None
    async with state.sessionmaker() as db:
        found = await get_key(db, student_id=record.student_id, scope=record.scope, key=record.key)
    if found is None:
        return None
    if found.request_hash is not None and found.request_hash != record.body_hash:
        raise InvalidInput("this Idempotency-Key was already used with a different message; use a new key for a "
                           "new message", field="Idempotency-Key")
    if found.response is not None:
        return found.response
    record.resume = record.message_committed = True
    return None


async def _turn(state: Any, *, record: TurnRecord, session_id: uuid.UUID, content: str,
                use_llm: bool) -> dict[str, Any]:
    async with state.turn_gate.turn(session_id, kind="chat"):
        started = time.perf_counter()  # the turn's own time, after any wait for the session's lock
        if (previous := await _prepare(state, record)) is not None:
            return previous
        with deadline_after(state.settings.turn_deadline_seconds):
            values = await state.graph.ainvoke(
                _inputs(content), config=_config(session_id), context=_context(state, record, session_id, use_llm),
                durability="exit",
            )
        TURN_SECONDS.labels(model=str(values.get("reply_model") or "none")).observe(time.perf_counter() - started)
        return _payload(values)


async def _guarded(state: Any, record: TurnRecord, session_id: uuid.UUID, content: str,
                   use_llm: bool = True) -> dict[str, Any]:
    """The turn, with every failure turned into the error the client should see."""
    try:
        return await _turn(state, record=record, session_id=session_id, content=content, use_llm=use_llm)
    except DomainError:
        raise
    except SessionClosedError as exc:
        raise Conflict("this session was closed before your message was taken; open a new one",
                       field="outcome") from exc
    except Exception as exc:
        if not is_database_unavailable(exc):
            log.exception("coach turn failed for session %s", session_id)
        else:
            log.warning("coach turn for session %s met a database outage: %s", session_id, exc)
        if record.message_committed:
            retry = " with the same Idempotency-Key" if record.key else ""
            raise Unavailable(f"the Coach could not answer yet; your message was saved — retry{retry} to get "
                              "the reply") from exc
        raise Unavailable("the service could not take your message (it was not saved) — please send it again "
                          "in a moment") from exc


def _record(student_id: uuid.UUID, session_id: uuid.UUID, content: str, key: str | None) -> TurnRecord:
    return TurnRecord(student_id=student_id, scope=f"coach:{session_id}", key=key or None,
                      body_hash=request_hash({"content": content}) if key else None)


async def run_turn(state: Any, *, student_id: uuid.UUID, session_id: uuid.UUID, content: str,
                   idempotency_key: str | None, use_llm: bool = True) -> dict[str, Any]:
    """Run one turn and return its payload (or the stored payload of an earlier identical request).

    The turn is its own task: if this request is cancelled (the client went away), the turn still finishes.
    """
    record = _record(student_id, session_id, content, idempotency_key)
    task = state.turn_runner.start(_guarded(state, record, session_id, content, use_llm))
    return await asyncio.shield(task)


def sse(event: str, data: dict[str, Any]) -> str:
    """One server-sent event."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def reply_chunks(text: str) -> list[str]:
    """The reply cut into word-sized `token` pieces that join back to exactly the reply."""
    return re.findall(r"\S+\s*|\s+", text)


async def stream_turn(state: Any, *, student_id: uuid.UUID, session_id: uuid.UUID, content: str,
                      idempotency_key: str | None, use_llm: bool = True) -> AsyncIterator[str]:
    """A comment at once, keep-alive comments while the turn runs, then the stored reply as `token` events
    and `done` (or one `error` event). Closing the stream early leaves the turn running to completion."""
    record = _record(student_id, session_id, content, idempotency_key)
    task = state.turn_runner.start(_guarded(state, record, session_id, content, use_llm))
    yield ": accepted\n\n"  # the first bytes go out at once, so no proxy or client waits on silence
    keepalive = state.settings.sse_keepalive_seconds
    while not task.done():
        await asyncio.wait({task}, timeout=keepalive)  # never cancels the task, even when we are cancelled
        if not task.done():
            yield ": keep-alive\n\n"
    try:
        payload = task.result()
    except DomainError as exc:
        yield sse("error", {"code": exc.code, "message": exc.message})
        return
    for piece in reply_chunks(payload.get("reply") or ""):
        yield sse("token", {"text": piece})
    yield sse("done", payload)
