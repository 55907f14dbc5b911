"""Deterministic progress tracking for a coaching session (shared by the Coach node and the offline Coach).

Contract with the graph:
- `CoachProgress` lives in graph state as `to_dict()` and is also stored with every coach reply (the
  transcript entry's `meta.progress`, same transaction), so it survives a lost checkpoint; rebuild it with
  `CoachProgress.from_dict(d)` (unknown keys ignored, missing keys default, so old checkpoints keep working).
- Each student message goes through `assess_turn(point, text, progress)` (pure: returns a new object):
  - the FIRST message is the opening struggle: it is a question, never an answer — it picks the ladder step
    (or misconception) it asks about (`agents.coach_focus`) and the session starts there;
  - later messages are judged on positive evidence (`curriculum.recognition`): ideas credited only when the
    student's words show them; a misconception only when positively stated; an on-topic reply that shows
    neither is `unverified` (the Coach asks them to say why / give an example), never wrong;
  - a student's question is `question` and carries the step it asks about (`question_step`).
  `last_move` is one of `MOVES`.
- `note_reply(point, progress, reply)` records what the Coach said (so nothing is repeated verbatim and each
  ladder step is rephrased when asked again).
- `suggest_outcome(point, progress)` closes honestly: "refer_to_teacher" when the student asked for a human,
  "resolved" when every expectation is reached in their words, "needs_more_help" only after genuine repeated
  non-progress — never on the turn right after progress.

`point` is a syllabus point as a plain dict (the DB `content` JSONB with "title" and "code") or a pydantic
`SyllabusPoint`; both work.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

from agents import coach_moves as moves
from agents.coach_focus import question_focus, step_phrasings
from curriculum.cue_match import match_cues
from curriculum.matching import normalise
from curriculum.recognition import recognise

Outcome = Literal["resolved", "needs_more_help", "refer_to_teacher"]
MOVES = ("opening", "progress", "restated", "misconception", "question", "unverified", "answer_request", "injection",
         "wants_human", "gave_up", "dont_know", "off_topic", "no_progress")
MAX_TURNS_WITHOUT_PROGRESS = 6
QUOTE_CHARS = 90
ON_TOPIC_SIMILARITY = 0.2
SHORT_GIVE_UP_WORDS = 7


@dataclass
class CoachProgress:
    """What the student has shown so far in one coaching session (JSON-serialisable via to_dict)."""

    reached: list[str] = field(default_factory=list)  # expectation ids, in the order reached
    misconceptions_seen: list[str] = field(default_factory=list)
    current_misconception: str | None = None  # detected in the latest turn, not yet resolved
    student_turns: int = 0
    turns_without_progress: int = 0
    ladder_index: int = 0  # the ladder step the tutor is working on (steps with all targets reached are skipped)
    attempts_on_step: int = 0  # unsuccessful tries at the current ladder step (1 -> nudge, 2 -> hint, 3 -> next)
    hints_given: int = 0
    answer_requests: int = 0
    injection_attempts: int = 0
    off_topic_turns: int = 0
    give_ups: int = 0
    questions_asked: int = 0
    wants_human: bool = False
    gave_up: bool = False  # the latest turn was an explicit give-up
    last_move: str = ""  # classification of the latest student turn, one of MOVES
    previous_move: str = ""  # classification of the turn before (e.g. "misconception": they answered a probe)
    just_reached: list[str] = field(default_factory=list)  # expectation ids reached in the latest turn
    evidence: dict[str, str] = field(default_factory=dict)  # expectation id -> the student's own words
    student_quote: str = ""  # the student's words relevant to the latest move (misconception, question, claim)
    misconception_repeat: bool = False  # the latest misconception had already been seen (and probed) before
    question_step: int | None = None  # the ladder step the latest question (or the struggle) asks about
    opening_misconception: str | None = None  # a misconception the opening struggle stated
    last_progress_turn: int = 0  # student turn number of the latest progress
    said: list[str] = field(default_factory=list)  # short hashes of every coach message so far
    step_uses: dict[str, int] = field(default_factory=dict)  # ladder step -> times the Coach has asked it
    transcript_len: int = 0  # transcript entries covered by this progress (to detect a stale checkpoint)
    tried: list[int] = field(default_factory=list)  # ladder steps moved past after three tries without progress
    recent_give_ups: int = 0  # explicit give-ups since the latest progress

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists and dicts are copies)."""
        return json.loads(json.dumps(asdict(self)))

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> CoachProgress:
        """Rebuild from `to_dict()` output; unknown keys are ignored and missing ones take their defaults."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})


def as_point_dict(point: Any) -> dict[str, Any]:
    """A syllabus point as a plain dict (pydantic models are dumped)."""
    if hasattr(point, "model_dump"):
        return point.model_dump()
    return dict(point or {})


def message_hash(text: str) -> str:
    """A short, stable fingerprint of a coach message (whitespace and case ignored)."""
    return hashlib.sha256(" ".join(normalise(text).split()).encode()).hexdigest()[:12]


def quote_of(text: str, cues: list[list[str]] | None, answer_phrases: list[str]) -> str:
    """The student's own words to quote back: the sentence that matched best, clipped, never a giveaway."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?;])\s+|\n+", text) if s.strip()]
    if cues and sentences:
        chosen = max(sentences, key=lambda s: match_cues(s, cues).matched)
    else:
        chosen = " ".join(sentences)
    chosen = moves.strip_hedge(" ".join(chosen.split())).strip(" .!?;,:\"'")
    if len(chosen) > QUOTE_CHARS:
        chosen = chosen[:QUOTE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    padded = f" {normalise(chosen)} "
    if any(f" {normalise(p)} " in padded for p in answer_phrases if normalise(p)):
        return ""  # quoting it back would put the answer in the tutor's mouth
    return chosen


def remaining_steps(point: Any, progress: CoachProgress) -> list[int]:
    """Untried ladder steps whose targets are not all reached, from `progress.ladder_index` on (wrapping round)."""
    ladder = as_point_dict(point).get("ladder", [])
    start = min(max(progress.ladder_index, 0), len(ladder))
    order = [*range(start, len(ladder)), *range(0, start)]
    return [i for i in order if i not in progress.tried
            and any(t not in progress.reached for t in ladder[i]["targets"])]


def current_step(point: Any, progress: CoachProgress) -> int | None:
    """The ladder step to ask now; once every step was tried, the first step still useful."""
    steps = remaining_steps(point, progress)
    if steps:
        return steps[0]
    ladder = as_point_dict(point).get("ladder", [])
    return next((i for i, s in enumerate(ladder) if any(t not in progress.reached for t in s["targets"])), None)


def ladder_exhausted(point: Any, progress: CoachProgress) -> bool:
    """True when every useful ladder step has been tried and expectations are still missing."""
    return not remaining_steps(point, progress)


def _fresh(progress: CoachProgress) -> CoachProgress:
    return replace(progress, reached=list(progress.reached), misconceptions_seen=list(progress.misconceptions_seen),
                   evidence=dict(progress.evidence), just_reached=[], gave_up=False, student_quote="",
                   current_misconception=None, misconception_repeat=False, previous_move=progress.last_move,
                   question_step=None, said=list(progress.said), step_uses=dict(progress.step_uses),
                   tried=list(progress.tried))


def assess_turn(point: Any, text: str, progress: CoachProgress, *, asked: str = "") -> CoachProgress:
    """Assess one student message against the syllabus point; returns the updated progress (input untouched).

    `asked` is the Coach's previous message: the question the student is answering supplies the topic their
    reply leaves implicit ("costs go down so supply goes right" answers a question about a subsidy).
    """
    data = as_point_dict(point)
    new = _fresh(progress)
    new.student_turns += 1
    intent = moves.classify_intent(text)
    if intent == "injection":
        new.injection_attempts += 1
        return _no_progress(new, "injection", count_attempt=False)
    if intent == "wants_human":
        new.wants_human = True
        return _no_progress(new, "wants_human", count_attempt=False)
    if new.student_turns == 1:
        return _opening(data, text, new, answer_request=intent == "answer_request")
    if intent == "answer_request":
        new.answer_requests += 1
        return _no_progress(new, "answer_request", count_attempt=False)
    return _judge(data, text, new, asked)


def _opening(data: dict[str, Any], text: str, new: CoachProgress, *, answer_request: bool) -> CoachProgress:
    """The struggle is the student's question: it picks where the session starts and is never credited."""
    if answer_request:
        new.answer_requests += 1
    focus = question_focus(data, text, current=None)
    if focus.step is not None:
        new.ladder_index = focus.step
        new.question_step = focus.step
    if focus.misconception and not moves.is_question(text):
        new.opening_misconception = focus.misconception
        new.current_misconception = focus.misconception
        new.misconceptions_seen.append(focus.misconception)
        new.student_quote = quote_of(text, None, list(data.get("answer_phrases", [])))
    new.last_move = "answer_request" if answer_request else "opening"
    return new


def _judge(data: dict[str, Any], text: str, new: CoachProgress, asked: str) -> CoachProgress:
    phrases = list(data.get("answer_phrases", []))
    if moves.gave_up(text) and len(text.split()) <= SHORT_GIVE_UP_WORDS:
        new.give_ups += 1  # "this is pointless, I give up" is surrender, even where "give up" is a cue word
        new.recent_give_ups += 1
        new.gave_up = True
        return _no_progress(new, "gave_up", count_attempt=True, point=data)
    recognition = recognise(data, text, context=asked)
    cues = {e["id"]: e["cues"] for e in data.get("expectations", [])}
    asking = moves.is_question(text)
    claims = moves.declarative_part(text) if asking else text
    # A question is asked, not claimed: only what the student states is credited ("is it cos …?" is tested
    # with them, not praised as an answer). Its recognised ideas pick the step the question is about.
    credited = recognition.expectations if claims == text else (
        recognise(data, claims, context=asked).expectations if claims else [])
    asked_about = [str(e.key) for e in recognition.expectations]
    for evidence in credited:
        key = str(evidence.key)
        if key not in new.reached:
            new.reached.append(key)
            new.just_reached.append(key)
            new.evidence[key] = quote_of(text, cues.get(key), phrases)
    # Likewise a misconception must be stated, not asked about ("does the curve move out? is that growth?").
    mistaken = recognition.misconception if claims == text else (
        recognise(data, claims, context=asked).misconception if claims else None)
    if mistaken is not None:
        mis_id = str(mistaken.key)
        mis_cues = next((m["cues"] for m in data.get("misconceptions", []) if m["id"] == mis_id), None)
        new.current_misconception = mis_id
        new.misconception_repeat = mis_id in new.misconceptions_seen
        if mis_id not in new.misconceptions_seen:
            new.misconceptions_seen.append(mis_id)
        new.student_quote = quote_of(text, mis_cues, phrases)
    on_topic = _vocabulary_hit(data, text) or (recognition.best_similarity >= ON_TOPIC_SIMILARITY
                                                and not moves.off_topic_words(text))
    if mistaken is None and not new.just_reached and moves.off_topic_words(text) and not on_topic:
        new.off_topic_turns += 1
        return _no_progress(new, "off_topic", count_attempt=False)
    if asking:
        new.questions_asked += 1
        new.question_step = _step_for(data, asked_about, new) if asked_about else question_focus(
            data, text, reached=tuple(new.reached), current=current_step(data, new)).step
        if not new.student_quote:
            new.student_quote = quote_of(text, None, phrases)
    if new.just_reached:
        new.turns_without_progress = 0
        new.attempts_on_step = 0
        new.recent_give_ups = 0
        new.last_progress_turn = new.student_turns
        new.last_move = "misconception" if mistaken is not None else "progress"
        return new
    if mistaken is not None:
        return _no_progress(new, "misconception", count_attempt=False)
    if asking and (not moves.dont_know(text) or moves.asks_about_something(text)):
        if new.question_step is not None:
            new.ladder_index = new.question_step  # work on what they asked about
        new.last_move = "question"  # engaging is not failing: no attempt counted
        return new
    if recognition.expectations and not new.just_reached and not asking:
        key = str(recognition.expectations[0].key)  # an idea they already reached, said again: move on
        new.student_quote = new.evidence.get(key) or quote_of(text, cues.get(key), phrases)
        new.turns_without_progress += 1
        new.last_move = "restated"
        return new
    if moves.gave_up(text):  # after the evidence check: "the alternative you give up" is an answer
        new.give_ups += 1
        new.recent_give_ups += 1
        new.gave_up = True
        return _no_progress(new, "gave_up", count_attempt=True, point=data)
    if moves.dont_know(text):
        return _no_progress(new, "dont_know", count_attempt=True, point=data)
    if on_topic:
        new.student_quote = quote_of(text, None, phrases)
        return _no_progress(new, "unverified", count_attempt=True, point=data)
    return _no_progress(new, "no_progress", count_attempt=True, point=data)


def _step_for(data: dict[str, Any], ideas: list[str], progress: CoachProgress) -> int | None:
    """The ladder step (from the current one on, wrapping round) that works toward the first of `ideas`."""
    ladder = data.get("ladder", [])
    start = current_step(data, progress) or 0
    order = [*range(start, len(ladder)), *range(0, start)]
    for idea in ideas:
        for i in order:
            if idea in ladder[i]["targets"]:
                return i
    return None


_ECON_WORDS = ("price", "demand", "suppl", "market", "cost", "buy", "sell", "consum", "produc", "firm", "tax",
               "subsid", "govern", "spend", "income", "money", "profit", "inflat", "employ", "trade", "export",
               "import", "interest", "wage", "econom", "good", "servic", "output", "gdp", "rate")


def _vocabulary_hit(point: dict[str, Any], text: str) -> bool:
    norm = normalise(text)
    stems = [w[:5] for t in point.get("key_terms", []) for w in normalise(t["term"]).split() if len(w) > 3]
    return any(stem in norm for stem in (*stems, *_ECON_WORDS))


def _no_progress(new: CoachProgress, move: str, *, count_attempt: bool, point: Any = None) -> CoachProgress:
    """A turn that reached nothing new; three tries at a ladder step (nudge, hint) move on to the next step."""
    new.last_move = move
    new.turns_without_progress += 1
    if count_attempt:
        new.attempts_on_step += 1
        if new.attempts_on_step == 2:
            new.hints_given += 1
        elif new.attempts_on_step >= 3:
            new.attempts_on_step = 0
            step = current_step(point, new)
            if step is not None and step not in new.tried:
                new.tried.append(step)
                new.ladder_index = step + 1
    return new


def note_reply(point: Any, progress: CoachProgress, reply: str) -> CoachProgress:
    """Record a coach message: its fingerprint (never repeated) and which ladder steps it asked."""
    new = replace(progress, said=[*progress.said, message_hash(reply)], step_uses=dict(progress.step_uses))
    padded = f" {normalise(reply)} "
    for i, step in enumerate(as_point_dict(point).get("ladder", [])):
        if any(f" {normalise(p)} " in padded for p in (*step_phrasings(step), step["hint"])):
            new.step_uses[str(i)] = new.step_uses.get(str(i), 0) + 1
    return new


def suggest_outcome(point: Any, progress: CoachProgress) -> Outcome | None:
    """The outcome the session should close with now, or None to keep tutoring (see module docstring)."""
    data = as_point_dict(point)
    if progress.wants_human:
        return "refer_to_teacher"
    expectation_ids = [e["id"] for e in data.get("expectations", [])]
    if expectation_ids and all(e in progress.reached for e in expectation_ids):
        return "resolved"
    if progress.last_move in ("progress", "question", "opening", "misconception"):
        return None  # never close on a turn that moved forward, asked something, or needs a probe answered
    if progress.student_turns - progress.last_progress_turn < 2:
        return None  # never on the turn right after progress
    if progress.recent_give_ups >= 2 or progress.turns_without_progress >= MAX_TURNS_WITHOUT_PROGRESS:
        return "needs_more_help"
    if ladder_exhausted(data, progress) and progress.turns_without_progress >= 4:
        return "needs_more_help"
    return None
