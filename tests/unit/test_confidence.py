"""Confidence gating (tools/confidence.py): each signal's direction, the bounds and the < 70 rule."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.confidence import (
    SCALE,
    ConfidenceSignals,
    big_error_probability,
    forced_review,
    needs_review,
    score,
)

CLEAN = ConfidenceSignals(marker_total=8, second_total=8, max_marks=12, marker_certainty=1.0, boundary_distance=None)


def test_clean_agreeing_certain_mark_passes_and_is_the_base_rate() -> None:
    # agreement leaves the fitted model's base rate of big errors: confidence = 100 − SCALE × P(big error)
    assert score(CLEAN) == round(100 - SCALE * big_error_probability(CLEAN))
    assert 70 <= score(CLEAN) < 100 and not needs_review(score(CLEAN))


def test_the_fitted_evidence_lowers_confidence_each_in_its_direction() -> None:
    for worse in (replace(CLEAN, levels_total=2), replace(CLEAN, soft_credits=2),
                  replace(CLEAN, support=1.0)):
        assert big_error_probability(worse) > big_error_probability(CLEAN)
        assert score(worse) < score(CLEAN)


@pytest.mark.parametrize("anomaly", ["instruction_to_marker", "encoded_blob", "hidden_text", "pasted_scheme"])
def test_forcing_anomalies_always_send_to_review(anomaly: str) -> None:
    assert forced_review((anomaly, "very_short")) == [anomaly]
    assert needs_review(score(replace(CLEAN, anomalies=(anomaly,))))


@pytest.mark.parametrize("second", [7, 6, 4, 0])
def test_more_disagreement_lowers_confidence(second: int) -> None:
    closer = replace(CLEAN, second_total=second + 1)
    assert score(replace(CLEAN, second_total=second)) < score(closer)


def test_large_disagreement_alone_forces_review() -> None:
    assert needs_review(score(replace(CLEAN, marker_total=12, second_total=0)))  # all the marks apart
    assert not needs_review(score(replace(CLEAN, second_total=7)))  # one mark apart


@pytest.mark.parametrize(("lower", "higher"), [(0.0, 0.3), (0.3, 0.6), (0.6, 0.9), (0.9, 1.0)])
def test_lower_certainty_lowers_confidence(lower: float, higher: float) -> None:
    assert score(replace(CLEAN, marker_certainty=lower)) < score(replace(CLEAN, marker_certainty=higher))


@pytest.mark.parametrize(("closer", "further"), [(0.0, 0.5), (0.5, 0.9)])
def test_closer_to_a_level_boundary_lowers_confidence(closer: float, further: float) -> None:
    assert score(replace(CLEAN, boundary_distance=closer)) < score(replace(CLEAN, boundary_distance=further))


def test_boundary_only_counts_within_one_mark() -> None:
    assert score(replace(CLEAN, boundary_distance=1.0)) == score(replace(CLEAN, boundary_distance=4.0)) == score(CLEAN)
    assert score(replace(CLEAN, boundary_distance=0.0)) < score(CLEAN)


@pytest.mark.parametrize("anomaly", ["empty", "very_short", "off_topic", "instruction_to_marker", "something_new"])
def test_each_anomaly_lowers_confidence(anomaly: str) -> None:
    assert score(replace(CLEAN, anomalies=(anomaly,))) < score(CLEAN)
    two = ("off_topic", anomaly) if anomaly != "off_topic" else ("very_short", anomaly)
    single = score(replace(CLEAN, anomalies=(anomaly,)))
    assert score(replace(CLEAN, anomalies=two)) < single or single == 0  # a second anomaly costs more


def test_an_instruction_to_the_marker_always_forces_review() -> None:
    assert needs_review(score(replace(CLEAN, anomalies=("instruction_to_marker",))))


def test_offline_marks_are_judged_by_the_fitted_evidence_not_a_cap() -> None:
    offline = replace(CLEAN, offline=True)
    assert score(offline) == score(CLEAN) and not needs_review(score(offline))
    # the offline marker's certainty is a rule of thumb, not evidence; an LLM's stated certainty counts
    assert score(replace(offline, marker_certainty=0.5)) == score(offline)
    assert score(replace(CLEAN, marker_certainty=0.5)) < score(CLEAN)


signals = st.builds(
    lambda m, a, b, c, d, anomalies, offline: ConfidenceSignals(
        marker_total=a * m, second_total=b * m, max_marks=m, marker_certainty=c, boundary_distance=d,
        anomalies=tuple(anomalies), offline=offline,
    ),
    st.integers(1, 50), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1),
    st.none() | st.floats(0, 10),
    st.lists(st.sampled_from(["empty", "very_short", "off_topic", "instruction_to_marker", "x"]), max_size=4),
    st.booleans(),
)


@given(signals)
def test_score_is_an_integer_between_0_and_100(s: ConfidenceSignals) -> None:
    value = score(s)
    assert isinstance(value, int) and 0 <= value <= 100
    assert score(replace(s, marker_certainty=1.0)) >= value  # certainty can only help


@given(signals, st.floats(0, 1))
def test_more_disagreement_never_raises_confidence(s: ConfidenceSignals, extra: float) -> None:
    further = min(s.max_marks, abs(s.marker_total - s.second_total) + extra)
    wider = replace(s, marker_total=0.0, second_total=further)
    narrower = replace(s, marker_total=0.0, second_total=abs(s.marker_total - s.second_total))
    assert score(wider) <= score(narrower)


@pytest.mark.parametrize(("confidence", "expected"), [(69, True), (70, False), (71, False), (0, True), (100, False)])
def test_needs_review_below_70(confidence: int, expected: bool) -> None:
    assert needs_review(confidence) is expected


def test_needs_review_threshold_is_a_parameter() -> None:
    assert needs_review(79, threshold=80) and not needs_review(80, threshold=80)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_marks": 0}, {"max_marks": True}, {"marker_total": 13}, {"second_total": -1},
        {"marker_certainty": 1.5}, {"marker_certainty": float("nan")}, {"boundary_distance": -0.5},
        {"anomalies": "empty"},
    ],
)
def test_invalid_signals_are_rejected_with_the_field(kwargs: dict) -> None:
    field = next(iter(kwargs))
    with pytest.raises(ValueError, match=field):
        replace(CLEAN, **kwargs)


@pytest.mark.parametrize(("confidence", "threshold"), [(101, 70), (-1, 70), (70.0, 70), (70, 101)])
def test_needs_review_rejects_out_of_range(confidence: object, threshold: object) -> None:
    with pytest.raises(ValueError):
        needs_review(confidence, threshold)  # type: ignore[arg-type]


def test_a_partial_offline_mark_on_a_small_question_is_riskier() -> None:
    from tools.confidence import fragile

    assert fragile(2, 3) and fragile(1, 4) and not fragile(0, 3) and not fragile(3, 3) and not fragile(4, 8)
    partial = ConfidenceSignals(marker_total=2, second_total=2, max_marks=3, marker_certainty=0.9,
                                boundary_distance=None, offline=True)
    full = replace(partial, marker_total=3, second_total=3)
    assert big_error_probability(partial) > big_error_probability(full)
