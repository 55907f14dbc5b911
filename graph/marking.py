"""The marking branch: mark_entry → marker → confidence_gate → [reviewer] → improvement_plan → [human_review…] → END.

Only the wiring lives here: the nodes are the Marker's (`agents.marker_nodes`) and the Reviewer's
(`agents.reviewer`), the routers are in `graph.routers`. The thread id is the attempt id. `human_review` runs
once per answer the Reviewer could not settle (`Send`), and each pauses with `interrupt()`; the API resumes
one of them with `Command(resume={interrupt_id: decision})`.
"""

from __future__ import annotations

from langgraph.graph import END, StateGraph

from agents.marker_nodes import confidence_gate, improvement_plan, mark_entry, marker
from agents.reviewer import human_review, reviewer
from graph.routers import route_marking_after_gate, route_marking_after_plan


def add_marking_branch(builder: StateGraph) -> None:
    """Add the marking nodes and every edge from `mark_entry` to END."""
    builder.add_node(mark_entry)
    builder.add_node(marker)
    builder.add_node(confidence_gate)
    builder.add_node(reviewer)
    builder.add_node(improvement_plan)
    builder.add_node(human_review)
    builder.add_edge("mark_entry", "marker")
    builder.add_edge("marker", "confidence_gate")
    builder.add_conditional_edges("confidence_gate", route_marking_after_gate)
    builder.add_edge("reviewer", "improvement_plan")
    builder.add_conditional_edges("improvement_plan", route_marking_after_plan, ["human_review", END])
    builder.add_edge("human_review", END)
