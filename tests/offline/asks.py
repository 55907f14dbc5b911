"""Test helper: a Coach reply asks exactly one guiding question (the reply guard's own count)."""

from __future__ import annotations

from typing import Any

from agents.guard import question_count


def asks_one_question(reply: str, point: dict[str, Any] | None) -> bool:
    """True when the reply asks exactly one question (a vetted two-part curriculum question counts once)."""
    return question_count(reply, point) == 1
