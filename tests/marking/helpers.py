"""Shared helpers for the marking tests: question specs from the curriculum and scripted marker replies."""

from __future__ import annotations

import uuid
from typing import Any

from langchain_core.messages import AIMessage

from agents.marker import QuestionSpec
from curriculum.loader import load_curriculum

CURRICULUM = load_curriculum()


def spec(ref: str) -> QuestionSpec:
    """A QuestionSpec for a bundled question (random id: not stored)."""
    q = CURRICULUM.question(ref)
    return QuestionSpec(id=uuid.uuid4(), ref=q.ref, kind=q.kind, text=q.text, max_marks=q.max_marks,
                        mark_scheme=q.mark_scheme.model_dump(mode="json"), syllabus_point_codes=list(q.syllabus_points))


def reference(ref: str, level: str) -> str:
    """A reference answer's text."""
    return next(r.answer for r in CURRICULUM.question(ref).reference_answers if r.level == level)


def marking_call(ao1: int, ao2: int = 0, ao3: int = 0, *, certainty: float = 0.9, feedback: str = "Good.",
                 points: list[dict[str, Any]] | None = None, call_id: str = "m1") -> AIMessage:
    """An AIMessage whose tool call is a structured `Marking` reply."""
    args = {"AO1": ao1, "AO2": ao2, "AO3": ao3, "points": points or [], "feedback": feedback,
            "certainty": certainty}
    return AIMessage(content="", tool_calls=[{"name": "Marking", "args": args, "id": call_id}])


# A list of key terms for 9708-Q3-04: names ideas without reasoning, so the offline mark stays at the lowest
# level and the answer is sent to a person (keyword_list lowers confidence; the Reviewer cannot settle it).
KEYWORD_LIST_Q3_04 = ("Negative externality: third party, cost, MSC above MPC, overproduction, welfare loss. Tax, "
                      "internalise, polluter pays, revenue. Regulation, permits. Government failure, inelastic "
                      "demand, conclusion.")
