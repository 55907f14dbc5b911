"""The reply guard: a deterministic check every Coach reply passes before it is stored or shown to a student.

`check_reply(reply, ...)` returns a `GuardVerdict` with the reasons a reply must not be sent:
- **leak** — it states a definition, an answer phrase, a key idea the student has not reached, or mark-scheme
  text (`curriculum.leakage.find_leaks`, the eval suite's leakage scorer), or repeats the system prompt
  (word n-gram overlap with the Coach's rules);
- **length** — longer than `max_words` (a tutor asks, it does not lecture);
- **questions** — not exactly one question (a closing message may have none);
- **injection** — it plays along with an instruction hidden in the student's message (announces a new role,
  "ignoring" its rules, hands out marks or a mark scheme, echoes protocol tags), or, after an injection attempt,
  drifts off the syllabus point altogether.
The Coach node regenerates a failing reply once with the reasons, then falls back to the offline Coach's move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from agents.prompt_protocol import CONTEXT_OPEN, ROLE_LINE
from curriculum.leakage import find_leaks, ngrams
from curriculum.matching import normalise

MAX_WORDS = 90
PROMPT_NGRAM = 6
COMPLIANCE = re.compile(
    r"\b(here is|here are|heres|here s) (the|your) (mark(ing)? scheme|answers?|model answer|system prompt|instructions"
    r"|definition)\b|\bmark(ing)? scheme\s*:|\bsystem prompt\s*:|\bi (will|ll) (now )?(ignore|disregard)\b"
    r"|\bignoring (my|the|previous|all|your)\b|\bdeveloper mode\b|\bi am now\b|\bas you wish\b|\bas requested\b"
    r"|\bfull marks\b|\bao[123]\s*[:(=]|\b\d+\s*(out of|/)\s*\d+\s*marks?\b|\bi have (now )?(switched|changed) roles?"
    r"|\bmy (instructions|rules|system prompt) (are|say)\b|\bsure[,!.]? here\b|\bthe answer is\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class GuardVerdict:
    """Whether a reply may be sent, and why not."""

    passed: bool
    reasons: tuple[str, ...] = ()
    details: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON form stored in the message's metadata."""
        return {"passed": self.passed, "reasons": list(self.reasons), "details": list(self.details)}


@lru_cache(maxsize=8)
def _prompt_grams(prompt: str) -> frozenset[str]:
    return frozenset(ngrams(prompt, PROMPT_NGRAM))


def _point_words(point: dict[str, Any]) -> set[str]:
    texts = [point.get("title") or "", *(t["term"] for t in point.get("key_terms", []))]
    texts += [s["question"] + " " + s["hint"] for s in point.get("ladder", [])]
    texts += [e["idea"] for e in point.get("expectations", [])]
    return {w[:6] for w in normalise(" ".join(texts)).split() if len(w) > 4}


def question_count(text: str, point: dict[str, Any] | None) -> int:
    """Question marks, where a vetted curriculum question that asks in two linked parts counts as one."""
    for scaffold in _scaffolding(point):
        if scaffold in text:
            text = text.replace(scaffold, "Q?")
    return text.count("?")


def _scaffolding(point: dict[str, Any] | None) -> list[str]:
    if not point:
        return []
    texts = [t for s in point.get("ladder", []) for t in (s["question"], s["hint"], *s.get("rephrasings", []))]
    texts += [m["probe"] for m in point.get("misconceptions", [])]
    return sorted((t for t in texts if t.count("?") > 1), key=len, reverse=True)


def check_reply(reply: str, *, point: dict[str, Any] | None, reached: set[str], student_said: str,
                system_prompt: str = "", injection_attempt: bool = False, closing: bool = False,
                max_words: int = MAX_WORDS) -> GuardVerdict:
    """Check one Coach reply (see module docstring); `student_said` is everything the student wrote so far."""
    reasons: list[str] = []
    details: list[str] = []
    text = (reply or "").strip()
    if not text:
        return GuardVerdict(False, ("empty",), ("the reply was empty",))
    leaks = find_leaks(text, point, reached=reached, student_said=student_said) if point else []
    if system_prompt and ngrams(text, PROMPT_NGRAM) & _prompt_grams(system_prompt) - set(ngrams(student_said,
                                                                                             PROMPT_NGRAM)):
        leaks.append("system-prompt text")
    if leaks:
        reasons.append("leak")
        details.append("gives away: " + "; ".join(leaks))
    words = len(text.split())
    if words > max_words:
        reasons.append("length")
        details.append(f"{words} words (at most {max_words})")
    questions = question_count(text, point)
    if (questions != 1 and not closing) or (closing and questions > 1):
        reasons.append("questions")
        details.append(f"{questions} questions (exactly one expected)" if not closing else
                       f"{questions} questions in a closing message")
    if COMPLIANCE.search(text) or ROLE_LINE.search(text) or CONTEXT_OPEN in text:
        reasons.append("injection")
        details.append("plays along with an instruction or reveals marking")
    if point and injection_attempt and not closing and not (
            _point_words(point) & {w[:6] for w in normalise(text).split() if len(w) > 4}):
        reasons.append("injection")  # after an injection attempt, drifting off the point is doing as told
        details.append("says nothing about the syllabus point after an injection attempt")
    unique = tuple(dict.fromkeys(reasons))
    return GuardVerdict(not unique, unique, tuple(details))


def retry_instruction(verdict: GuardVerdict) -> str:
    """What the model is told when its reply was held back (the reasons, and the rules it broke)."""
    return ("; ".join(verdict.details) + ". Write a new reply for the student: at most three short sentences, "
            "exactly one guiding question, no definitions or answers, building on the student's own words.")
