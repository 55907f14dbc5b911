"""One Coach turn over HTTP: lock the session, honour the Idempotency-Key, run the graph, store the answer.

JSON callers get `{reply, outcome, model, message}`; streaming callers get `token` events then `done` with
the same payload. The student's message is committed by the graph's first node before any model call.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from langchain_core.messages import AIMessageChunk

from agents.metrics import TURN_SECONDS
from agents.state import GraphContext
from api.errors import Conflict, Unavailable
from db.repo.coaching import SessionClosedError
from db.repo.idempotency import get_stored_response, store_response

log = logging.getLogger(__name__)


def _inputs(content: str) -> dict[str, Any]:
    return {"kind": "chat", "student_message": content}


def _config(session_id: uuid.UUID) -> dict[str, Any]:
    return {"configurable": {"thread_id": str(session_id)}}


async def _stored(state: Any, student_id: uuid.UUID, session_id: uuid.UUID, key: str | None) -> dict | None:
    if not key:
        return None
    async with state.sessionmaker() as db:
        return await get_stored_response(db, student_id=student_id, scope=f"coach:{session_id}", key=key)


async def _finish(state: Any, student_id: uuid.UUID, session_id: uuid.UUID, key: str | None,
                  values: dict[str, Any], started: float) -> dict[str, Any]:
    TURN_SECONDS.labels(model=str(values.get("reply_model") or "none")).observe(time.perf_counter() - started)
    payload = {"reply": values.get("reply"), "outcome": values.get("outcome"), "model": values.get("reply_model"),
               "message": values.get("reply_entry")}
    if key:
        async with state.sessionmaker() as db:
            await store_response(db, student_id=student_id, scope=f"coach:{session_id}", key=key, response=payload)
            await db.commit()
    return payload


def _context(state: Any, student_id: uuid.UUID, session_id: uuid.UUID) -> GraphContext:
    return GraphContext(sessionmaker=state.sessionmaker, student_id=student_id, session_id=session_id,
                        model_factory=state.model_factory)


async def run_turn(state: Any, *, student_id: uuid.UUID, session_id: uuid.UUID, content: str,
                   idempotency_key: str | None) -> dict[str, Any]:
    """Run one turn and return its payload (or the stored payload of an earlier identical request)."""
    async with state.turn_gate.turn(session_id):
        started = time.perf_counter()  # the turn's own time, after any wait for the session's lock
        if (previous := await _stored(state, student_id, session_id, idempotency_key)) is not None:
            return previous
        try:
            values = await state.graph.ainvoke(
                _inputs(content), config=_config(session_id), context=_context(state, student_id, session_id),
                durability="exit",
            )
        except SessionClosedError as exc:
            raise Conflict("this session was closed before your message was taken; open a new one",
                           field="outcome") from exc
        except Exception as exc:
            log.exception("coach turn failed for session %s", session_id)
            raise Unavailable("the Coach could not answer; your message was saved — please retry") from exc
        return await _finish(state, student_id, session_id, idempotency_key, values, started)


def sse(event: str, data: dict[str, Any]) -> str:
    """One server-sent event."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def stream_turn(state: Any, *, student_id: uuid.UUID, session_id: uuid.UUID, content: str,
                      idempotency_key: str | None) -> AsyncIterator[str]:
    """Run one turn, yielding `token` events as the model writes and a final `done` (or `error`) event."""
    async with state.turn_gate.turn(session_id):
        if (previous := await _stored(state, student_id, session_id, idempotency_key)) is not None:
            yield sse("done", previous)
            return
        started = time.perf_counter()
        values: dict[str, Any] = {}
        try:
            async for mode, chunk in state.graph.astream(
                _inputs(content), config=_config(session_id), context=_context(state, student_id, session_id),
                stream_mode=["messages", "values"], durability="exit",
            ):
                if mode == "values":
                    values = chunk
                    continue
                message, meta = chunk
                if meta.get("langgraph_node") == "coach" and isinstance(message, AIMessageChunk):
                    text = message.content if isinstance(message.content, str) else ""
                    if text:
                        yield sse("token", {"text": text})
        except SessionClosedError:
            yield sse("error", {"code": "conflict", "message": "this session was closed before your message was "
                                "taken; open a new one"})
            return
        except Exception:
            log.exception("streamed coach turn failed for session %s", session_id)
            yield sse("error", {"code": "unavailable",
                                "message": "the Coach could not answer; your message was saved — please retry"})
            return
        yield sse("done", await _finish(state, student_id, session_id, idempotency_key, values, started))
