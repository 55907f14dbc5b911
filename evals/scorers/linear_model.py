"""Pure-Python multinomial logistic regression over sparse ``{feature: value}`` dicts.

Small enough to train on MRBench's 860 dev responses in seconds without numpy. Training uses
AdaGrad with L2 and per-class weights (so the rare labels that macro-F1 rewards are not drowned out
by the majority class); prediction only needs the weight table, which is stored as JSON.
"""

from __future__ import annotations

import math
import random
from collections import Counter


def softmax_scores(weights: dict[str, list[float]], features: dict[str, float], n_labels: int) -> list[float]:
    """Class probabilities for one example; features absent from ``weights`` contribute nothing."""
    logits = [0.0] * n_labels
    for name, value in features.items():
        row = weights.get(name)
        if row is None or not value:
            continue
        for k in range(n_labels):
            logits[k] += row[k] * value
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    total = sum(exps)
    return [e / total for e in exps]


def top_contributions(weights: dict[str, list[float]], features: dict[str, float], label_index: int,
                      limit: int = 3) -> list[str]:
    """Names of the features that pushed most towards ``label_index`` (for a human-readable reason)."""
    scored = []
    for name, value in features.items():
        row = weights.get(name)
        if row is None or not value or name == "bias":
            continue
        others = sum(row) / len(row)
        scored.append(((row[label_index] - others) * value, name))
    scored.sort(reverse=True)
    return [name for score, name in scored[:limit] if score > 0]


def frequent_features(rows: list[dict[str, float]], min_df: int) -> set[str]:
    """Features present (non-zero) in at least ``min_df`` rows: rarer ones only memorise."""
    df: Counter = Counter()
    for row in rows:
        df.update(name for name, value in row.items() if value)
    return {name for name, count in df.items() if count >= min_df}


def train_softmax(rows: list[dict[str, float]], labels: list[int], n_labels: int, *, l2: float = 1e-3,
                  epochs: int = 40, learning_rate: float = 0.3, class_weight_power: float = 1.0,
                  min_df: int = 3, seed: int = 0) -> dict[str, list[float]]:
    """Fit weights by AdaGrad SGD on the class-weighted cross-entropy.

    ``class_weight_power`` 1.0 is fully balanced weighting (n / (k * count)), 0.0 is unweighted.
    Returns ``{feature: [weight per label]}`` restricted to features seen in ``min_df`` rows.
    """
    if len(rows) != len(labels):
        raise ValueError("rows and labels must have the same length")
    kept = frequent_features(rows, min_df) | {"bias"}
    data = [{k: v for k, v in row.items() if k in kept and v} for row in rows]
    counts = Counter(labels)
    present = [k for k in range(n_labels) if counts[k]]
    class_weight = [0.0] * n_labels
    for k in present:
        class_weight[k] = (len(labels) / (len(present) * counts[k])) ** class_weight_power
    weights: dict[str, list[float]] = {name: [0.0] * n_labels for name in kept}
    grad_sq: dict[str, list[float]] = {name: [1e-8] * n_labels for name in kept}
    order = list(range(len(data)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            features, gold = data[i], labels[i]
            probs = softmax_scores(weights, features, n_labels)
            scale = class_weight[gold]
            for name, value in features.items():
                row, acc = weights[name], grad_sq[name]
                for k in range(n_labels):
                    grad = scale * (probs[k] - (1.0 if k == gold else 0.0)) * value + l2 * row[k]
                    acc[k] += grad * grad
                    row[k] -= learning_rate * grad / math.sqrt(acc[k])
    # Labels never seen in training must never win: pin their bias far down.
    for k in range(n_labels):
        if not counts[k]:
            weights["bias"][k] = -50.0
    return {name: [round(w, 5) for w in row] for name, row in weights.items() if any(row)}
