"""Classification metrics for scorer-vs-human label agreement: confusion, accuracy, macro-F1. Pure.

Macro-F1 follows the BEA 2025 shared-task convention used for MRBench: the unweighted mean of per-class
F1 over the classes present in the gold labels (a class predicted but absent from gold adds no term, but
those wrong predictions still cost recall of the true classes).

Intervals: `bootstrap_interval` is a percentile bootstrap that resamples whole groups (conversations), not
single responses: MRBench's 8-9 tutor answers to one dialogue share its difficulty, so resampling responses
independently would give intervals that are too narrow. scipy.stats.bootstrap resamples observations only
(and would pull scipy and numpy into a light install), so this small grouped version is ours; it works on
per-group counts of (gold, predicted) pairs, so 1,000 resamples of 860 responses take a fraction of a second.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable, Sequence


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


def bootstrap_interval(gold: Sequence[str], predicted: Sequence[str], groups: Sequence[Hashable] | None = None, *,
                       resamples: int = 1000, level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of macro-F1, resampling whole `groups` (default: each item alone)."""
    _check(gold, predicted)
    if not gold:
        return (0.0, 0.0)
    groups = list(groups) if groups is not None else list(range(len(gold)))
    labels = sorted(set(gold) | set(predicted))
    code = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    per_group: dict[Hashable, list[int]] = {}
    for g, p, key in zip(gold, predicted, groups):
        per_group.setdefault(key, [0] * (k * k))[code[g] * k + code[p]] += 1
    blocks = [[(i, n) for i, n in enumerate(block) if n] for block in per_group.values()]
    rng = random.Random(seed)
    stats = []
    for _ in range(resamples):
        cells = [0] * (k * k)
        for block in rng.choices(blocks, k=len(blocks)):
            for i, n in block:
                cells[i] += n
        scores = []
        for c in range(k):
            gold_n = sum(cells[c * k:(c + 1) * k])
            if not gold_n:
                continue  # a class absent from this resample's gold adds no term (as in `macro_f1`)
            pred_n = sum(cells[c::k])
            tp = cells[c * k + c]
            scores.append(2 * tp / (gold_n + pred_n) if tp else 0.0)
        stats.append(sum(scores) / len(scores))
    stats.sort()
    tail = (1 - level) / 2
    return (round(stats[int(tail * (resamples - 1))], 4), round(stats[round((1 - tail) * (resamples - 1))], 4))


def cohen_kappa(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Cohen's kappa (chance-corrected agreement); 0.0 when chance agreement is total."""
    _check(gold, predicted)
    n = len(gold)
    if not n:
        return 0.0
    observed = accuracy(gold, predicted)
    g, p = Counter(gold), Counter(predicted)
    expected = sum(g[label] * p[label] for label in g) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 0.0


def summarise(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """``{"macro_f1", "accuracy", "n"}`` for one dimension, rounded to 4 places."""
    return {"macro_f1": round(macro_f1(gold, predicted), 4), "accuracy": round(accuracy(gold, predicted), 4),
            "n": len(gold)}


def agreement(gold: Sequence[str], predicted: Sequence[str], groups: Sequence[Hashable] | None = None, *,
              total: int | None = None, resamples: int = 1000) -> dict:
    """Everything a reader needs to trust one dimension's figure: macro-F1 with its grouped bootstrap 95%
    interval, accuracy, Cohen's kappa, the confusion matrix, and coverage (`n` scored of `total`)."""
    total = len(gold) if total is None else total
    row = summarise(gold, predicted)
    row |= {"ci95": list(bootstrap_interval(gold, predicted, groups, resamples=resamples)),
            "kappa": round(cohen_kappa(gold, predicted), 4), "total": total,
            "coverage": round(len(gold) / total, 4) if total else 0.0, "confusion": confusion(gold, predicted)}
    return row


def majority_baseline(gold: Sequence[str]) -> dict:
    """The summary a constant majority-class guess earns on ``gold``."""
    label = majority_label(gold)
    return summarise(gold, [label] * len(gold))
