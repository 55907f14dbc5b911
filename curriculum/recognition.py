"""Recognising ideas in a student's own words — the one matching layer the Coach and the Marker share.

`recognise(point, text)` says which of a syllabus point's expectations the text positively shows, and which
misconception (if any) it positively states, from two kinds of evidence:
- the cue groups (`curriculum.cue_match`: canonical forms, misspellings, symbols, negation), and
- nearest examples (`curriculum.similarity`): the idea's own statement and student-style examples written for
  tuning (`curriculum/<subject>/examples/*.yaml`; never the evaluation's held-out sets).

Crediting needs positive evidence: every cue group matched (none only in negated form), or all groups but one
matched AND the text close to the idea's examples — and, for that relaxed route, closer to the idea than to
any of the point's misconceptions (similarity alone mostly measures being on topic). A misconception needs
its cue groups positively matched (so "it's not that a tax shifts demand" is no misconception) or, relaxed,
all but one group and a clearly closer match to the misconception's examples than to any expectation.
Anything else on topic is *unverified*, never wrong: the caller asks the student to say more.

`recognise_items(text, items)` applies the same rule to any list of `(key, cues, examples)` — the Marker's
mark-scheme points use it.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from curriculum.cue_match import DENIAL_WINDOW, NEGATION_WINDOW, CueMatch, match_cues
from curriculum.similarity import ExampleIndex, features

RELAXED_SIMILARITY = 0.25  # all groups but one + this close to the idea's examples → credited
CLOSE_SIMILARITY = 0.55  # this close to an example with at least one group → credited
CONTRAST_MARGIN = 0.05  # an idea must beat every rival (misconception vs expectation) by this much
CONTEXT_MIN_WORDS = 5  # a reply must say something of its own before the question fills in its topic
# With a two-group idea the student's words hold only one group when the question fills the other: then their
# words must also be this close to the idea's examples ("both are kinda unfair tbh" is not an answer on equity).
CONTEXT_TWO_GROUP_SIMILARITY = 0.10
CUE_CONTRAST = 0.15  # even a full cue match is held back when the words are this much closer to a rival


@dataclass(frozen=True)
class Item:
    """One recognisable idea: a key, its cue groups and example texts."""

    key: Hashable
    cues: Sequence[Sequence[str]]
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """Why an item was recognised: `how` is "cues", "context", "relaxed" or "similar"."""

    key: Hashable
    how: str
    similarity: float
    cues: CueMatch


@dataclass
class Recognition:
    """What one student message shows about a syllabus point."""

    expectations: list[Evidence] = field(default_factory=list)
    misconception: Evidence | None = None
    negated_misconceptions: list[str] = field(default_factory=list)  # stated only to be denied
    best_similarity: float = 0.0  # to anything of the point: a measure of being on topic

    @property
    def expectation_ids(self) -> list[str]:
        """Ids of the expectations the text shows, best evidence first."""
        return [str(e.key) for e in self.expectations]


def _index(items: Sequence[Item]) -> ExampleIndex:
    return ExampleIndex.build((item.key, text) for item in items for text in item.examples)


def _assess(item: Item, grams: Any, text: str, index: ExampleIndex, *,
            negation: bool = False) -> tuple[CueMatch, float]:
    window = DENIAL_WINDOW if negation else NEGATION_WINDOW
    return match_cues(text, item.cues, negation=negation, window=window), index.similarity(grams, item.key)


def _credited(cm: CueMatch, sim: float, rival: float) -> str | None:
    if cm.full:
        return "cues" if rival - sim <= CUE_CONTRAST else None
    contrast = sim >= rival + CONTRAST_MARGIN
    if cm.total >= 2 and cm.missing == 1 and cm.negated == 0 and sim >= RELAXED_SIMILARITY and contrast:
        return "relaxed"
    if cm.matched >= 1 and cm.negated == 0 and sim >= CLOSE_SIMILARITY and contrast:
        return "similar"
    return None


def recognise_items(text: str, items: Sequence[Item], rivals: Sequence[Item] = (),
                    index: ExampleIndex | None = None) -> list[Evidence]:
    """The items `text` positively shows, contrasted with `rivals` (e.g. misconceptions), best first."""
    index = index or _index([*items, *rivals])
    grams = features(text)
    rival_best = max((index.similarity(grams, r.key) for r in rivals), default=0.0)
    found = []
    for item in items:
        cm, sim = _assess(item, grams, text, index)
        how = _credited(cm, sim, rival_best)
        if how:
            found.append(Evidence(item.key, how, sim, cm))
    order = {"cues": 0, "context": 1, "relaxed": 2, "similar": 3}
    return sorted(found, key=lambda e: (order[e.how], -e.similarity))


@lru_cache(maxsize=256)
def _point_items(code: str | None, point_key: str) -> tuple[tuple[Item, ...], tuple[Item, ...], ExampleIndex]:
    import json

    from curriculum.examples import examples_for

    point = json.loads(point_key)
    extra = examples_for(code) if code else {}
    expectations = tuple(
        Item(e["id"], tuple(map(tuple, e["cues"])), (e["idea"], *extra.get(("expectation", e["id"]), ())))
        for e in point.get("expectations") or [])
    misconceptions = tuple(
        Item(m["id"], tuple(map(tuple, m["cues"])), (m["statement"], *extra.get(("misconception", m["id"]), ())))
        for m in point.get("misconceptions") or [])
    return expectations, misconceptions, _index([*expectations, *misconceptions])


def point_items(point: dict[str, Any]) -> tuple[tuple[Item, ...], tuple[Item, ...], ExampleIndex]:
    """(expectation items, misconception items, their example index) of a syllabus point dict (cached)."""
    import json

    key = json.dumps({k: point.get(k) for k in ("expectations", "misconceptions")}, sort_keys=True)
    return _point_items(point.get("code"), key)


def _context_completes(item: Item, cm: CueMatch, text: str, context: str, sim: float) -> bool:
    """All groups but one are in the student's words and the missing one is the topic of the question asked."""
    if not context or cm.total < 2 or cm.missing != 1 or cm.negated or len(text.split()) < CONTEXT_MIN_WORDS:
        return False
    if cm.total == 2 and sim < CONTEXT_TWO_GROUP_SIMILARITY:
        return False
    present = [match_cues(text, [group]).matched for group in item.cues]
    missing = [group for group, hit in zip(item.cues, present) if not hit]
    return len(missing) == 1 and match_cues(context, missing).full


def recognise(point: dict[str, Any], text: str, *, context: str = "") -> Recognition:
    """What `text` shows about `point` (see module docstring).

    `context` is the question the student was answering: a cue group it matches may be left implicit in the
    reply (the topic of the question), when every other group is in the student's own words.
    """
    expectations, misconceptions, index = point_items(point)
    grams = features(text)
    exp_scores = {e.key: _assess(e, grams, text, index) for e in expectations}
    mis_scores = {m.key: _assess(m, grams, text, index, negation=True) for m in misconceptions}
    best_mis = max((s for _, s in mis_scores.values()), default=0.0)
    best_exp = max((s for _, s in exp_scores.values()), default=0.0)
    result = Recognition(best_similarity=max(best_mis, best_exp))
    order = {"cues": 0, "context": 1, "relaxed": 2, "similar": 3}
    items = {e.key: e for e in expectations}
    for key, (cm, sim) in exp_scores.items():
        how = _credited(cm, sim, best_mis)
        if how is None and _context_completes(items[key], cm, text, context, sim):
            how = "context"
        if how:
            result.expectations.append(Evidence(key, how, sim, cm))
    result.expectations.sort(key=lambda e: (order[e.how], -e.similarity))
    candidates = []
    for key, (cm, sim) in mis_scores.items():
        if cm.negated and not cm.full:
            result.negated_misconceptions.append(str(key))
        how = _credited(cm, sim, best_exp)
        if how:
            candidates.append(Evidence(key, how, sim, cm))
    if candidates:
        result.misconception = min(candidates, key=lambda e: (order[e.how], -e.similarity))
    return _one_reading(result, order)


def _one_reading(result: Recognition, order: dict[str, int]) -> Recognition:
    """When the same words read both as an expected idea and as a misconception, keep the stronger reading.

    They are usually one claim matched twice ("subsidy makes fares cheaper so demand shifts right" hits the
    subsidy idea's cues and the shifts-demand misconception): crediting it and probing it at once tells the
    student they are right and wrong in one breath. Stronger = better route (cues, context, relaxed, similar),
    then higher similarity to its examples.
    """
    mis = result.misconception
    if mis is None or not result.expectations:
        return result
    best = result.expectations[0]
    if (order[mis.how], -mis.similarity) < (order[best.how], -best.similarity):
        result.expectations = []
    else:
        result.misconception = None
    return result


def clear_caches() -> None:
    """Forget cached example indexes (after the examples change)."""
    _point_items.cache_clear()
    for hook in _CLEAR_HOOKS:
        hook()


_CLEAR_HOOKS: list[Any] = []


def on_clear(hook: Any) -> Any:
    """Register a cache-clearing function of a module built on this layer (returns it, for use as a decorator)."""
    _CLEAR_HOOKS.append(hook)
    return hook
