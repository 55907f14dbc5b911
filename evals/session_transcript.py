"""The transcript the evals score: coach/student entries plus what is known about the session.

A `Transcript` comes from the database (`evals.sources`), a JSONL file, the API, or a scenario run. It is
validated once, here, so every scorer can trust it: entries are `{role: student|coach, content, timestamp?}`
(timestamp ISO-8601 when given), the outcome is one of the seed's four values, and the syllabus point, when
named, exists in the bundled curriculum. Bad input raises `TranscriptError` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

OUTCOMES = ("in_progress", "resolved", "needs_more_help", "refer_to_teacher")
ROLES = ("student", "coach")
MAX_ENTRIES = 1000


class TranscriptError(ValueError):
    """A transcript (or one of its fields) is malformed; `field` names where."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Transcript:
    """One coaching conversation to score."""

    entries: tuple[dict[str, Any], ...]
    syllabus_point: str | None = None
    outcome: str | None = None
    id: str | None = None
    student_id: str | None = None
    topic: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def coach_turns(self) -> list[int]:
        """Indexes of the coach's entries."""
        return [i for i, e in enumerate(self.entries) if e["role"] == "coach"]

    @property
    def student_texts(self) -> list[str]:
        """What the student wrote, in order."""
        return [e["content"] for e in self.entries if e["role"] == "student"]


def point_for(code: str | None) -> dict[str, Any] | None:
    """The syllabus point `code` from the bundled curriculum as a plain dict (with code and title), or None."""
    if not code:
        return None
    from curriculum.loader import get_curriculum  # deferred: YAML loading only when a point is needed

    point = get_curriculum().points.get(code)
    return point.model_dump() if point is not None else None


def _check_entry(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise TranscriptError("expected an object {role, content, timestamp}", field=where)
    role = raw.get("role")
    if role not in ROLES:
        raise TranscriptError(f"expected 'student' or 'coach', got {role!r}", field=f"{where}.role")
    content = raw.get("content")
    if not isinstance(content, str):
        raise TranscriptError("expected a string", field=f"{where}.content")
    entry = {"role": role, "content": content}
    stamp = raw.get("timestamp")
    if stamp is not None:
        try:
            datetime.fromisoformat(str(stamp))
        except ValueError:
            raise TranscriptError(f"not an ISO-8601 timestamp: {stamp!r}", field=f"{where}.timestamp") from None
        entry["timestamp"] = str(stamp)
    return entry


def build_transcript(entries: Any, *, syllabus_point: str | None = None, outcome: str | None = None,
                     id: str | None = None, student_id: str | None = None, topic: str | None = None,
                     field_prefix: str = "", meta: dict[str, Any] | None = None) -> Transcript:
    """Validate and build a `Transcript`; `field_prefix` is prepended to field names in errors."""
    name = f"{field_prefix}transcript"
    if not isinstance(entries, list) or not entries:
        raise TranscriptError("expected a non-empty list of entries", field=name)
    if len(entries) > MAX_ENTRIES:
        raise TranscriptError(f"has {len(entries)} entries; the limit is {MAX_ENTRIES}", field=name)
    checked = tuple(_check_entry(raw, f"{name}[{i}]") for i, raw in enumerate(entries))
    if not any(e["role"] == "coach" for e in checked):
        raise TranscriptError("has no coach entry, so there is nothing to score", field=name)
    if outcome is not None and outcome not in OUTCOMES:
        raise TranscriptError(f"expected one of {', '.join(OUTCOMES)}, got {outcome!r}",
                              field=f"{field_prefix}outcome")
    if syllabus_point is not None and point_for(syllabus_point) is None:
        raise TranscriptError(f"unknown syllabus point {syllabus_point!r}", field=f"{field_prefix}syllabus_point")
    return Transcript(entries=checked, syllabus_point=syllabus_point, outcome=outcome, id=id,
                      student_id=student_id, topic=topic, meta=dict(meta or {}))


def transcript_from_mapping(data: Any, *, field_prefix: str = "") -> Transcript:
    """A transcript from a JSON object: `{"transcript" | "session_transcript": [...], "syllabus_point"?,
    "outcome"?, "id"?, "student_id"?, "topic"?}`."""
    if not isinstance(data, dict):
        raise TranscriptError("expected a JSON object", field=field_prefix.rstrip(".") or "body")
    entries = data.get("transcript", data.get("session_transcript"))
    code = data.get("syllabus_point", data.get("syllabus_point_code"))
    for key, value in (("syllabus_point", code), ("id", data.get("id")), ("topic", data.get("topic"))):
        if value is not None and not isinstance(value, str):
            raise TranscriptError("expected a string", field=f"{field_prefix}{key}")
    return build_transcript(entries, syllabus_point=code, outcome=data.get("outcome"),
                            id=data.get("id"), student_id=_opt_str(data.get("student_id")),
                            topic=data.get("topic"), field_prefix=field_prefix)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)
