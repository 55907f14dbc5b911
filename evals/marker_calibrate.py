"""Fit the confidence gate's weights on the DEVELOPMENT set (never the held-out set).

    python -m evals.marker_calibrate

Marks every dev answer with the offline Marker, computes the gate's evidence (`tools.confidence`: the nearest
answers' disagreement, the descriptor-first disagreement, define question, a fragile mark (a partial mark where one
mark is already a big error), support, key-term list, soft credits) and fits a logistic model of "big error" (|error| ≥ 25% of max) by gradient descent with a small L2
penalty. Prints the weights to copy into `tools/confidence.py`; the held-out set then reports how they carry
over (`python -m evals.marker_agreement`).
"""

from __future__ import annotations

import math

from agents.marker_nearest import nearest_reading
from agents.rubric import mark_by_rubric
from curriculum.loader import get_curriculum
from evals.marker_sets import BIG_ERROR_SHARE, load_set
from tools.confidence import fragile

FEATURES = ("disagreement", "levels_disagreement", "define", "fragile", "support", "keyword_list", "soft_credits")


def features(ref: str, answer: str) -> tuple[int, list[float]]:
    """(the offline mark, the gate's features) for one answer."""
    question = get_curriculum().question(ref)
    marking = mark_by_rubric(question.mark_scheme, answer)
    levels = mark_by_rubric(question.mark_scheme, answer, method="levels_first")
    near = nearest_reading(ref, answer)
    top = question.max_marks
    second, support = (min(top, near.total), near.support) if near else (levels.total, 0.0)
    return marking.total, [abs(marking.total - second) / top, abs(marking.total - levels.total) / top,
                           float(question.kind == "define"), float(fragile(marking.total, top)), support,
                           float(marking.reading["keyword_list"]),
                           float(sum(p.how in ("relaxed", "similar") for p in marking.points))]


def fit(rows: list[tuple[list[float], bool]], *, l2: float = 0.01, steps: int = 3000, rate: float = 0.5) -> list[float]:
    """Logistic regression weights [bias, *features]."""
    w = [0.0] * (len(rows[0][0]) + 1)
    for _ in range(steps):
        grad = [0.0] * len(w)
        for x, y in rows:
            xs = [1.0, *x]
            p = 1.0 / (1.0 + math.exp(-sum(a * b for a, b in zip(w, xs))))
            for j, v in enumerate(xs):
                grad[j] += (p - y) * v
        w = [wj - rate * (g / len(rows) + (l2 * wj if j else 0.0)) for j, (wj, g) in enumerate(zip(w, grad))]
    return w


def main() -> int:
    """Fit on the dev set and print the weights."""
    curriculum = get_curriculum()
    rows = []
    for item in load_set("dev"):
        total, x = features(item["ref"], item["answer"])
        top = curriculum.question(item["ref"]).max_marks
        rows.append((x, abs(total - sum(item["gold"].values())) >= BIG_ERROR_SHARE * top - 1e-9))
    w = fit(rows)
    print(f"dev answers: {len(rows)}, big errors: {sum(y for _, y in rows)}")
    print(f"BIAS = {w[0]:.2f}")
    for name, value in zip(FEATURES, w[1:]):
        print(f"W_{name.upper()} = {value:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
