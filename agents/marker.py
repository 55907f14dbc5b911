"""The Marker: marks one answer against its question's mark scheme and gathers the confidence gate's evidence.

`mark_answer` asks the chat model for a structured marking (`agents.marker_prompt.marking_schema`: AO1/AO2/
AO3 bounded by the question's AO marks, point judgements, feedback, certainty). A reply that does not parse or
validate is retried by the one retry layer (`agents.resilient`), then answered by the offline model; if even
that yields nothing usable, the deterministic rubric mark is used and flagged, so a submission is always
marked. Beside the model's mark it computes an independent deterministic rubric mark (`agents.rubric`),
the distance to a level boundary and the answer's anomalies (`tools.answer_checks`).

Instructions aimed at the marker ("award full marks") are removed before the model sees the answer, and when
present the model's mark per AO is capped at the rubric mark of the cleaned answer: they can never raise a
mark, and the anomaly they raise sends the answer to review (`tools.confidence`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from agents.llm import model_label
from agents.marker_nearest import nearest_reading, other_question
from agents.marker_prompt import build_marking_messages, marking_schema
from agents.rubric import (
    RubricMarking,
    band_for,
    is_pasted,
    mark_by_rubric,
    min_boundary_distance,
    parse_scheme,
)
from curriculum.schema import AO_NAMES
from db.models import Question
from tools.answer_checks import detect_answer_anomalies, strip_marker_instructions
from tools.confidence import ConfidenceSignals, forced_review, needs_review, score

log = logging.getLogger(__name__)

INSTRUCTION_ANOMALY = "instruction_to_marker"
OTHER_QUESTION_ANOMALY = "answers_other_question"  # closer to another question's marked answers than its own


class MarkingSettings(BaseSettings):
    """Marking settings (env prefix TEACH_): the review threshold and the Reviewer's agreement tolerance."""

    model_config = SettingsConfigDict(env_prefix="TEACH_", extra="ignore")

    review_threshold: int = Field(default=70, ge=0, le=100)
    # The Reviewer's second marking "agrees" when the totals and every AO are within this many marks.
    review_tolerance: int = Field(default=1, ge=0)
    marking_concurrency: int = Field(default=4, ge=1, le=32)


@dataclass(frozen=True)
class QuestionSpec:
    """The parts of a question the Marker needs."""

    id: uuid.UUID
    ref: str
    kind: str
    text: str
    max_marks: int
    mark_scheme: dict[str, Any]
    syllabus_point_codes: list[str]

    @classmethod
    def of(cls, question: Question) -> QuestionSpec:
        """From a `questions` row."""
        return cls(id=question.id, ref=question.ref, kind=question.kind, text=question.text,
                   max_marks=question.max_marks, mark_scheme=question.mark_scheme,
                   syllabus_point_codes=list(question.syllabus_point_codes))

    @property
    def ao_max(self) -> dict[str, int]:
        """Marks available per AO."""
        scheme = parse_scheme(self.mark_scheme)
        return {ao: scheme.ao_marks.get(ao) for ao in AO_NAMES}

    @property
    def topic_terms(self) -> list[str]:
        """Words an on-topic answer uses: the question's text and its mark scheme's cues."""
        scheme = parse_scheme(self.mark_scheme)
        return [self.text, *(cue for point in scheme.points for group in point.cues for cue in group)]

    def as_prompt(self) -> dict[str, Any]:
        """The question fields shown to the model."""
        return {"ref": self.ref, "kind": self.kind, "text": self.text, "max_marks": self.max_marks}


class AnswerMarking(BaseModel):
    """One marking of one answer, JSON-ready (stored in `attempted_questions.marking_feedback`)."""

    role: str
    ao_marks: dict[str, int]
    ao_max: dict[str, int]
    total: int
    max_marks: int
    credited: list[dict[str, Any]]
    missing: list[dict[str, Any]]
    levels: dict[str, dict[str, Any]]
    feedback: str
    certainty: float
    model: str
    offline: bool
    fallback: bool = False  # no usable structured reply: the deterministic rubric mark was used
    capped_by_rubric: bool = False  # an instruction to the marker was found and the marks were capped
    rubric: dict[str, Any]  # the independent deterministic marking
    anomalies: list[str]
    boundary_distance: int | None
    usage: dict[str, int] = Field(default_factory=dict)


def _levels(question: QuestionSpec, ao_marks: dict[str, int]) -> dict[str, dict[str, Any]]:
    scheme = parse_scheme(question.mark_scheme)
    out = {}
    for ao in AO_NAMES:
        band = band_for(scheme, ao, ao_marks[ao])
        if any(b.ao == ao for b in scheme.levels) and scheme.ao_marks.get(ao):
            out[ao] = ({"level": band.level, "band": list(band.marks), "descriptor": band.descriptor} if band
                       else {"level": 0, "band": None, "descriptor": "no creditable content"})
    return out


def _points(question: QuestionSpec, judged: dict[str, tuple[bool, str]]) -> tuple[list[dict], list[dict]]:
    scheme = parse_scheme(question.mark_scheme)
    credited, missing = [], []
    for point in scheme.points:
        ok, evidence = judged.get(point.id, (False, ""))
        entry = {"point_id": point.id, "ao": point.ao, "marks": point.marks, "description": point.description}
        (credited if ok else missing).append({**entry, "evidence": evidence} if ok else entry)
    return credited, missing


def _usage(raw: Any) -> dict[str, int]:
    usage = getattr(raw, "usage_metadata", None) or {}
    return {"input_tokens": int(usage.get("input_tokens", 0)), "output_tokens": int(usage.get("output_tokens", 0))}


async def _ask_model(model: BaseChatModel, question: QuestionSpec, answer: str, role: str) -> tuple[Any, Any]:
    """(parsed marking or None, raw message or None). Failures after the retry layer are logged, not raised."""
    messages = build_marking_messages(role=role, question=question.as_prompt(), mark_scheme=question.mark_scheme,
                                      answer=answer)
    structured = model.with_structured_output(marking_schema(question.ao_max), include_raw=True)
    try:
        out = await structured.ainvoke(messages)
    except Exception as exc:  # noqa: BLE001 — the retry layer and offline fallback already ran; mark by rubric instead
        log.warning("%s: no usable structured marking for %s (%s: %s)", role, question.ref, type(exc).__name__, exc)
        return None, None
    if isinstance(out, dict):
        return out.get("parsed"), out.get("raw")
    return out, None


def reading_anomalies(reading: dict[str, Any]) -> list[str]:
    """Anomalies the rubric's reading found: an answer that mostly repeats the question's or scheme's wording
    (`pasted_scheme`, which earns nothing) and a bare list of key terms (`keyword_list`)."""
    found = []
    if is_pasted(int(reading.get("pasted_sentences", 0)), int(reading.get("sentences", 0))):
        found.append("pasted_scheme")
    if reading.get("keyword_list"):
        found.append("keyword_list")
    return found


def _rubric_method(role: str) -> str:
    return "coverage" if role == "marker" else "levels_first"


async def mark_answer(model: BaseChatModel, question: QuestionSpec, answer: str, *, role: str = "marker") -> AnswerMarking:
    """Mark one answer as the "marker" (or, for the Reviewer's second marking, the "reviewer")."""
    anomalies = list(detect_answer_anomalies(answer, topic_terms=question.topic_terms,
                                             max_marks=question.max_marks))
    clean = strip_marker_instructions(answer)
    rubric = mark_by_rubric(question.mark_scheme, answer, method=_rubric_method(role))
    anomalies += reading_anomalies(rubric.reading)
    if "off_topic" not in anomalies and "empty" not in anomalies and other_question(question.ref, clean):
        anomalies.append(OTHER_QUESTION_ANOMALY)
    parsed, raw = await _ask_model(model, question, clean, role)
    if parsed is None:
        return _from_rubric(question, rubric, anomalies, role=role, model="rubric", offline=True, fallback=True)
    label = model_label(raw) if raw is not None else "unknown"
    ao_marks = {ao: int(getattr(parsed, ao)) for ao in AO_NAMES}
    capped = False
    if INSTRUCTION_ANOMALY in anomalies:
        limited = {ao: min(ao_marks[ao], rubric.ao_marks[ao]) for ao in AO_NAMES}
        capped, ao_marks = limited != ao_marks, limited
    judged = {p.point_id: (p.credited, p.evidence) for p in parsed.points}
    credited, missing = _points(question, judged)
    return AnswerMarking(
        role=role, ao_marks=ao_marks, ao_max=question.ao_max, total=sum(ao_marks.values()),
        max_marks=question.max_marks, credited=credited, missing=missing, levels=_levels(question, ao_marks),
        feedback=parsed.feedback.strip() or "No feedback was written.", certainty=float(parsed.certainty),
        model=label, offline=label == "offline", capped_by_rubric=capped, rubric=rubric.to_dict(),
        anomalies=anomalies, boundary_distance=min_boundary_distance(question.mark_scheme, ao_marks),
        usage=_usage(raw),
    )


def _from_rubric(question: QuestionSpec, rubric: RubricMarking, anomalies: list[str], *, role: str, model: str,
                 offline: bool, fallback: bool) -> AnswerMarking:
    from agents.rubric import offline_certainty, rubric_feedback

    judged = {p.id: (p.credited, "") for p in rubric.points}
    credited, missing = _points(question, judged)
    return AnswerMarking(
        role=role, ao_marks=rubric.ao_marks, ao_max=question.ao_max, total=rubric.total,
        max_marks=question.max_marks, credited=credited, missing=missing,
        levels=_levels(question, rubric.ao_marks), feedback=rubric_feedback(rubric),
        certainty=offline_certainty(rubric), model=model, offline=offline, fallback=fallback,
        rubric=rubric.to_dict(), anomalies=anomalies,
        boundary_distance=min_boundary_distance(question.mark_scheme, rubric.ao_marks),
    )


def independent_total(question: QuestionSpec, answer: str, marking: AnswerMarking) -> tuple[float, str, float]:
    """The second reading the gate compares the mark with: (total, method, support).

    Beside an LLM mark, the rubric coverage mark (cues vs a model's reading). Beside a rubric mark (the
    offline marker or the fallback), comparing coverage with itself proves nothing, so the marks of the
    nearest blind-marked answers to the same question are used (`agents.marker_nearest`), which never look
    at the cues; with none bundled, the descriptor-first rubric reading.
    """
    if not (marking.offline or marking.fallback):
        return float(marking.rubric["total"]), "coverage", 0.0
    near = nearest_reading(question.ref, answer)
    if near is not None:
        return min(float(question.max_marks), near.total), "nearest_answers", near.support
    return float(mark_by_rubric(question.mark_scheme, answer, method="levels_first").total), "levels_first", 0.0


def gate(question: QuestionSpec, answer: str, marking: AnswerMarking, *,
         threshold: int) -> tuple[int, bool, dict[str, Any]]:
    """Score the marking's confidence: (confidence 0..100, needs_review, the signals used and why queued)."""
    second, method, support = independent_total(question, answer, marking)
    levels = mark_by_rubric(question.mark_scheme, answer, method="levels_first").total
    points = marking.rubric.get("points", [])
    reading = marking.rubric.get("reading", {})
    signals = ConfidenceSignals(
        marker_total=marking.total, second_total=second, max_marks=question.max_marks,
        marker_certainty=marking.certainty, boundary_distance=marking.boundary_distance,
        anomalies=tuple(marking.anomalies), offline=marking.offline or marking.fallback,
        levels_total=float(levels), support=min(1.0, max(0.0, support)),
        soft_credits=sum(1 for p in points if p.get("how") in ("relaxed", "similar")),
        keyword_list=bool(reading.get("keyword_list")), define=question.kind == "define",
    )
    confidence = score(signals)
    flagged = needs_review(confidence, threshold)
    record = {
        "marker_total": marking.total, "second_total": round(second, 2), "second_method": method,
        "levels_total": levels, "support": round(support, 3), "marker_certainty": marking.certainty,
        "boundary_distance": marking.boundary_distance, "anomalies": list(marking.anomalies),
        "offline": signals.offline, "confidence": confidence, "threshold": threshold,
    }
    record["why"] = why_queued(record) if flagged else []
    return confidence, flagged, record


def why_queued(record: dict[str, Any]) -> list[str]:
    """Why a gated answer is in the review queue, computed once at gating and stored with its signals."""
    reasons = [f"confidence {record['confidence']} is below the threshold {record['threshold']}"]
    if abs(record["marker_total"] - record["second_total"]) >= 1:
        reasons.append(f"the mark ({record['marker_total']}) and the independent {record['second_method']} "
                       f"reading ({record['second_total']}) disagree")
    if record.get("levels_total") is not None and record["levels_total"] != record["marker_total"]:
        reasons.append(f"the descriptor-first reading of the levels gives {record['levels_total']}")
    forced = forced_review(record["anomalies"])
    reasons += [f"answer anomaly: {a}" + (" (always reviewed)" if a in forced else "") for a in record["anomalies"]]
    if record["offline"]:
        reasons.append("the mark came from the offline marker")
    return reasons


def feedback_record(marking: AnswerMarking, gate_signals: dict[str, Any]) -> dict[str, Any]:
    """What is stored in `marking_feedback` for a marked answer."""
    return {**marking.model_dump(mode="json"), "confidence": gate_signals}
