"""The Marker's graph nodes: load the attempt, mark every answer, gate each mark, build the improvement plan.

`graph.marking` only wires them (mark_entry → marker → confidence_gate → [reviewer] → improvement_plan →
[human_review…]); the Reviewer's nodes are in `agents.reviewer`, the routers in `graph.routers`. Answers are
stored by the caller before the run (`api.services.marking`), so nothing a student wrote is lost if a model
fails; the gate computes each answer's confidence and "why queued" reasons once and stores them.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from langgraph.runtime import Runtime

from agents.improvement import refresh_attempt_and_plan
from agents.llm import get_chat_model
from agents.marker import AnswerMarking, MarkingSettings, QuestionSpec, feedback_record, gate, mark_answer
from agents.state import GraphContext, TutorState
from db import clock
from db.repo.attempts import get_attempt, list_answers_with_questions, record_marking
from db.repo.usage import record_llm_call
from tools.feedback import on_answer_marked


def _attempt_id(runtime: Runtime[GraphContext]) -> uuid.UUID:
    if runtime.context.attempt_id is None:
        raise ValueError("attempt_id: a marking run needs the attempt id in the runtime context")
    return runtime.context.attempt_id


async def mark_entry(state: TutorState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Check the stored attempt belongs to the student in the context and list its answers."""
    ctx = runtime.context
    attempt_id = _attempt_id(runtime)
    async with ctx.sessionmaker() as db:
        attempt = await get_attempt(db, attempt_id=attempt_id)
        if attempt is None or attempt.student_id != ctx.student_id:
            raise ValueError(f"attempt_id: attempt {attempt_id} does not exist for this student")
        rows = await list_answers_with_questions(db, attempt_id=attempt_id)
    if not rows:
        raise ValueError(f"attempt_id: attempt {attempt_id} has no answers to mark")
    return {"results": {"attempt_id": str(attempt_id), "answer_ids": [str(aq.id) for aq, _ in rows]}}


async def marker(state: TutorState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """The Marker: mark every answer (bounded concurrency) and record each model call's token usage."""
    ctx = runtime.context
    settings = MarkingSettings()
    factory = ctx.model_factory or get_chat_model
    async with ctx.sessionmaker() as db:
        rows = await list_answers_with_questions(db, attempt_id=_attempt_id(runtime))
    slots = asyncio.Semaphore(settings.marking_concurrency)

    async def one(answer: str, spec: QuestionSpec) -> AnswerMarking:
        async with slots:
            return await mark_answer(factory("marker"), spec, answer, role="marker")

    markings = await asyncio.gather(*(one(aq.answer, QuestionSpec.of(q)) for aq, q in rows))
    async with ctx.sessionmaker() as db:
        for marking in markings:
            if not marking.fallback:
                await record_llm_call(db, agent="marker", model=marking.model, offline=marking.offline,
                                      thread_id=str(_attempt_id(runtime)), **marking.usage)
        await db.commit()
    return {"results": {"markings": {str(aq.id): m.model_dump(mode="json") for (aq, _), m in zip(rows, markings)}}}


async def confidence_gate(state: TutorState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Score each marking's confidence, store mark + feedback + verdict, and feed the analytics bridge."""
    ctx = runtime.context
    threshold = MarkingSettings().review_threshold
    markings = state.get("results", {}).get("markings", {})
    now = clock.now()
    verdicts: dict[str, dict[str, Any]] = {}
    async with ctx.sessionmaker() as db:
        for aq, question in await list_answers_with_questions(db, attempt_id=_attempt_id(runtime)):
            marking = AnswerMarking.model_validate(markings[str(aq.id)])
            spec = QuestionSpec.of(question)
            confidence, flagged, signals = gate(spec, aq.answer, marking, threshold=threshold)
            await record_marking(db, attempted_question_id=aq.id, marks_awarded=marking.total,
                                 max_marks=question.max_marks, marking_feedback=feedback_record(marking, signals),
                                 confidence_score=confidence, needs_review=flagged, marked_at=now)
            await on_answer_marked(
                db, attempted_question_id=aq.id, student_id=ctx.student_id, question_id=question.id,
                marks_awarded=marking.total, max_marks=question.max_marks,
                syllabus_point_codes=list(question.syllabus_point_codes), marked_at=now, manually_scored=False,
                scorer_id=None,  # the bridge names the AI marker itself
            )
            verdicts[str(aq.id)] = {"confidence": confidence, "needs_review": flagged}
        await db.commit()
    return {"results": {"gate": verdicts, "to_review": [k for k, v in verdicts.items() if v["needs_review"]]}}


async def improvement_plan(state: TutorState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Totals, the attempt's status and its improvement plan (the Planner's part of marking)."""
    ctx = runtime.context
    async with ctx.sessionmaker() as db:
        plan_id = await refresh_attempt_and_plan(db, attempt_id=_attempt_id(runtime))
        await db.commit()
    return {"results": {"improvement_plan_id": str(plan_id) if plan_id else None}}
