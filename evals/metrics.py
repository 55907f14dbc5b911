"""Classification metrics for scorer-vs-human label agreement: confusion, accuracy, macro-F1. Pure.

Macro-F1 follows the BEA 2025 shared-task convention used for MRBench: the unweighted mean of per-class
F1 over the classes present in the gold labels (a class predicted but absent from gold adds no term, but
those wrong predictions still cost recall of the true classes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def _check(gold: Sequence[str], predicted: Sequence[str]) -> None:
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} labels but predicted has {len(predicted)}")


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, int]]:
    """``{gold_label: {predicted_label: count}}`` over every label seen on either side."""
    _check(gold, predicted)
    labels = sorted(set(gold) | set(predicted))
    table = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, predicted):
        table[g][p] += 1
    return table


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Share of exact matches; 0.0 for empty input."""
    _check(gold, predicted)
    if not gold:
        return 0.0
    return sum(g == p for g, p in zip(gold, predicted)) / len(gold)


def per_class_f1(gold: Sequence[str], predicted: Sequence[str],
                 labels: Sequence[str] | None = None) -> dict[str, float]:
    """F1 per class (0.0 when a class has no true or no predicted positives) for ``labels``
    (default: the classes present in ``gold``)."""
    _check(gold, predicted)
    classes = list(labels) if labels is not None else sorted(set(gold))
    true_pos: Counter = Counter()
    pred_count: Counter = Counter(predicted)
    gold_count: Counter = Counter(gold)
    for g, p in zip(gold, predicted):
        if g == p:
            true_pos[g] += 1
    scores = {}
    for label in classes:
        precision = true_pos[label] / pred_count[label] if pred_count[label] else 0.0
        recall = true_pos[label] / gold_count[label] if gold_count[label] else 0.0
        scores[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return scores


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None) -> float:
    """Unweighted mean F1 over ``labels`` (default: the classes present in ``gold``); 0.0 if none."""
    scores = per_class_f1(gold, predicted, labels)
    return sum(scores.values()) / len(scores) if scores else 0.0


def majority_label(gold: Sequence[str]) -> str:
    """Most frequent gold label (ties broken alphabetically so the choice is deterministic)."""
    if not gold:
        raise ValueError("gold labels are empty")
    counts = Counter(gold)
    return min(counts, key=lambda label: (-counts[label], label))


def summarise(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """``{"macro_f1", "accuracy", "n"}`` for one dimension, rounded to 4 places."""
    return {"macro_f1": round(macro_f1(gold, predicted), 4), "accuracy": round(accuracy(gold, predicted), 4),
            "n": len(gold)}


def majority_baseline(gold: Sequence[str]) -> dict:
    """The summary a constant majority-class guess earns on ``gold``."""
    label = majority_label(gold)
    return summarise(gold, [label] * len(gold))
