"""Improvement plans from marked answers: weaknesses keyed AO1/AO2/AO3 and the action items that address them.

Deterministic (no LLM): for every answer and AO where the student lost at least a quarter of the AO's marks,
a weakness example quotes the student's own words next to the indicative points they missed; examples are
grouped into one weakness per AO, whose severity is the worst share of marks lost:
  lost >= 60% -> high, >= 30% -> medium, else low.
Each weakness gets one action item (due in 3 / 5 / 7 days for high / medium / low), with resources that point
at the Coach on the weak syllabus points and at practice questions on the same points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from agents.rubric import evidence_for
from db import clock

CATEGORIES = {
    "AO1": "Imprecise or missing knowledge and definitions",
    "AO2": "Weak application and analysis",
    "AO3": "Limited evaluation",
}
_ACTIONS = {
    "AO1": "Write precise definitions of the key terms of {topics}, then test yourself on them; make sure you "
           "can state: {missing}",
    "AO2": "Practise explaining the chain of cause and effect, step by step and with a labelled diagram, for "
           "{topics}; cover: {missing}",
    "AO3": "Practise evaluation paragraphs on {topics}: argument, counter-argument, what it depends on, and a "
           "supported conclusion; include: {missing}",
}
_DUE_DAYS = {"high": 3, "medium": 5, "low": 7}
_SEVERITY_ORDER = {"low": 0, "medium": 1, "high": 2}
WEAKNESS_SHARE = 0.25


@dataclass(frozen=True)
class MarkedAnswer:
    """What the builder needs about one marked answer."""

    question_ref: str
    syllabus_points: list[str]
    answer: str
    ao_max: dict[str, int]
    ao_marks: dict[str, int]
    # indicative points not credited: {"ao", "description", "cues"}
    missing: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class PlanResources:
    """Where action items point: syllabus point titles (for the Coach) and practice questions per point."""

    point_titles: dict[str, str] = field(default_factory=dict)
    practice_refs: dict[str, list[str]] = field(default_factory=dict)


def severity_for(lost_share: float) -> str:
    """low / medium / high from the share of an AO's marks lost."""
    return "high" if lost_share >= 0.6 else "medium" if lost_share >= 0.3 else "low"


def _quote(answer: MarkedAnswer, missing: list[dict[str, Any]]) -> str:
    text = (answer.answer or "").strip()
    if not text:
        return "(no answer written)"
    quote = ""
    for point in missing:
        quote = evidence_for(text, point.get("cues") or [], limit=140)
        if quote:
            break
    if not quote:
        first = text.split(".")[0].strip() or text
        quote = first if len(first) <= 140 else first[:139].rstrip() + "…"
    return quote


def _example(answer: MarkedAnswer, ao: str, missing: list[dict[str, Any]]) -> str:
    lost = answer.ao_max[ao] - answer.ao_marks.get(ao, 0)
    missed = "; ".join(p["description"] for p in missing[:3]) or "the higher level descriptors"
    return (f"{answer.question_ref}: wrote \"{_quote(answer, missing)}\" ({ao} {answer.ao_marks.get(ao, 0)}/"
            f"{answer.ao_max[ao]}, {lost} lost) — missing: {missed}")


def build_weaknesses(answers: list[MarkedAnswer]) -> dict[str, list[dict[str, Any]]]:
    """Weaknesses keyed exactly AO1/AO2/AO3 (an AO with no weakness has an empty list)."""
    weaknesses: dict[str, list[dict[str, Any]]] = {"AO1": [], "AO2": [], "AO3": []}
    for ao, found in weaknesses.items():
        examples, codes, worst = [], [], None
        for answer in answers:
            top = answer.ao_max.get(ao, 0)
            if top <= 0:
                continue
            share = (top - answer.ao_marks.get(ao, 0)) / top
            if share < WEAKNESS_SHARE:
                continue
            missing = [p for p in answer.missing if p.get("ao") == ao]
            examples.append(_example(answer, ao, missing))
            codes.extend(c for c in answer.syllabus_points if c not in codes)
            severity = severity_for(share)
            if worst is None or _SEVERITY_ORDER[severity] > _SEVERITY_ORDER[worst]:
                worst = severity
        if examples:
            found.append({"category": CATEGORIES[ao], "examples": examples, "severity": worst,
                                   "syllabus_points": codes})
    return weaknesses


def build_action_items(
    weaknesses: dict[str, list[dict[str, Any]]], answers: list[MarkedAnswer], resources: PlanResources,
    *, today: date,
) -> list[dict[str, Any]]:
    """One action item per weakness, ids `action-1`, `action-2`, … in AO order."""
    items: list[dict[str, Any]] = []
    attempted = {a.question_ref for a in answers}
    for ao in ("AO1", "AO2", "AO3"):
        for weakness in weaknesses[ao]:
            codes = weakness["syllabus_points"]
            topics = ", ".join(f"{resources.point_titles.get(c, c)} ({c})" for c in codes) or "this topic"
            missing = [p["description"] for a in answers for p in a.missing if p.get("ao") == ao]
            unique_missing = list(dict.fromkeys(missing))[:3]
            practice = [ref for c in codes for ref in resources.practice_refs.get(c, []) if ref not in attempted]
            links = [f"Coach Agent: {c} {resources.point_titles.get(c, '')}".rstrip() for c in codes]
            links += [f"Practice: question {ref}" for ref in list(dict.fromkeys(practice))[:3]]
            items.append({
                "id": f"action-{len(items) + 1}",
                "action": _ACTIONS[ao].format(topics=topics, missing="; ".join(unique_missing) or "the mark "
                                              "scheme's points"),
                "target_weakness": f"{ao} - {weakness['category']}",
                "due_date": (today + timedelta(days=_DUE_DAYS[weakness["severity"]])).isoformat(),
                "completed": False,
                "resources": links,
            })
    return items


def build_improvement_plan(
    answers: list[MarkedAnswer], resources: PlanResources, *, today: date
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """(weaknesses, action_items) for an attempt's marked answers."""
    weaknesses = build_weaknesses(answers)
    return weaknesses, build_action_items(weaknesses, answers, resources, today=today)


def _marked_answer(aq: Any, question: Any) -> MarkedAnswer:
    """A stored answer as the builder sees it: a person's review overrides the marker's per-AO split."""
    from agents.rubric import parse_scheme

    feedback = aq.marking_feedback or {}
    scheme = parse_scheme(question.mark_scheme)
    ao_max = {ao: scheme.ao_marks.get(ao) for ao in ("AO1", "AO2", "AO3")}
    review = feedback.get("review") or {}
    ao_marks = review.get("ao_marks") or feedback.get("ao_marks") or {ao: 0 for ao in ao_max}
    cues = {p.id: p.cues for p in scheme.points}
    missing = [{**p, "cues": cues.get(p.get("point_id"), [])} for p in feedback.get("missing", [])]
    return MarkedAnswer(question_ref=question.ref, syllabus_points=list(question.syllabus_point_codes),
                        answer=aq.answer, ao_max=ao_max, ao_marks=ao_marks, missing=missing)


async def refresh_attempt_and_plan(db: Any, *, attempt_id: Any, today: date | None = None) -> Any:
    """Recompute the attempt's totals and status, then build (or rebuild, keeping progress) its improvement
    plan and mirror it into the analytics (`tools.feedback.on_improvement_plan`). Returns the plan id, or
    None while some answer is still unmarked. The caller commits."""

    from db.repo.attempts import list_answers_with_questions, refresh_attempt_totals
    from db.repo.improvement_plans import plan_resources, save_plan_for_attempt
    from tools.feedback import on_improvement_plan

    now = clock.now()
    attempt = await refresh_attempt_totals(db, attempt_id=attempt_id, marked_at=now)
    if attempt.status == "marking":
        return None
    rows = await list_answers_with_questions(db, attempt_id=attempt_id)
    answers = [_marked_answer(aq, q) for aq, q in rows]
    codes = list(dict.fromkeys(code for a in answers for code in a.syllabus_points))
    titles, practice = await plan_resources(db, subject_id=attempt.subject_id, codes=codes)
    weaknesses, actions = build_improvement_plan(answers, PlanResources(titles, practice),
                                                 today=today or now.date())
    plan = await save_plan_for_attempt(db, student_id=attempt.student_id, attempt_id=attempt.id,
                                       weaknesses=weaknesses, action_items=actions)
    await on_improvement_plan(db, plan_id=plan.id)
    return plan.id
