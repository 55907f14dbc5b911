"""The Marker's independent second reading: the marks of the nearest blind-marked answers to the same question.

Point coverage (`agents.rubric`) reads an answer against the mark scheme's cues; this reading never looks at
the cues. It places the answer among answers to the same question that examiners have marked — the
curriculum's reference answers and the development set's blind-marked answers bundled in
`curriculum/<subject>/examples/marker_answers.yaml` (never the held-out sets) — by TF-IDF similarity
(`curriculum.similarity`), and gives the similarity-weighted marks of the closest ones per AO. Its errors
come from different evidence than coverage's, so when the two disagree the disagreement carries information
for the confidence gate. An example whose text is the answer itself is skipped (so a bundled answer is
read leave-one-out). `support` is the best similarity: low support means no example is close.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from curriculum.schema import AO_NAMES
from curriculum.similarity import ExampleIndex, features

ROOT = Path(__file__).resolve().parent.parent / "curriculum"
NEIGHBOURS = 3


@dataclass(frozen=True)
class NearestReading:
    """Marks per AO from the nearest marked answers, their total, and how close the closest one is."""

    ao_marks: dict[str, float]
    support: float
    examples: int

    @property
    def total(self) -> float:
        """Sum of the AO estimates."""
        return sum(self.ao_marks.values())


@lru_cache(maxsize=1)
def _marked_answers() -> dict[str, list[tuple[str, dict[str, int]]]]:
    from curriculum.loader import get_curriculum

    found: dict[str, list[tuple[str, dict[str, int]]]] = {}
    for question in get_curriculum().questions.values():
        for ref in question.reference_answers:
            found.setdefault(question.ref, []).append((ref.answer, {ao: ref.marks.get(ao) for ao in AO_NAMES}))
    for path in sorted(ROOT.glob("*/examples/marker_answers*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            marks = {ao: int(entry["marks"].get(ao, 0)) for ao in AO_NAMES}
            found.setdefault(str(entry["question"]), []).append((str(entry["answer"]), marks))
    return found


@lru_cache(maxsize=128)
def _index(ref: str) -> tuple[ExampleIndex, tuple[tuple[str, dict[str, int]], ...]]:
    answers = tuple(_marked_answers().get(ref, ()))
    return ExampleIndex.build((i, text) for i, (text, _) in enumerate(answers)), answers


def nearest_reading(ref: str, answer: str) -> NearestReading | None:
    """The nearest marked answers' marks for this question's answer (None when none are bundled)."""
    index, answers = _index(ref)
    grams = features(answer or "")
    own = " ".join((answer or "").split())
    scored = sorted(((index.similarity(grams, i), marks) for i, (text, marks) in enumerate(answers)
                     if " ".join(text.split()) != own), key=lambda pair: -pair[0])[:NEIGHBOURS]
    if not scored:
        return None
    weights = [max(sim, 1e-6) ** 2 for sim, _ in scored]
    total = sum(weights)
    marks = {ao: sum(w * m[ao] for w, (_, m) in zip(weights, scored)) / total for ao in AO_NAMES}
    return NearestReading(ao_marks=marks, support=scored[0][0], examples=len(scored))


OTHER_QUESTION_OWN_MAX = 0.10  # the answer is far from every marked answer to its own question…
OTHER_QUESTION_MARGIN = 0.09  # …and clearly closer to the marked answers of another question


def other_question(ref: str, answer: str) -> str | None:
    """The bundled question whose marked answers this answer resembles instead of its own (None if none).

    A student who answers a neighbouring question (the price elasticity of demand asked about supply,
    monetary policy for fiscal) uses the topic's words, so a word check calls it on topic and point cues
    can credit it; placed among every question's marked answers, it sits with the other question's.
    """
    own = nearest_reading(ref, answer)
    if own is None or own.support >= OTHER_QUESTION_OWN_MAX:
        return None
    best, best_ref = 0.0, None
    for other in _marked_answers():
        if other != ref and (near := nearest_reading(other, answer)) is not None and near.support > best:
            best, best_ref = near.support, other
    return best_ref if best >= own.support + OTHER_QUESTION_MARGIN else None
