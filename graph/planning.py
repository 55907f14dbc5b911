"""The planning branch: plan_entry → [plan_note] → plan_save → END.

Input: `{"kind": "plan", "results": {"plan_request": PlanRequest.to_state(), "with_note": bool}}` with the
student in the runtime context (the API checks who may plan for whom). Thread id: `plan:<uuid4>`.
`plan_entry` builds the deterministic SM-2 schedule; `plan_note` asks the Planner model for a rationale and
activity suggestions (skipped when `with_note` is false); `plan_save` stores the plan and reports
`results.study_plan_id`.
"""

from __future__ import annotations

from langgraph.graph import END, StateGraph

from agents.planner import plan_entry, plan_note, plan_save
from graph.routers import route_planning_after_entry


def add_planning_branch(builder: StateGraph) -> None:
    """Add the Planner's nodes and edges (entry node `plan_entry`, reached by kind "plan")."""
    builder.add_node(plan_entry)
    builder.add_node(plan_note)
    builder.add_node(plan_save)
    builder.add_conditional_edges("plan_entry", route_planning_after_entry)
    builder.add_edge("plan_note", "plan_save")
    builder.add_edge("plan_save", END)
