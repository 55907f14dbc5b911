"""SM-2 spaced repetition (DESIGN.md §4.1): one review step, and the mappings that turn what happened to a
student (a marked answer, a closed coaching session) into an SM-2 quality grade 0..5.

The easiness factor is kept within [1.3, 2.5]: the seed's validation rule, which this project follows
instead of canonical SM-2's open ceiling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EF_MIN = 1.3
EF_MAX = 2.5
EF_DEFAULT = 2.5


@dataclass(frozen=True)
class SM2State:
    """One topic's SM-2 state: easiness factor, current interval in days, successful repetitions in a row."""

    ef: float = EF_DEFAULT
    interval: int = 0
    repetitions: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.ef, bool) or not isinstance(self.ef, (int, float)) or not EF_MIN <= self.ef <= EF_MAX:
            raise ValueError(f"ef must be within {EF_MIN}..{EF_MAX}, got {self.ef!r}")
        for name in ("interval", "repetitions"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


def _check_quality(quality: int) -> None:
    if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 5:
        raise ValueError(f"quality must be an integer 0..5, got {quality!r}")


def updated_ef(ef: float, quality: int) -> float:
    """EF' = EF + (0.1 − (5−q)(0.08 + (5−q)·0.02)), clamped to [1.3, 2.5] and rounded to 2 decimals."""
    _check_quality(quality)
    miss = 5 - quality
    new = ef + (0.1 - miss * (0.08 + miss * 0.02))
    return round(min(EF_MAX, max(EF_MIN, new)), 2)


def review(state: SM2State, quality: int) -> SM2State:
    """Apply one SM-2 review with quality 0..5 and return the new state.

    Success (q ≥ 3): the interval becomes 1 after the first success, 6 after the second, and afterwards
    ceil(interval × EF) using the EF *before* this review's update; repetitions += 1.
    Failure (q < 3): repetitions restart at 0 and the topic comes back the next day (interval 1).
    Either way the EF is then updated with `updated_ef`.
    """
    _check_quality(quality)
    if quality >= 3:
        if state.repetitions == 0:
            interval = 1
        elif state.repetitions == 1:
            interval = 6
        else:
            # round() first so float drift (e.g. 6 × 2.5 = 15.000000000000002) cannot add a day
            interval = max(1, math.ceil(round(state.interval * state.ef, 9)))
        repetitions = state.repetitions + 1
    else:
        interval, repetitions = 1, 0
    return SM2State(ef=updated_ef(state.ef, quality), interval=interval, repetitions=repetitions)


# Lower bounds on the fraction of marks for each grade, best first. 0.6 (roughly a C) is the first pass.
_FRACTION_BANDS = ((0.9, 5), (0.75, 4), (0.6, 3), (0.4, 2), (0.2, 1))


def quality_from_fraction(fraction_of_marks: float) -> int:
    """SM-2 quality for a marked answer from the fraction of marks it earned (0..1).

    ≥ 0.9 → 5, ≥ 0.75 → 4, ≥ 0.6 → 3 (the lowest passing grade), ≥ 0.4 → 2, ≥ 0.2 → 1, otherwise 0.
    A fraction outside 0..1 (or not a number) raises ValueError.
    """
    is_number = isinstance(fraction_of_marks, (int, float)) and not isinstance(fraction_of_marks, bool)
    if not (is_number and math.isfinite(fraction_of_marks) and 0.0 <= fraction_of_marks <= 1.0):
        raise ValueError(f"fraction_of_marks must be a number within 0..1, got {fraction_of_marks!r}")
    for lower_bound, quality in _FRACTION_BANDS:
        if fraction_of_marks >= lower_bound:
            return quality
    return 0


# A resolved session is a success with some effort (4, not 5: one session is not mastery); needing more
# help is a near miss (2); a referral to the teacher means the student could not get there (1).
_OUTCOME_QUALITY = {"resolved": 4, "needs_more_help": 2, "refer_to_teacher": 1}


def quality_from_outcome(outcome: str) -> int:
    """SM-2 quality for a closed coaching session: resolved → 4, needs_more_help → 2, refer_to_teacher → 1.

    `in_progress` (the session is not closed yet) and unknown outcomes raise ValueError.
    """
    if outcome == "in_progress":
        raise ValueError("outcome 'in_progress' has no quality: the coaching session is not closed yet")
    try:
        return _OUTCOME_QUALITY[outcome]
    except (KeyError, TypeError):
        raise ValueError(
            f"outcome must be one of {', '.join(_OUTCOME_QUALITY)}, got {outcome!r}"
        ) from None
