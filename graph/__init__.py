"""The LangGraph workflow: state, `build_graph()` (uncompiled), routers, checkpointer runtime."""

from graph.build import build_graph

__all__ = ["build_graph"]
