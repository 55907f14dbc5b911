"""The Reviewer: an independent second marking of every low-confidence answer, then a human when needed.

`reviewer` (node) re-marks each flagged answer with the Reviewer's own prompt (level-descriptor first) — or,
offline, the band-first rubric reading. When the two markings agree within the tolerance (total and every AO)
and the confidence recomputed from both is at least the threshold, the first mark stands: it is recorded as
reviewed by the Reviewer agent in `marking_feedback.review` and `needs_review` is cleared. Otherwise the
second marking is stored beside the first and a `ReviewRequest` is queued for a person.

`human_review` (node, one per queued answer via `Send`) pauses with `interrupt(ReviewRequest)`. Nothing is
written before the pause. On resume it validates the decision (`ReviewDecision`: marks 0..max) — an invalid
one pauses again with the error — then stores it (`reviewed_by`, `reviewed_at`, `needs_review` cleared),
updates the analytics, the attempt's totals and its improvement plan.
"""

from __future__ import annotations

import uuid
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import BaseModel, Field, ValidationError

from agents.improvement import refresh_attempt_and_plan
from agents.llm import get_chat_model
from agents.marker import AnswerMarking, MarkingSettings, QuestionSpec, mark_answer
from agents.state import GraphContext, TutorState
from db import clock
from db.repo.attempts import add_feedback_entry, get_answer, list_answers_with_questions, record_review
from db.repo.usage import record_llm_call
from tools.confidence import ConfidenceSignals, forced_review, needs_review, score
from tools.feedback import on_answer_marked

REVIEWER_AGENT = "reviewer-agent"


class ReviewQuestion(BaseModel):
    """The question as the human reviewer sees it."""

    id: uuid.UUID
    ref: str
    text: str
    max_marks: int
    ao_marks: dict[str, int]
    syllabus_point_codes: list[str]


class ReviewRequest(BaseModel):
    """The `interrupt()` payload: what a person needs to decide one mark."""

    kind: str = "review_request"
    attempted_question_id: uuid.UUID
    attempt_id: uuid.UUID
    student_id: uuid.UUID
    question: ReviewQuestion
    answer: str
    first_marking: dict[str, Any]
    second_marking: dict[str, Any]
    confidence: int
    why: list[str]
    error: str | None = None  # set when a previous decision was rejected


class ReviewDecision(BaseModel):
    """A person's decision, as passed to `Command(resume=...)`."""

    marks_awarded: int = Field(ge=0)
    feedback: str | None = Field(default=None, max_length=4000)
    reviewer_id: uuid.UUID


def agreement(first: AnswerMarking, second: AnswerMarking, tolerance: int) -> bool:
    """True when the totals and every AO are within `tolerance` marks."""
    return abs(first.total - second.total) <= tolerance and all(
        abs(first.ao_marks[ao] - second.ao_marks[ao]) <= tolerance for ao in first.ao_marks)


def second_confidence(first: AnswerMarking, second: AnswerMarking, max_marks: int,
                      gate_signals: dict[str, Any] | None = None) -> int:
    """Confidence once both markings are in: the gate's evidence with the Reviewer's marking as the second
    reading (an instruction to the marker or another forcing anomaly still forces a human)."""
    gate_signals = gate_signals or {}
    points = first.rubric.get("points", [])
    independent, levels = float(second.total), gate_signals.get("levels_total")
    if (second.offline or second.fallback) and gate_signals.get("second_total") is not None:
        # the offline Reviewer is the descriptor-first rubric reading the gate already weighed: it stands in
        # for that reading, and the gate's independent reading (nearest marked answers) is kept, so a second
        # look from the same cues cannot talk the gate out of a disagreement it saw
        independent, levels = float(gate_signals["second_total"]), float(second.total)
    return score(ConfidenceSignals(
        marker_total=first.total, second_total=min(float(max_marks), independent), max_marks=max_marks,
        marker_certainty=(first.certainty + second.certainty) / 2, boundary_distance=first.boundary_distance,
        anomalies=tuple(first.anomalies), offline=first.offline or first.fallback or second.offline or second.fallback,
        levels_total=levels, support=float(gate_signals.get("support", 0.0) or 0.0),
        soft_credits=sum(1 for p in points if p.get("how") in ("relaxed", "similar")),
        keyword_list=bool(first.rubric.get("reading", {}).get("keyword_list")),
        define=bool(gate_signals.get("define", False)),
    ))


def review_outcome(first: AnswerMarking, second: AnswerMarking, question: QuestionSpec, answer: str,
                   gate_signals: dict[str, Any]) -> dict[str, Any]:
    """The Reviewer's verdict on one flagged answer: settled (the first mark stands) or for a person, and why.

    Settled when the two markings agree within the tolerance (total and every AO), the confidence recomputed
    with the Reviewer's marking reaches the threshold, and no anomaly forces a person.
    """
    settings = MarkingSettings()
    agree = agreement(first, second, settings.review_tolerance)
    after = second_confidence(first, second, question.max_marks, {**gate_signals, "define": question.kind == "define"})
    forced = forced_review(first.anomalies)
    settled = agree and not forced and not needs_review(after, settings.review_threshold)
    why = [] if settled else [*gate_signals.get("why", []),
                              *_review_reasons(first, second, agree, after, settings.review_threshold)]
    return {"settled": settled, "agree": agree, "confidence_after": after, "why": why}


def _review_reasons(first: AnswerMarking, second: AnswerMarking, agree: bool, after: int, threshold: int) -> list[str]:
    reasons = []
    if not agree:
        reasons.append(f"the Reviewer's second marking gave {second.total}/{second.max_marks} ({second.ao_marks}); "
                       f"the first gave {first.total}/{first.max_marks} ({first.ao_marks})")
    if after < threshold:
        reasons.append(f"confidence after the second marking is {after}")
    if first.capped_by_rubric:
        reasons.append("the answer contains an instruction aimed at the marker; its marks were capped")
    return reasons


async def reviewer(state: TutorState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Second-mark each low-confidence answer; settle those that agree, queue the rest for a person."""
    ctx = runtime.context
    results = state.get("results") or {}
    flagged = set(results.get("to_review") or [])
    factory = ctx.model_factory or get_chat_model
    now = clock.now()
    pending: list[dict[str, Any]] = []
    settled: list[str] = []
    async with ctx.sessionmaker() as db:
        rows = [(aq, q) for aq, q in await list_answers_with_questions(db, attempt_id=ctx.attempt_id)
                if str(aq.id) in flagged]
    for aq, question in rows:
        spec = QuestionSpec.of(question)
        first = AnswerMarking.model_validate(results["markings"][str(aq.id)])
        second = await mark_answer(factory("reviewer"), spec, aq.answer, role="reviewer")
        gate_signals = (aq.marking_feedback or {}).get("confidence") or {}
        outcome = review_outcome(first, second, spec, aq.answer, gate_signals)
        after = outcome["confidence_after"]
        before = int(results["gate"][str(aq.id)]["confidence"])
        async with ctx.sessionmaker() as db:
            if not second.fallback:
                await record_llm_call(db, agent="reviewer", model=second.model, offline=second.offline,
                                      thread_id=str(ctx.attempt_id), **second.usage)
            if outcome["settled"]:
                review = {"by": REVIEWER_AGENT, "at": now.isoformat(), "marks_awarded": first.total,
                          "second_marking": second.model_dump(mode="json"), "confidence_before": before,
                          "confidence_after": after}
                await record_review(db, attempted_question_id=aq.id, marks_awarded=first.total,
                                    max_marks=question.max_marks, review=review, confidence_score=after,
                                    reviewed_by=None, reviewed_at=None)
                settled.append(str(aq.id))
            else:
                await add_feedback_entry(db, attempted_question_id=aq.id, key="second_marking",
                                         value=second.model_dump(mode="json"))
                await add_feedback_entry(db, attempted_question_id=aq.id, key="why", value=outcome["why"])
                pending.append(ReviewRequest(
                    attempted_question_id=aq.id, attempt_id=aq.attempt_id, student_id=ctx.student_id,
                    question=ReviewQuestion(id=question.id, ref=question.ref, text=question.text,
                                            max_marks=question.max_marks, ao_marks=spec.ao_max,
                                            syllabus_point_codes=list(question.syllabus_point_codes)),
                    answer=aq.answer, first_marking=first.model_dump(mode="json"),
                    second_marking=second.model_dump(mode="json"), confidence=before,
                    why=outcome["why"],
                ).model_dump(mode="json"))
            await db.commit()
    return {"results": {"pending_reviews": pending, "settled_by_reviewer": settled}}


def _decide(request: ReviewRequest) -> ReviewDecision:
    """Pause until a valid decision arrives (an invalid one re-asks with the reason). No side effects here."""
    payload = request.model_dump(mode="json")
    while True:
        raw = interrupt(payload)
        try:
            decision = ReviewDecision.model_validate(raw)
        except ValidationError as exc:
            payload = {**request.model_dump(mode="json"), "error": f"invalid decision: {exc.errors()[0]['msg']}"}
            continue
        if decision.marks_awarded > request.question.max_marks:
            payload = {**request.model_dump(mode="json"),
                       "error": f"marks_awarded must be within 0..{request.question.max_marks}"}
            continue
        return decision


def split_total(ao_marks: dict[str, int], ao_max: dict[str, int], total: int) -> dict[str, int]:
    """Spread a reviewer's total over the AOs, starting from the marker's split: marks are added where the
    most remain available and removed where the most were given (deterministic; ties go to AO1 first)."""
    split = {ao: min(int(ao_marks.get(ao, 0)), int(ao_max.get(ao, 0))) for ao in ao_max}
    total = max(0, min(total, sum(ao_max.values())))
    while sum(split.values()) < total:
        ao = max(ao_max, key=lambda a: (ao_max[a] - split[a], -int(a[-1])))
        split[ao] += 1
    while sum(split.values()) > total:
        ao = max(ao_max, key=lambda a: (split[a], -int(a[-1])))
        split[ao] -= 1
    return split


async def human_review(request_payload: dict[str, Any], runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Pause for a person's decision on one answer, then store it and update totals, analytics and the plan."""
    ctx = runtime.context
    request = ReviewRequest.model_validate(request_payload)
    decision = _decide(request)
    now = clock.now()
    first = request.first_marking
    review = {
        "by": "human", "reviewer_id": str(decision.reviewer_id), "at": now.isoformat(),
        "marks_awarded": decision.marks_awarded, "feedback": decision.feedback,
        "previous_marks": first.get("total"),
        "ao_marks": split_total(first.get("ao_marks", {}), request.question.ao_marks, decision.marks_awarded),
        "ao_marks_estimated": decision.marks_awarded != first.get("total"),
    }
    async with ctx.sessionmaker() as db:
        aq = await get_answer(db, attempted_question_id=request.attempted_question_id)
        if aq is None:  # deleted meanwhile (the student's data was removed): nothing left to record
            return {}
        await record_review(db, attempted_question_id=aq.id, marks_awarded=decision.marks_awarded,
                            max_marks=request.question.max_marks, review=review, confidence_score=None,
                            reviewed_by=decision.reviewer_id, reviewed_at=now)
        await on_answer_marked(
            db, attempted_question_id=aq.id, student_id=request.student_id, question_id=request.question.id,
            marks_awarded=decision.marks_awarded, max_marks=request.question.max_marks,
            syllabus_point_codes=request.question.syllabus_point_codes,
            marked_at=now, manually_scored=True, scorer_id=str(decision.reviewer_id),
        )
        await refresh_attempt_and_plan(db, attempt_id=request.attempt_id)
        await db.commit()
    return {}

