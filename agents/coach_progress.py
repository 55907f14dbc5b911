"""Deterministic progress tracking for a coaching session (shared by the Coach node and the offline Coach).

Contract with the graph:
- `CoachProgress` lives in graph state as `to_dict()`; rebuild it with `CoachProgress.from_dict(d)` (unknown
  keys are ignored, missing keys take defaults, so old checkpoints keep working).
- Each student message goes through `assess_turn(point, text, progress)` (pure: returns a new object). It
  credits the key ideas (expectations) the message expresses by the curriculum's cue rule, spots misconceptions,
  and classifies the turn in `last_move`, one of `MOVES`:
  opening | progress | misconception | answer_request | injection | wants_human | gave_up | dont_know |
  off_topic | no_progress.
  "I give up" is `gave_up` (counted in `give_ups`); "idk"/"I don't know" is `dont_know`: it earns a hint, and
  counts as a turn without progress rather than as giving up, so a hesitant student is not sent away early.
- `render_context_block(code, point, progress)` is the `<coach_context>{json}</coach_context>` block the Coach
  node puts in the system prompt of ANY model (after the `[role: coach]` line). The offline Coach reads it back
  with `parse_context_block(text)`. `code=None` means the topic is outside the curriculum.
- `suggest_outcome(point, progress)` says when the session should close: "refer_to_teacher" when the student asked
  for a human, "resolved" when every expectation is reached, "needs_more_help" after repeated failure (two
  give-ups, the ladder exhausted with >= 3 turns without progress, or `MAX_TURNS_WITHOUT_PROGRESS` such turns).

`point` is a syllabus point as a plain dict (the DB `content` JSONB, optionally with "title") or a pydantic
`SyllabusPoint`; both work.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

from curriculum.matching import cue_hits, normalise

Outcome = Literal["resolved", "needs_more_help", "refer_to_teacher"]
MOVES = ("opening", "progress", "misconception", "answer_request", "injection", "wants_human", "gave_up",
         "dont_know", "off_topic", "no_progress")
MAX_TURNS_WITHOUT_PROGRESS = 6
QUOTE_CHARS = 90

# Patterns run on `normalise(text)`: lowercase, apostrophes dropped ("don't" -> "dont"), punctuation -> spaces.
_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|bypass|override)\s+(all\s+|any\s+)?(of\s+)?(your|the|these|those|my|previous"
    r"|prior|above|earlier)?\s*(previous\s+|prior\s+|earlier\s+|above\s+|system\s+)?(instructions?|rules|prompts?"
    r"|guidelines|programming|training)\b"
    r"|\byou are now\b|\byoure now\b|\bfrom now on you\b|^\W*(now )?act as\b|\b(i want you to|please) act as\b"
    r"|\bact as if you\b|\bpretend (you|to be)\b|\bsystem prompt\b|\bmark(ing)? scheme\b|\bdeveloper mode\b"
    r"|\bjailbreak|\bnew instructions\b|\breveal (your|the) (answer|instructions|prompt|system|rules|mark)"
    r"|\b(print|show|repeat) (your|the) (instructions|prompt|rules)\b|\bi am (your|the|a) teacher\b"
    r"|\bim (your|the|a) teacher\b|\bas your (teacher|developer|admin)\b|\badmin mode\b")
_ANSWER_REQUEST = re.compile(
    r"\bjust (tell|give|say|explain|show)\b|\btell me (the )?(answer|definition|what it (is|means))\b"
    r"|\bgive me (the |a )?(answer|definition|model answer)\b|\bwhat(s| is) the (answer|definition)\b"
    r"|\b(can|could) you (just )?(define|tell me the answer|give me the answer)\b|\bdefine it for me\b"
    r"|\bwhat does (it|that|this|\w+) mean\W*$|\bshow me the answer\b|\bmodel answer\b|\bwrite (my|the) answer\b"
    r"|\bdo it for me\b|\bspell it out\b|\bstop asking (me )?questions\b|\bwhat is the right answer\b")
_WANTS_HUMAN = re.compile(
    r"\b(talk|speak|chat|see|get|contact|want|need|message|email|call|ask for|refer me|connect me|put me)\b"
    r"(\s\w+){0,2}\s(teachers?|humans?|real person|real people|person|tutors?|someone real|adult)\b")
_GIVE_UP = re.compile(
    r"^\W*(give up|giving up|pointless|forget it)\W*$"
    r"|\b(i|ill|i will|im|i am|i just|i think i|ok i|i have to)\s+(give|giving)\s+up\b"
    r"|\bi quit\b|\bim done\b|\bi am done\b|\b(this|it all|all this) is (pointless|hopeless)\b"
    r"|\bi (cant|cannot|can not) do this\b|\bwhats the point\b|\bi surrender\b")
_DONT_KNOW = re.compile(
    r"^\W*(idk|dunno|no|nope|huh|what|eh|um+|hmm+|\?+)?\W*$|\bidk\b|\bdunno\b|\bno idea\b|\bnot sure\b|\bno clue\b"
    r"|\b(i|i really|i honestly|i still|still|honestly|i just)\s+(dont|do not) (know|get|understand)\b"
    r"|^\W*(dont|do not) (know|get it|understand)\b|\bconfus|\bim lost\b|\bi am lost\b|\bim stuck\b|\bi am stuck\b")
_OFF_TOPIC = re.compile(
    r"\b(football|soccer|fortnite|minecraft|video games?|tiktok|instagram|netflix|movie|film|song|music|weather"
    r"|joke|your favourite|your favorite|whats your name|girlfriend|boyfriend|photosynthesis|chemistry|biology"
    r"|physics|algebra|shakespeare|poem|holiday|birthday|lunch|dinner|anime|youtube)\b")
_HEDGE = re.compile(r"^((i (think|guess|suppose|reckon|believe)( that)?|maybe|perhaps|um+|erm+|so|well|ok|okay"
                    r"|like|hmm+|is it( that)?|because|cos|cuz)[,.]?\s+)+", re.IGNORECASE)
_ECON_WORDS = ("price", "demand", "suppl", "market", "cost", "buy", "sell", "consum", "produc", "firm", "tax",
               "subsid", "govern", "spend", "income", "money", "profit", "inflat", "employ", "trade", "export",
               "import", "interest", "wage", "econom", "good", "servic", "output", "gdp", "rate")


@dataclass
class CoachProgress:
    """What the student has shown so far in one coaching session (JSON-serialisable via to_dict)."""

    reached: list[str] = field(default_factory=list)  # expectation ids, in the order reached
    misconceptions_seen: list[str] = field(default_factory=list)
    current_misconception: str | None = None  # detected in the latest turn, not yet resolved
    student_turns: int = 0
    turns_without_progress: int = 0
    ladder_index: int = 0  # the ladder step the tutor is working on (steps with all targets reached are skipped)
    attempts_on_step: int = 0  # unsuccessful tries at the current ladder step (1 -> hint, 2 -> next step)
    hints_given: int = 0
    answer_requests: int = 0
    injection_attempts: int = 0
    off_topic_turns: int = 0
    give_ups: int = 0
    wants_human: bool = False
    gave_up: bool = False  # the latest turn was an explicit give-up
    last_move: str = ""  # classification of the latest student turn, one of MOVES
    previous_move: str = ""  # classification of the turn before (e.g. "misconception": they answered a probe)
    just_reached: list[str] = field(default_factory=list)  # expectation ids reached in the latest turn
    evidence: dict[str, str] = field(default_factory=dict)  # expectation id -> the student's own words
    student_quote: str = ""  # the student's words relevant to the latest move (misconception, request)
    misconception_repeat: bool = False  # the latest misconception had already been seen (and probed) before

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists and dicts are copies)."""
        return json.loads(json.dumps(asdict(self)))

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> CoachProgress:
        """Rebuild from `to_dict()` output; unknown keys are ignored and missing ones take their defaults."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})


def _as_dict(point: Any) -> dict[str, Any]:
    if hasattr(point, "model_dump"):
        return point.model_dump()
    return dict(point or {})


def _sentence_quote(text: str, cues: list[list[str]] | None, answer_phrases: list[str]) -> str:
    """The student's own words to quote back: the sentence that matched the cues, clipped, never a giveaway."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?;])\s+|\n+", text) if s.strip()]
    chosen = next((s for s in sentences if cues and cue_hits(s, cues)), " ".join(sentences))
    chosen = _HEDGE.sub("", " ".join(chosen.split())).strip(" .!?;,:\"'")
    if len(chosen) > QUOTE_CHARS:
        chosen = chosen[:QUOTE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    padded = f" {normalise(chosen)} "
    if any(f" {normalise(p)} " in padded for p in answer_phrases if normalise(p)):
        return ""  # quoting it back would put the answer in the tutor's mouth
    return chosen


def _point_vocabulary_hit(point: dict[str, Any], norm: str) -> bool:
    stems = [w[:5] for t in point.get("key_terms", []) for w in normalise(t["term"]).split() if len(w) > 3]
    return any(stem in norm for stem in (*stems, *_ECON_WORDS))


def remaining_steps(point: Any, progress: CoachProgress) -> list[int]:
    """Ladder indexes from `progress.ladder_index` on whose targets are not all reached yet."""
    ladder = _as_dict(point).get("ladder", [])
    return [i for i in range(progress.ladder_index, len(ladder))
            if any(t not in progress.reached for t in ladder[i]["targets"])]


def current_step(point: Any, progress: CoachProgress) -> int | None:
    """The ladder step to ask now; once the ladder is exhausted, wrap to the first step still useful."""
    steps = remaining_steps(point, progress)
    if steps:
        return steps[0]
    ladder = _as_dict(point).get("ladder", [])
    return next((i for i, s in enumerate(ladder) if any(t not in progress.reached for t in s["targets"])), None)


def ladder_exhausted(point: Any, progress: CoachProgress) -> bool:
    """True when every ladder step has been tried (or skipped) and expectations are still missing."""
    return not remaining_steps(point, progress)


def assess_turn(point: Any, text: str, progress: CoachProgress) -> CoachProgress:
    """Assess one student message against the syllabus point; returns the updated progress (input untouched)."""
    data = _as_dict(point)
    phrases = list(data.get("answer_phrases", []))
    new = replace(progress, reached=list(progress.reached), misconceptions_seen=list(progress.misconceptions_seen),
                  evidence=dict(progress.evidence), just_reached=[], gave_up=False, student_quote="",
                  current_misconception=None, misconception_repeat=False, previous_move=progress.last_move)
    new.student_turns += 1
    norm = normalise(text)
    first_turn = new.student_turns == 1

    if _INJECTION.search(norm):
        new.injection_attempts += 1
        return _no_progress(new, "injection", count_attempt=False)
    if _WANTS_HUMAN.search(norm):
        new.wants_human = True
        return _no_progress(new, "wants_human", count_attempt=False)
    if _ANSWER_REQUEST.search(norm):
        new.answer_requests += 1
        return _no_progress(new, "answer_request", count_attempt=False, first_turn=first_turn)
    for exp in data.get("expectations", []):
        if exp["id"] not in new.reached and cue_hits(text, exp["cues"]):
            new.reached.append(exp["id"])
            new.just_reached.append(exp["id"])
            new.evidence[exp["id"]] = _sentence_quote(text, exp["cues"], phrases)
    mistaken = next((m for m in data.get("misconceptions", []) if cue_hits(text, m["cues"])), None)
    if mistaken is not None:
        new.current_misconception = mistaken["id"]
        new.misconception_repeat = mistaken["id"] in progress.misconceptions_seen
        if mistaken["id"] not in new.misconceptions_seen:
            new.misconceptions_seen.append(mistaken["id"])
        new.student_quote = _sentence_quote(text, mistaken["cues"], phrases)
    if new.just_reached:
        new.turns_without_progress = 0
        new.attempts_on_step = 0
        new.last_move = "misconception" if mistaken is not None else "progress"
        return new
    if mistaken is not None:
        return _no_progress(new, "misconception", count_attempt=False)
    if _GIVE_UP.search(norm):  # after the cue check: "the alternative you give up" is an answer, not surrender
        new.give_ups += 1
        new.gave_up = True
        return _no_progress(new, "gave_up", count_attempt=True)
    if first_turn:
        return _no_progress(new, "opening", count_attempt=False, first_turn=True)
    if _DONT_KNOW.search(norm):
        return _no_progress(new, "dont_know", count_attempt=True)
    if _OFF_TOPIC.search(norm) and not _point_vocabulary_hit(data, norm):
        new.off_topic_turns += 1
        return _no_progress(new, "off_topic", count_attempt=False)
    return _no_progress(new, "no_progress", count_attempt=True, point=data)


def _no_progress(new: CoachProgress, move: str, *, count_attempt: bool, first_turn: bool = False,
                 point: dict[str, Any] | None = None) -> CoachProgress:
    """Record a turn that reached nothing new; two failed attempts at a ladder step move on to the next step."""
    new.last_move = move
    if first_turn:
        return new  # the opening message states the struggle; it is not a failed answer
    new.turns_without_progress += 1
    if count_attempt:
        new.attempts_on_step += 1
        if new.attempts_on_step == 1:
            new.hints_given += 1
        else:
            new.attempts_on_step = 0
            new.ladder_index += 1
    return new


def suggest_outcome(point: Any, progress: CoachProgress) -> Outcome | None:
    """The outcome the session should close with now, or None to keep tutoring."""
    data = _as_dict(point)
    if progress.wants_human:
        return "refer_to_teacher"
    expectation_ids = [e["id"] for e in data.get("expectations", [])]
    if expectation_ids and all(e in progress.reached for e in expectation_ids):
        return "resolved"
    if progress.give_ups >= 2 or progress.turns_without_progress >= MAX_TURNS_WITHOUT_PROGRESS:
        return "needs_more_help"
    if progress.student_turns > 1 and ladder_exhausted(data, progress) and progress.turns_without_progress >= 3:
        return "needs_more_help"
    return None


def render_context_block(
    code: str | None, point: Any, progress: CoachProgress, *, topic: str | None = None
) -> str:
    """`<coach_context>{compact JSON}</coach_context>` describing where the session stands (see module doc)."""
    data = _as_dict(point)
    expectations = {e["id"]: e for e in data.get("expectations", [])}
    step_index = current_step(data, progress) if code else None
    step = data["ladder"][step_index] if step_index is not None else None
    mis = next((m for m in data.get("misconceptions", []) if m["id"] == progress.current_misconception), None)
    payload = {
        "code": code,
        "title": data.get("title") or _bundled_title(code),
        "topic": topic,
        "remaining": [{"id": i, "idea": e["idea"]} for i, e in expectations.items() if i not in progress.reached],
        "reached": list(progress.reached),
        "next_question": None if step is None else {
            "index": step_index, "question": step["question"], "hint": step["hint"], "targets": step["targets"]},
        "misconception": None if mis is None else {
            "id": mis["id"], "statement": mis["statement"], "probe": mis["probe"],
            "repeat": progress.misconception_repeat},
        "ladder_exhausted": bool(code) and ladder_exhausted(data, progress),
        "suggested_outcome": suggest_outcome(data, progress) if code else (
            "refer_to_teacher" if progress.student_turns else None),
        "progress": progress.to_dict(),
    }
    return "<coach_context>" + json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "</coach_context>"


def _bundled_title(code: str | None) -> str | None:
    """The DB `content` has no title; take it from the bundled curriculum when the code is there."""
    if not code:
        return None
    try:
        from curriculum.loader import get_curriculum  # deferred: loading YAML is only needed for this lookup

        return get_curriculum().points[code].title
    except (KeyError, OSError, ValueError):  # no bundled point (or an invalid curriculum): a turn must go on
        return None


_BLOCK = re.compile(r"<coach_context>(.*?)</coach_context>", re.DOTALL)


def parse_context_block(text: str) -> dict[str, Any] | None:
    """The JSON payload of the last `<coach_context>` block in `text`, or None if there is none or it is broken."""
    found = _BLOCK.findall(text or "")
    if not found:
        return None
    try:
        payload = json.loads(found[-1])
    except json.JSONDecodeError:
        return None
    return payload if isinstance(payload, dict) else None
