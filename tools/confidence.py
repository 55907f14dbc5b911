"""Confidence gating for a marked answer (DESIGN.md §4.2): a 0..100 score that predicts the Marker's error,
and the seed's rule that a score under 70 sends the answer to manual review.

`score(signals)` = 100 − 125 × P(big error) − the forced penalties, rounded half up and clamped to 0..100.
P(big error) (|error| ≥ 25% of the maximum) is a logistic model of the marking's evidence whose weights were
fitted on the development set's blind-marked answers (`python -m evals.marker_calibrate`; never on the
held-out set, which only reports how well they carry over):
- disagreement between the mark and an independent second reading that never looks at the cues (the nearest
  blind-marked answers' marks, `agents.marker_nearest`; beside an LLM mark, the rubric coverage mark), as a
  share of the maximum;
- disagreement with the descriptor-first reading of levels (`agents.rubric`, `levels_first`);
- a define question;
- a fragile offline mark: a partial mark on a question where one mark is already a big error (max ≤ 4);
- how close the nearest marked answer is (support);
- a key-term list; points credited only through nearest examples, not every cue group (soft credits).
The scale (88) maps P = 0.34 to 70, so the default gate sends an answer to the Reviewer when the model's
estimated chance of a big error exceeds about a third (chosen on dev: ~33% reach a person; dev's base rate
of big errors is 25%).
Then, each counted once: an LLM mark and the rubric reading at least half the maximum apart cost 30
(one of them is badly wrong, whatever the fitted model says); an LLM marker's own certainty below 1 costs 35 × (1 − certainty) (the offline
marker's certainty is not a measurement and is left to the fitted model); a mark on a level
boundary costs up to 5; anomalies `empty` 35, `very_short` 10, `off_topic` 25, `answers_other_question` 25, `keyword_list` 0 (a list is
held at the lowest level by the rubric; the fitted model decides whether it is risky), and
`instruction_to_marker`, `encoded_blob`, `hidden_text`, `pasted_scheme` 100 (they always force review).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_THRESHOLD = 70

# Logistic weights for P(big error), fitted on evals/dev/marker_answers_dev.yaml (python -m evals.marker_calibrate).
BIAS = -1.70
W_DISAGREEMENT = 0.95
W_LEVELS_DISAGREEMENT = 0.32
W_DEFINE = -0.49
W_SUPPORT = 0.70
W_KEYWORD_LIST = 0.0  # fitted -0.02 ≈ 0: once lists are held at L1 they are not riskier; the anomaly penalty stays
W_SOFT_CREDIT = 0.23
W_FRAGILE = 1.21
BIG_ERROR_SHARE = 0.25  # a big error is |error| ≥ 25% of the maximum (evals.marker_sets)
SCALE = 88.0  # confidence = 100 − SCALE × P(big error); chosen on dev: ~33% reach a person

CERTAINTY_WEIGHT = 35.0
SPLIT_SHARE = 0.5
SPLIT_PENALTY = 30.0
BOUNDARY_WEIGHT = 5.0
BOUNDARY_WINDOW = 1.0  # marks
FORCING = 100.0
ANOMALY_PENALTIES = {"empty": 35.0, "very_short": 10.0, "off_topic": 25.0, "keyword_list": 0.0,
                     "answers_other_question": 25.0,
                     "instruction_to_marker": FORCING, "encoded_blob": FORCING, "hidden_text": FORCING,
                     "pasted_scheme": FORCING}
UNKNOWN_ANOMALY_PENALTY = 15.0


def _number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{field} must be a finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class ConfidenceSignals:
    """The evidence behind one mark. Totals are in marks (0..max_marks); certainty and support are 0..1;
    boundary_distance is marks from the nearest level boundary, None if the question is not levelled;
    levels_total is the descriptor-first reading's total (None = not computed)."""

    marker_total: float
    second_total: float
    max_marks: int
    marker_certainty: float
    boundary_distance: float | None
    anomalies: tuple[str, ...] = ()
    offline: bool = False
    levels_total: float | None = None
    support: float = 0.0
    soft_credits: int = 0
    keyword_list: bool = False
    define: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.max_marks, bool) or not isinstance(self.max_marks, int) or self.max_marks < 1:
            raise ValueError(f"max_marks must be a positive integer, got {self.max_marks!r}")
        for field in ("marker_total", "second_total", "levels_total"):
            if field == "levels_total" and self.levels_total is None:
                continue
            value = _number(getattr(self, field), field)
            if not 0 <= value <= self.max_marks:
                raise ValueError(f"{field} must be within 0..{self.max_marks}, got {value}")
        for field in ("marker_certainty", "support"):
            if not 0 <= _number(getattr(self, field), field) <= 1:
                raise ValueError(f"{field} must be within 0..1, got {getattr(self, field)}")
        if self.boundary_distance is not None and _number(self.boundary_distance, "boundary_distance") < 0:
            raise ValueError(f"boundary_distance must be ≥ 0 marks, got {self.boundary_distance}")
        if isinstance(self.soft_credits, bool) or not isinstance(self.soft_credits, int) or self.soft_credits < 0:
            raise ValueError(f"soft_credits must be a non-negative integer, got {self.soft_credits!r}")
        if isinstance(self.anomalies, str) or not all(isinstance(a, str) for a in self.anomalies):
            raise ValueError("anomalies must be a tuple of anomaly names")
        object.__setattr__(self, "anomalies", tuple(self.anomalies))


def fragile(marker_total: float, max_marks: int) -> bool:
    """A partial mark on a question where one mark is already a big error (max ≤ 4): the examiner's call on
    a single half-made point decides it, and on dev these are the define answers most often a mark out."""
    return max_marks * BIG_ERROR_SHARE <= 1 and 0 < marker_total < max_marks


def big_error_probability(signals: ConfidenceSignals) -> float:
    """The fitted model's estimated chance that the mark is off by ≥ 25% of the maximum."""
    top = signals.max_marks
    levels = abs(signals.marker_total - signals.levels_total) / top if signals.levels_total is not None else 0.0
    z = (BIAS + W_DISAGREEMENT * abs(signals.marker_total - signals.second_total) / top
         + W_LEVELS_DISAGREEMENT * levels + W_DEFINE * signals.define + W_SUPPORT * signals.support
         + W_KEYWORD_LIST * signals.keyword_list + W_SOFT_CREDIT * signals.soft_credits
         + W_FRAGILE * (signals.offline and fragile(signals.marker_total, top)))
    return 1.0 / (1.0 + math.exp(-z))


def score(signals: ConfidenceSignals) -> int:
    """Confidence 0..100 that the mark is right (see the module docstring for the model and penalties)."""
    value = 100.0 - SCALE * big_error_probability(signals)
    if not signals.offline:  # the offline marker's certainty is a rule of thumb; the fitted model covers it
        value -= CERTAINTY_WEIGHT * (1.0 - signals.marker_certainty)
    if signals.boundary_distance is not None and signals.boundary_distance < BOUNDARY_WINDOW:
        value -= BOUNDARY_WEIGHT * (1.0 - signals.boundary_distance / BOUNDARY_WINDOW)
    if not signals.offline and abs(signals.marker_total - signals.second_total) >= SPLIT_SHARE * signals.max_marks:
        value -= SPLIT_PENALTY  # the two readings half the scale apart: one of them is badly wrong
    for anomaly in dict.fromkeys(signals.anomalies):
        value -= ANOMALY_PENALTIES.get(anomaly, UNKNOWN_ANOMALY_PENALTY)
    return int(min(100, max(0, math.floor(value + 0.5))))


def forced_review(anomalies: tuple[str, ...] | list[str]) -> list[str]:
    """The anomalies that always send an answer to a person, whatever else the evidence says."""
    return [a for a in dict.fromkeys(anomalies) if ANOMALY_PENALTIES.get(a) == FORCING]


def needs_review(confidence: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """The seed's gate: True (queue for manual review) when confidence < threshold (70 by default)."""
    for name, value in (("confidence", confidence), ("threshold", threshold)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise ValueError(f"{name} must be an integer 0..100, got {value!r}")
    return confidence < threshold
