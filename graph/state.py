"""The workflow's state and runtime context. Defined in `agents.state` (agents may not import `graph`);
re-exported here because the graph is where readers look for them."""

from agents.state import GraphContext, RequestKind, TutorState

__all__ = ["GraphContext", "RequestKind", "TutorState"]
