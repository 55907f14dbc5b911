"""Confidence gating for a marked answer (DESIGN.md §4.2): a 0..100 score from the marking's evidence and the
seed's rule that a score under 70 sends the answer to manual review.

`score(signals)` starts at 100 (75 for an offline mark) and subtracts:
- Disagreement between the two independent markings: 100 × |marker_total − second_total| / max_marks
  (2 marks apart out of 12 costs 17; a third of the marks apart forces review on its own).
- Marker certainty (0..1, as the marker reports it): 40 × (1 − certainty) (certainty 0.5 costs 20).
- Level boundary: when the mark is within 1 mark of a level-descriptor boundary, 15 × (1 − distance)
  (on the boundary costs 15, half a mark away 7.5, a mark or more away nothing; None = not levelled).
- Answer anomalies (tools.answer_checks), each counted once: empty 35, very_short 15, off_topic 25,
  instruction_to_marker 100 (always forces review), anything else 15.
- Offline fallback: the score starts from 75 instead of 100 (so it is capped at 75 and the other
  penalties come off that), so an offline mark passes the default gate of 70 only when the other
  penalties total at most 5 — everything else clean.
The result is rounded half up and clamped to 0..100.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_THRESHOLD = 70

DISAGREEMENT_WEIGHT = 100.0
CERTAINTY_WEIGHT = 40.0
BOUNDARY_WEIGHT = 15.0
BOUNDARY_WINDOW = 1.0  # marks
ANOMALY_PENALTIES = {"empty": 35.0, "very_short": 15.0, "off_topic": 25.0, "instruction_to_marker": 100.0,
                     "encoded_blob": 100.0, "hidden_text": 100.0}
UNKNOWN_ANOMALY_PENALTY = 15.0
OFFLINE_CAP = 75


def _number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{field} must be a finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class ConfidenceSignals:
    """The evidence behind one mark. Totals are in marks (0..max_marks); certainty is 0..1;
    boundary_distance is marks from the nearest level boundary, None if the question is not levelled."""

    marker_total: float
    second_total: float
    max_marks: int
    marker_certainty: float
    boundary_distance: float | None
    anomalies: tuple[str, ...] = ()
    offline: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.max_marks, bool) or not isinstance(self.max_marks, int) or self.max_marks < 1:
            raise ValueError(f"max_marks must be a positive integer, got {self.max_marks!r}")
        for field in ("marker_total", "second_total"):
            value = _number(getattr(self, field), field)
            if not 0 <= value <= self.max_marks:
                raise ValueError(f"{field} must be within 0..{self.max_marks}, got {value}")
        if not 0 <= _number(self.marker_certainty, "marker_certainty") <= 1:
            raise ValueError(f"marker_certainty must be within 0..1, got {self.marker_certainty}")
        if self.boundary_distance is not None and _number(self.boundary_distance, "boundary_distance") < 0:
            raise ValueError(f"boundary_distance must be ≥ 0 marks, got {self.boundary_distance}")
        if isinstance(self.anomalies, str) or not all(isinstance(a, str) for a in self.anomalies):
            raise ValueError("anomalies must be a tuple of anomaly names")
        object.__setattr__(self, "anomalies", tuple(self.anomalies))


def score(signals: ConfidenceSignals) -> int:
    """Confidence 0..100 that the mark is right; the weights are in the module docstring."""
    value = float(OFFLINE_CAP) if signals.offline else 100.0
    value -= DISAGREEMENT_WEIGHT * abs(signals.marker_total - signals.second_total) / signals.max_marks
    value -= CERTAINTY_WEIGHT * (1.0 - signals.marker_certainty)
    if signals.boundary_distance is not None and signals.boundary_distance < BOUNDARY_WINDOW:
        value -= BOUNDARY_WEIGHT * (1.0 - signals.boundary_distance / BOUNDARY_WINDOW)
    for anomaly in dict.fromkeys(signals.anomalies):
        value -= ANOMALY_PENALTIES.get(anomaly, UNKNOWN_ANOMALY_PENALTY)
    return int(min(100, max(0, math.floor(value + 0.5))))


def needs_review(confidence: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """The seed's gate: True (queue for manual review) when confidence < threshold (70 by default)."""
    for name, value in (("confidence", confidence), ("threshold", threshold)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise ValueError(f"{name} must be an integer 0..100, got {value!r}")
    return confidence < threshold
