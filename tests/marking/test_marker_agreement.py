"""The agreement script: quadratic weighted kappa, and the offline marker against the reference marks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evals.marker_agreement import agreement, collect, main, quadratic_weighted_kappa, summarise


def test_qwk_known_values() -> None:
    assert quadratic_weighted_kappa([0, 1, 2, 3], [0, 1, 2, 3]) == 1.0
    assert quadratic_weighted_kappa([0, 1, 2, 3], [3, 2, 1, 0]) == pytest.approx(-1.0)
    # one rating off by one, by hand: observed weighted disagreement 1/9, expected 8/9 -> 1 - 1/8
    assert quadratic_weighted_kappa([0, 1, 2, 3], [0, 1, 2, 2]) == pytest.approx(0.875)
    with pytest.raises(ValueError):
        quadratic_weighted_kappa([], [])


@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=2, max_size=40))
def test_qwk_is_symmetric_and_bounded(pairs: list[tuple[int, int]]) -> None:
    gold, predicted = [g for g, _ in pairs], [p for _, p in pairs]
    value = quadratic_weighted_kappa(gold, predicted)
    assert -1.0 - 1e-9 <= value <= 1.0 + 1e-9
    assert value == pytest.approx(quadratic_weighted_kappa(predicted, gold))


def test_agreement_counts_exact_and_adjacent() -> None:
    result = agreement([0, 2, 4, 4], [0, 3, 2, 4])
    assert result["exact"] == 0.5 and result["adjacent"] == 0.75 and result["mean_difference"] == -0.25


async def test_offline_marker_agrees_with_the_reference_marks() -> None:
    rows = await collect("offline", "reference")
    summary = summarise(rows)
    assert {r["model"] for r in rows} == {"offline"} and not any(r["fallback"] for r in rows)
    assert summary["total"]["n"] == len(rows) >= 30
    # regression floor well under today's figures (QWK ~0.98 total) — a broken marker falls far below it
    assert summary["total"]["qwk"] >= 0.85 and summary["AO1"]["adjacent"] >= 0.9


async def test_heldout_report_is_labelled_and_counts_what_reaches_a_person() -> None:
    from evals.marker_agreement import render, report
    from evals.marker_sets import load_set

    items = load_set("heldout")
    assert len(items) >= 60 and len({i["ref"] for i in items}) >= 20
    rows = await collect("offline", "heldout")
    result = report(rows)
    gating = result["gating"]
    assert gating["n"] == len(rows) and 0 <= gating["person_rate"] <= gating["gate_flag_rate"] <= 1
    assert sum(b["n"] for b in gating["calibration"]) == len(rows)
    assert "HELD-OUT" in render("heldout", result, model_kind="offline")


def test_llm_mode_refuses_without_a_configured_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--model", "llm"]) == 2  # the autouse fixture forces the offline model
    assert "OPENAI_API_KEY" in capsys.readouterr().err
