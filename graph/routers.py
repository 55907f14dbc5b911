"""Routers: typed with `Literal`, and they raise on anything unexpected instead of guessing."""

from __future__ import annotations

from typing import Literal

from graph.state import TutorState


def route_request(state: TutorState) -> Literal["coach_receive", "mark_entry", "plan_entry"]:
    """Entry: a chat turn goes to the Coach, an attempt to the Marker, a plan request to the Planner."""
    kind = state.get("kind")
    if kind == "chat":
        return "coach_receive"
    if kind == "mark":
        return "mark_entry"
    if kind == "plan":
        return "plan_entry"
    raise ValueError(f"unknown request kind {kind!r}; expected chat, mark or plan")
