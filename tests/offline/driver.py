"""The in-memory Coach driver lives in the package (`evals.coach_driver`) so evals need not import tests."""

from evals.coach_driver import CLOSING_TOOLS, Conversation, record_session_outcome, refer_to_teacher

__all__ = ["CLOSING_TOOLS", "Conversation", "record_session_outcome", "refer_to_teacher"]
