"""`build_graph()`: the one workflow, uncompiled. Callers compile it with the checkpointer they own."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from agents.coach import coach, coach_receive, coach_respond, coach_tools, route_after_coach
from graph.marking import add_marking_branch
from graph.planning import add_planning_branch
from graph.routers import route_request
from graph.state import GraphContext, TutorState


def build_graph() -> StateGraph:
    """The workflow: entry router → Coach branch (chat) | Marker branch (mark) | Planner branch (plan)."""
    builder = StateGraph(TutorState, context_schema=GraphContext)
    builder.add_node(coach_receive)
    builder.add_node(coach)
    builder.add_node("coach_tools", coach_tools)
    builder.add_node(coach_respond)
    add_marking_branch(builder)  # Marker → confidence gate → Reviewer → improvement plan → human review
    add_planning_branch(builder)  # the Planner's study plans

    builder.add_conditional_edges(START, route_request)
    builder.add_edge("coach_receive", "coach")
    builder.add_conditional_edges("coach", route_after_coach)
    builder.add_edge("coach_tools", "coach")
    builder.add_edge("coach_respond", END)
    return builder

