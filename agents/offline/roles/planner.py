"""The offline Planner: a study plan's rationale and activity suggestions from templates over the schedule
summary and the weakest topics in the `<plan_request>` block. It says plainly that it is the offline
planner; the schedule itself never depends on it (it is computed before any model is asked)."""

from __future__ import annotations

from typing import Any

from agents.offline.protocol import OfflineReply, OfflineRequest
from agents.offline.roles import register_role
from agents.planner_prompt import MAX_SUGGESTIONS, parse_plan_request

OFFLINE_PREFIX = "(Offline planner — written from templates, no LLM.)"

# One activity per kind of topic, cycled over the weakest topics so suggestions differ between topics.
_ACTIVITIES = (
    "Write the definitions of the key terms of {title} from memory, then check them against your notes.",
    "Draw and label the diagram for {title}, then explain in two sentences what a shift would show.",
    "Attempt one exam-style question on {title} under timed conditions and mark it against the mark scheme.",
    "Explain {title} to someone else (or the Coach) using a real-world example, then note what you missed.",
    "Write one evaluation paragraph on {title}: argument, counter-argument, and a justified conclusion.",
)


def _weakest_phrase(weakest: list[dict[str, Any]]) -> str:
    names = [f"{w.get('title', w.get('code'))} ({w.get('code')})" for w in weakest]
    if not names:
        return "your topics"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def plan_prose(data: dict[str, Any]) -> dict[str, Any]:
    """Rationale and suggestions for a plan request (deterministic)."""
    weakest = [w for w in data.get("weakest_topics") or [] if isinstance(w, dict)]
    finals = data.get("final_days") or []
    most = max(weakest, key=lambda w: (w.get("sessions", 0), -float(w.get("ef", 2.5))), default=None)
    parts = [
        OFFLINE_PREFIX,
        (f"This plan covers {data.get('topics', 0)} syllabus points over {data.get('study_days', 0)} study days "
         f"before your exam on {data.get('exam_date')}, within {data.get('hours_per_day')} hours a day."),
        (f"Your weakest topics — {_weakest_phrase(weakest)} — come first and come back most often, because "
         "spaced reviews at growing intervals (SM-2) are what make weak topics stick."),
    ]
    if most is not None and most.get("sessions"):
        parts.append(f"{most.get('title', most.get('code'))} has {most['sessions']} sessions in the plan.")
    if finals:
        parts.append(f"The last {'day is' if len(finals) == 1 else f'{len(finals)} days are'} mixed review, "
                     "ending with a practice exam.")
    suggestions = [
        {"syllabus_point": w["code"], "suggestion": _ACTIVITIES[i % len(_ACTIVITIES)].format(
            title=w.get("title") or w["code"])}
        for i, w in enumerate(weakest[:MAX_SUGGESTIONS]) if w.get("code")
    ]
    return {"rationale": " ".join(parts), "activity_suggestions": suggestions}


@register_role("planner")
def offline_planner(request: OfflineRequest) -> OfflineReply:
    """Offline Planner: template prose over the plan request; a structured request gets a tool call."""
    data = parse_plan_request(request.last_human_text)
    if data is None:
        return OfflineReply(text=(
            "I'm the offline planner and I could not find a plan request (a <plan_request> JSON block) in this "
            "message, so I have nothing to explain."))
    prose = plan_prose(data)
    tool = request.structured_tool()
    if tool is None:
        return OfflineReply(text=prose["rationale"])
    return OfflineReply(tool_calls=[{"name": tool["function"]["name"], "args": prose}])
