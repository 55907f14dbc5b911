"""The LangGraph workflow: `build_graph()` (uncompiled) in `graph.build`, routers, checkpointer runtime."""
