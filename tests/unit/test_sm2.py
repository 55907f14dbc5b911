"""SM-2 review step and the quality mappings (tools/sm2.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.sm2 import SM2State, quality_from_fraction, quality_from_outcome, review, updated_ef


def test_worked_example_from_the_issue() -> None:
    assert review(SM2State(ef=2.3, interval=12, repetitions=3), 3) == SM2State(ef=2.16, interval=28, repetitions=4)


def test_four_good_reviews_from_fresh_give_1_6_15_38() -> None:
    state, intervals = SM2State(), []
    for _ in range(4):
        state = review(state, 4)
        intervals.append(state.interval)
    assert intervals == [1, 6, 15, 38]
    assert state.ef == 2.5 and state.repetitions == 4


def test_failure_resets_repetitions_and_brings_topic_back_tomorrow() -> None:
    state = review(SM2State(ef=2.0, interval=40, repetitions=6), 2)
    assert (state.interval, state.repetitions) == (1, 0)
    assert state.ef == 1.68  # 2.0 + (0.1 - 3 * (0.08 + 3 * 0.02))


@pytest.mark.parametrize(("quality", "ef"), [(5, 2.3), (4, 2.2), (3, 2.06), (2, 1.88), (1, 1.66), (0, 1.4)])
def test_ef_update_per_quality(quality: int, ef: float) -> None:
    assert updated_ef(2.2, quality) == ef


def test_ef_is_clamped_to_seed_range() -> None:
    assert updated_ef(2.5, 5) == 2.5
    assert updated_ef(1.4, 0) == 1.3


def test_interval_uses_ef_before_the_update() -> None:
    # with the updated EF (1.3 after q=3 from 1.44) the interval would be ceil(10 × 1.3) = 13, not 15
    assert review(SM2State(ef=1.44, interval=10, repetitions=2), 3).interval == 15


@pytest.mark.parametrize("quality", [-1, 6, 2.5, True, "4", None])
def test_bad_quality_is_rejected(quality: object) -> None:
    with pytest.raises(ValueError, match="quality"):
        review(SM2State(), quality)  # type: ignore[arg-type]


@given(
    st.integers(130, 250).map(lambda n: n / 100),
    st.integers(0, 400),
    st.integers(0, 20),
    st.lists(st.integers(0, 5), min_size=1, max_size=30),
)
def test_ef_stays_in_range_on_two_decimals_and_intervals_positive(
    ef: float, interval: int, reps: int, grades: list[int]
) -> None:
    state = SM2State(ef=ef, interval=interval, repetitions=reps)
    for q in grades:
        previous = state
        state = review(state, q)
        assert 1.3 <= state.ef <= 2.5
        assert state.ef == round(state.ef, 2)
        assert state.interval >= 1
        if q >= 3 and previous.repetitions >= 2:
            assert state.interval >= previous.interval  # EF ≥ 1.3 means a success never shortens the gap


@pytest.mark.parametrize(
    ("fraction", "quality"),
    [(1.0, 5), (0.9, 5), (0.89, 4), (0.75, 4), (0.74, 3), (0.6, 3), (0.59, 2), (0.4, 2), (0.39, 1), (0.2, 1),
     (0.19, 0), (0.0, 0)],
)
def test_quality_from_fraction_bands(fraction: float, quality: int) -> None:
    assert quality_from_fraction(fraction) == quality


@pytest.mark.parametrize("fraction", [-0.1, 1.01, float("nan"), "0.5", None, True])
def test_quality_from_fraction_rejects_out_of_range(fraction: object) -> None:
    with pytest.raises(ValueError, match="fraction_of_marks"):
        quality_from_fraction(fraction)  # type: ignore[arg-type]


@given(st.floats(0, 1), st.floats(0, 1))
def test_more_marks_never_give_a_lower_quality(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert quality_from_fraction(lo) <= quality_from_fraction(hi)


def test_quality_from_outcome() -> None:
    assert quality_from_outcome("resolved") == 4
    assert quality_from_outcome("needs_more_help") == 2
    assert quality_from_outcome("refer_to_teacher") == 1
    assert review(SM2State(), quality_from_outcome("resolved")).repetitions == 1  # a pass
    assert review(SM2State(), quality_from_outcome("needs_more_help")).repetitions == 0  # a miss


@pytest.mark.parametrize("outcome", ["in_progress", "finished", "", None])
def test_quality_from_outcome_rejects_open_or_unknown(outcome: object) -> None:
    with pytest.raises(ValueError, match="outcome"):
        quality_from_outcome(outcome)  # type: ignore[arg-type]


@pytest.mark.parametrize(("ef", "interval", "reps"), [(1.2, 0, 0), (2.6, 0, 0), (2.5, -1, 0), (2.5, 0, -1)])
def test_invalid_state_is_rejected(ef: float, interval: int, reps: int) -> None:
    with pytest.raises(ValueError):
        SM2State(ef=ef, interval=interval, repetitions=reps)
