"""What a student's question (or opening struggle) is about: the ladder step, or misconception, it asks after.

`question_focus(point, text)` scores every ladder step by how close the question is to the step's own words
(question, hint, rephrasings) and to the ideas the step targets (their statements, cue groups and examples),
and returns the best step — so "why does more leakage make it smaller?" lands on the multiplier-leakage step,
and the Coach's move is built from that step. It returns None when nothing on the ladder is close enough.
A struggle that positively states a misconception ("tax shifts demand left, right?") also names it, so the
session can start by testing that belief.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from curriculum.cue_match import match_cues
from curriculum.recognition import on_clear, point_items, recognise
from curriculum.similarity import ExampleIndex, features

MIN_FOCUS = 0.12  # below this the question is not about any one step
FOCUS_MARGIN = 0.05  # leave the step being worked on (or step 1 at the opening) only for a clearly better one


@dataclass(frozen=True)
class Focus:
    """The ladder step a question is about, and the misconception it states (if any)."""

    step: int | None
    misconception: str | None
    score: float


def step_phrasings(step: dict[str, Any]) -> list[str]:
    """Every way the curriculum words a ladder step's question: the question, then its rephrasings."""
    return [step["question"], *step.get("rephrasings", [])]


@lru_cache(maxsize=256)
def _step_index(point_key: str, code: str | None) -> ExampleIndex:
    point = {**json.loads(point_key), "code": code}
    expectations, _, _ = point_items(point)
    by_id = {e.key: e for e in expectations}
    pairs: list[tuple[int, str]] = []
    for i, step in enumerate(point.get("ladder") or []):
        texts = [*step_phrasings(step), step["hint"]]
        for target in step["targets"]:
            if target in by_id:
                texts += list(by_id[target].examples)
        pairs += [(i, t) for t in texts]
    return ExampleIndex.build(pairs)


on_clear(_step_index.cache_clear)


def _index_for(point: dict[str, Any]) -> ExampleIndex:
    key = json.dumps({k: point.get(k) for k in ("expectations", "misconceptions", "ladder")}, sort_keys=True)
    return _step_index(key, point.get("code"))


@lru_cache(maxsize=256)
def _step_words(point_key: str) -> tuple[tuple[Any, ...], ...]:
    point = json.loads(point_key)
    return tuple(tuple(features(t) for t in (*step_phrasings(step), step["hint"]))
                 for step in point.get("ladder") or [])


on_clear(_step_words.cache_clear)

CONTAINMENT_WEIGHT = 0.15  # how much of the question's rare words the step's own wording covers
CURRENT_STEP_BONUS = 0.08  # an ambiguous question is most likely about the step being worked on


_VAGUE = frozenset("confus confusing confused understand get getting help stuck topic sense hard difficult "
                   "lost explain work learn revise revision struggle struggling idea ideas really need".split())


def names_only_the_topic(point: dict[str, Any], text: str) -> bool:
    """True when `text` says no more than the topic's name ("elasticity makes no sense"): no step is asked."""
    from curriculum.similarity import STOPWORDS, stem
    from curriculum.text_forms import canonical

    named = " ".join([point.get("title") or "", *(t["term"] for t in point.get("key_terms", []))])
    topic = {stem(w) for w in canonical(named).split()}
    words = [w for w in canonical(text).split() if len(w) > 2 and w not in STOPWORDS and w not in _VAGUE]
    return all(stem(w) in topic for w in words)


def question_focus(point: dict[str, Any], text: str, *, reached: tuple[str, ...] = (),
                   current: int | None = None) -> Focus:
    """The step (and stated misconception) `text` asks about; steps whose targets are all reached rank last."""
    ladder = point.get("ladder", [])
    if not ladder:
        return Focus(None, None, 0.0)
    if names_only_the_topic(point, text):
        return Focus(current if current is not None else 0, None, 0.0)
    index = _index_for(point)
    grams = features(text)
    own = _step_words(json.dumps({"ladder": ladder}, sort_keys=True))
    expectations = {e["id"]: e for e in point.get("expectations", [])}
    best: tuple[float, int] | None = None
    scores: dict[int, float] = {}
    for i, step in enumerate(ladder):
        score = index.similarity(grams, i) + CONTAINMENT_WEIGHT * index.containment(grams, own[i])
        cue_share = max((match_cues(text, expectations[t]["cues"]).matched / max(len(expectations[t]["cues"]), 1)
                         for t in step["targets"] if t in expectations), default=0.0)
        score += 0.25 * cue_share + (CURRENT_STEP_BONUS if i == current else 0.0)
        if all(t in reached for t in step["targets"]):
            score *= 0.5  # already done: only if nothing else fits
        scores[i] = score
        if best is None or score > best[0] + 1e-9:
            best = (score, i)
    assert best is not None
    default = current if current is not None else 0
    if best[1] != default and best[0] < scores.get(default, 0.0) + FOCUS_MARGIN:
        best = (scores.get(default, 0.0), default)
    recognition = recognise(point, text)
    # a struggle names a misconception only when it states it outright (its cue groups, not mere similarity)
    found = recognition.misconception
    mis = found.key if found is not None and found.how == "cues" else None
    step = best[1] if best[0] >= MIN_FOCUS else None
    return Focus(step, str(mis) if mis else None, best[0])
