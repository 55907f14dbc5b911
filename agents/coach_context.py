"""The Coach's context block: where the session stands, as JSON inside the system prompt of ANY model.

`render_context_block(code, point, progress)` is `CONTEXT_OPEN{json}CONTEXT_CLOSE` (tags from
`agents.prompt_protocol`), placed after the role tag by the Coach node; the offline Coach reads it back with
`parse_context_block(text)`. `code=None` means the topic is outside the curriculum.

The payload: code, title, topic; `remaining` and `reached` ideas; `next_question` (the ladder step to work on,
with every phrasing of it, its hint and how often it was asked); `asked_step` (the step the student's question
or struggle is about); the positively detected `misconception` with its probe; `ladder_exhausted`;
`suggested_outcome`; and the whole `progress`.
"""

from __future__ import annotations

import json
from typing import Any

from agents.coach_focus import step_phrasings
from agents.coach_progress import (
    CoachProgress,
    as_point_dict,
    current_step,
    ladder_exhausted,
    suggest_outcome,
)
from agents.prompt_protocol import CONTEXT_BLOCK, CONTEXT_CLOSE, CONTEXT_OPEN


def _step_payload(data: dict[str, Any], index: int | None, progress: CoachProgress) -> dict[str, Any] | None:
    if index is None or not 0 <= index < len(data.get("ladder", [])):
        return None
    step = data["ladder"][index]
    return {"index": index, "question": step["question"], "phrasings": step_phrasings(step),
            "hint": step["hint"], "targets": step["targets"], "asked": progress.step_uses.get(str(index), 0)}


def render_context_block(code: str | None, point: Any, progress: CoachProgress, *, topic: str | None = None) -> str:
    """The context block describing where the session stands (see module docstring)."""
    data = as_point_dict(point)
    expectations = {e["id"]: e for e in data.get("expectations", [])}
    step_index = current_step(data, progress) if code else None
    mis = next((m for m in data.get("misconceptions", []) if m["id"] == progress.current_misconception), None)
    payload = {
        "code": code,
        "title": data.get("title") or _bundled_title(code),
        "topic": topic,
        "remaining": [{"id": i, "idea": e["idea"]} for i, e in expectations.items() if i not in progress.reached],
        "reached": list(progress.reached),
        "next_question": _step_payload(data, step_index, progress) if code else None,
        "asked_step": _step_payload(data, progress.question_step, progress) if code else None,
        "misconception": None if mis is None else {
            "id": mis["id"], "statement": mis["statement"], "probe": mis["probe"],
            "repeat": progress.misconception_repeat},
        "ladder_exhausted": bool(code) and ladder_exhausted(data, progress),
        "suggested_outcome": suggest_outcome(data, progress) if code else (
            "refer_to_teacher" if progress.student_turns else None),
        "progress": progress.to_dict(),
    }
    return CONTEXT_OPEN + json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + CONTEXT_CLOSE


def _bundled_title(code: str | None) -> str | None:
    """The DB `content` has no title; take it from the bundled curriculum when the code is there."""
    if not code:
        return None
    try:
        from curriculum.loader import get_curriculum  # deferred: loading YAML is only needed for this lookup

        return get_curriculum().points[code].title
    except (KeyError, OSError, ValueError):  # no bundled point (or an invalid curriculum): a turn must go on
        return None


def parse_context_block(text: str) -> dict[str, Any] | None:
    """The JSON payload of the last context block in `text`, or None if there is none or it is broken."""
    found = CONTEXT_BLOCK.findall(text or "")
    if not found:
        return None
    try:
        payload = json.loads(found[-1])
    except json.JSONDecodeError:
        return None
    return payload if isinstance(payload, dict) else None
