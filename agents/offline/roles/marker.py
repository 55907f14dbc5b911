"""The offline Marker and Reviewer: rubric-coverage marking of the `<marking_request>` block.

marker   = `agents.rubric.mark_by_rubric(method="coverage")` — point-by-point cue coverage;
reviewer = `method="levels_first"` — the same evidence read band-first and stricter, so the Reviewer's
           second marking is a differently weighted opinion, not a copy of the first.
Both answer a structured-output request with a tool call named after the requested schema (AO1/AO2/AO3,
points with evidence, feedback, certainty), and a free-text request with the feedback. The answer is marked
after `strip_marker_instructions`, so instructions aimed at the marker earn nothing.
"""

from __future__ import annotations

from agents.marker_prompt import parse_marking_request
from agents.offline.protocol import OfflineReply, OfflineRequest
from agents.offline.roles import register_role
from agents.rubric import (
    RubricMethod,
    evidence_for,
    mark_by_rubric,
    offline_certainty,
    parse_scheme,
    rubric_feedback,
)


def rubric_reply(request: OfflineRequest, method: RubricMethod) -> OfflineReply:
    """Mark the request's answer by rubric coverage and reply in the shape the caller asked for."""
    data = parse_marking_request(request.last_human_text)
    if data is None:
        return OfflineReply(text=(
            "I'm the offline marker and I could not find a marking request (a <marking_request> JSON block "
            "with mark_scheme and answer) in this message, so I cannot mark it."))
    try:
        scheme = parse_scheme(data["mark_scheme"])
    except Exception as exc:  # noqa: BLE001 — a malformed scheme is reported, never guessed at
        return OfflineReply(text=f"I'm the offline marker and the mark scheme in the request is invalid: {exc}")
    answer = str(data.get("answer") or "")
    marking = mark_by_rubric(scheme, answer, method=method)
    feedback = rubric_feedback(marking)
    tool = request.structured_tool()
    if tool is None:
        return OfflineReply(text=feedback)
    cues = {point.id: point.cues for point in scheme.points}
    args = {
        **marking.ao_marks,
        "points": [
            {"point_id": p.id, "credited": p.credited,
             "evidence": evidence_for(answer, cues[p.id]) if p.credited else ""}
            for p in marking.points
        ],
        "feedback": feedback,
        "certainty": offline_certainty(marking),
    }
    return OfflineReply(tool_calls=[{"name": tool["function"]["name"], "args": args}])


@register_role("marker")
def offline_marker(request: OfflineRequest) -> OfflineReply:
    """Offline Marker: point-by-point rubric coverage."""
    return rubric_reply(request, "coverage")
