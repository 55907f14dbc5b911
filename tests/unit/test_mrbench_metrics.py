"""Macro-F1, accuracy and confusion on hand-computed cases (evals.metrics)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evals.metrics import (
    accuracy,
    confusion,
    macro_f1,
    majority_baseline,
    majority_label,
    per_class_f1,
    summarise,
)

LABELS = ["Yes", "To some extent", "No"]


def test_perfect_prediction_scores_one():
    gold = ["Yes", "No", "To some extent", "Yes"]
    assert macro_f1(gold, gold) == 1.0
    assert accuracy(gold, gold) == 1.0


def test_hand_computed_three_class_case():
    gold = ["Yes", "Yes", "Yes", "No", "No", "To some extent"]
    pred = ["Yes", "Yes", "No", "No", "Yes", "No"]
    # Yes: P=2/3 R=2/3 F=2/3; No: P=1/3 R=1/2 F=0.4; To some extent: F=0
    scores = per_class_f1(gold, pred)
    assert scores["Yes"] == pytest.approx(2 / 3)
    assert scores["No"] == pytest.approx(0.4)
    assert scores["To some extent"] == 0.0
    assert macro_f1(gold, pred) == pytest.approx((2 / 3 + 0.4 + 0) / 3)
    assert accuracy(gold, pred) == pytest.approx(3 / 6)


def test_majority_guess_gets_one_class_f1_only():
    gold = ["Yes"] * 6 + ["No"] * 3 + ["To some extent"]
    base = majority_baseline(gold)
    # F1(Yes) = 2*0.6*1/(1.6) = 0.75, the other two 0 -> 0.25
    assert base["macro_f1"] == pytest.approx(0.25)
    assert base["accuracy"] == pytest.approx(0.6)
    assert base["n"] == 10


def test_class_predicted_but_absent_from_gold_adds_no_term_but_costs_recall():
    gold = ["Neutral", "Neutral", "Encouraging", "Encouraging"]
    pred = ["Neutral", "Offensive", "Encouraging", "Encouraging"]
    # averaged over the 2 gold classes: Neutral P=1 R=0.5 F=2/3; Encouraging F=1
    assert macro_f1(gold, pred) == pytest.approx((2 / 3 + 1) / 2)


def test_confusion_counts_every_pair():
    table = confusion(["Yes", "No", "No"], ["No", "No", "Yes"])
    assert table == {"No": {"No": 1, "Yes": 1}, "Yes": {"No": 1, "Yes": 0}}


def test_length_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="gold has 2 labels but predicted has 1"):
        macro_f1(["Yes", "No"], ["Yes"])


def test_majority_label_ties_are_deterministic():
    assert majority_label(["No", "Yes", "Yes", "No"]) == "No"
    with pytest.raises(ValueError):
        majority_label([])


def test_summarise_shape():
    assert set(summarise(["Yes"], ["Yes"])) == {"macro_f1", "accuracy", "n"}


pairs = st.lists(st.tuples(st.sampled_from(LABELS), st.sampled_from(LABELS)), min_size=1, max_size=60)


@given(pairs)
def test_scores_are_bounded_and_perfect_only_when_all_match(rows):
    gold, pred = [g for g, _ in rows], [p for _, p in rows]
    score = macro_f1(gold, pred)
    assert 0.0 <= score <= 1.0
    assert 0.0 <= accuracy(gold, pred) <= 1.0
    assert (score == 1.0) == (gold == pred)


@given(pairs, st.randoms())
def test_order_of_examples_does_not_matter(rows, rnd):
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert macro_f1(*zip(*rows)) == pytest.approx(macro_f1(*zip(*shuffled)))
