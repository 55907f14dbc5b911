"""Every router of the graph, named after the plan it follows; typed with `Literal`, and they raise on
anything unexpected instead of guessing.

- `route_request`: the entry, by request kind (chat → Coach, mark → Marker, plan → Planner);
- `route_marking_after_gate`, `route_marking_after_plan`: the marking plan (gate → Reviewer or plan;
  plan → one `human_review` per unsettled answer, or END);
- `route_planning_after_entry`: the planning plan (schedule → prose or straight to save).
The Coach's tool loop router (`agents.coach.route_after_coach`) stays beside the Coach's nodes while the
Coach is being rebuilt (issue 11); it is the one router not yet here.
"""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END
from langgraph.types import Send

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


def route_marking_after_gate(state: TutorState) -> Literal["reviewer", "improvement_plan"]:
    """Low-confidence answers go to the Reviewer; otherwise straight to the improvement plan."""
    results = state.get("results") or {}
    if "gate" not in results:
        raise ValueError("route_marking_after_gate: the confidence gate has not run")
    return "reviewer" if results.get("to_review") else "improvement_plan"


def route_marking_after_plan(state: TutorState) -> list[Send] | Literal["__end__"]:
    """One `human_review` per answer the Reviewer could not settle; END when there is none."""
    results = state.get("results") or {}
    if "improvement_plan_id" not in results:
        raise ValueError("route_marking_after_plan: the improvement plan has not been built")
    pending = results.get("pending_reviews") or []
    if not isinstance(pending, list):
        raise ValueError(f"route_marking_after_plan: pending_reviews must be a list, not {type(pending).__name__}")
    return [Send("human_review", request) for request in pending] or END


def route_planning_after_entry(state: TutorState) -> Literal["plan_note", "plan_save"]:
    """With a drafted schedule: to the model for prose, unless the request asked for none."""
    results = state.get("results") or {}
    if not isinstance(results.get("plan_draft"), dict):
        raise ValueError("plan_entry produced no plan_draft")
    with_note = results.get("with_note", True)
    if with_note is True:
        return "plan_note"
    if with_note is False:
        return "plan_save"
    raise ValueError(f"with_note must be true or false, got {with_note!r}")
