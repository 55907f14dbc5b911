"""Design candidates for the revealing and guidance scorers, judged on the TRAINING block only.

Usage: ``python -m evals.turn_model_experiments [PATH]`` (about a minute; never reads the held-out block).

Each candidate is scored by the same two-way grouped CV as ``evals.train_turn_model`` (test folds = one tutor
model x one third of the conversations; training rows share neither). The seed of the SGD alone moves these
figures, so the baseline is run with three seeds first, and the adoption rule, fixed before any candidate was
run, is: adopt a candidate only if its CV macro-F1 beats the baseline's best seed by more than the baseline's
seed spread and by at least 0.03. Only an adopted candidate would then be scored once on the held-out block.

Candidates (each a separate design decision):

- ``hyperparams``: class-weight power 0.5 and 30 epochs (the best of a small grid over l2 0.01/0.1, power
  0.5/1.0, epochs 15/30);
- ``offsets``: per-class log-prior offsets for macro-F1, chosen on the pooled out-of-fold probabilities;
- ``guidance cues``: explanation / hint / redo / closing-praise / generic-look-back cues and finer length bins;
- ``correction cues``: "N, not M" corrections and new results stated (not asked) for revealing;
- ``bagging``: seven bootstrap models averaged.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
from pathlib import Path

from evals.metrics import macro_f1
from evals.mrbench_data import TutorResponse, default_mrbench_path, load_mrbench
from evals.mrbench_split import select
from evals.scorers.linear_model import softmax_scores, train_softmax
from evals.scorers.turn_deterministic import label_dimension
from evals.scorers.turn_features import (
    DIMENSIONS,
    extract_features,
    numbers_in,
    parse_history,
    result_numbers,
    words,
)
from evals.train_turn_model import HYPERPARAMS, two_way_folds, without

KEYS = ("Revealing_of_the_Answer", "Providing_Guidance")
SEEDS = (0, 1, 2)
MIN_GAIN = 0.03

_EXPLAIN = ("because", "since", "so ", "means", "that's why", "therefore", "remember that", "when you",
            "in other words", "for example", "for instance")
_HINT = ("what if", "how about", "have you considered", "can you think", "what would", "what do you",
         "how would", "how many", "how much", "what is", "what's the")
_REDO = ("recalculate", "try again", "double-check", "double check", "look again", "revisit", "go back",
         "reconsider", "re-read")
_CLOSE = ("keep practicing", "keep going", "keep up", "keep it up", "move on", "next problem", "well done",
          "great job", "good job", "good work", "nice work")
_GENERIC = ("take another look", "take a closer look", "look at the problem", "where the reasoning",
            "went wrong", "go over", "together")
_CORRECTION = re.compile(r"\d[\d,.]*\s*\w*\s*,?\s*(?:and\s+)?not\s+\$?\d|\binstead of\s+\$?\d"
                         r"|\bnot\s+\$?\d[\d,.]*\s*,?\s*but\s+\$?\d")


def guidance_cues(history, response: str, context: dict | None = None) -> dict:
    """The standard features plus the guidance-cue candidate's."""
    f = extract_features(history, response, context)
    low = (response or "").lower().replace("\u2019", "'")
    n = len(words(low))
    f["x_explain"] = min(sum(low.count(c) for c in _EXPLAIN), 3) / 3
    f["x_hint"] = float(any(c in low for c in _HINT))
    f["x_redo"] = float(any(c in low for c in _REDO))
    f["x_close_only"] = float(any(c in low for c in _CLOSE) and not f["error_cue"] and "?" not in low)
    f["x_generic"] = float(any(c in low for c in _GENERIC) and not numbers_in(response))
    for lo, hi in ((0, 10), (10, 20), (20, 35), (35, 60), (60, 10**6)):
        f[f"x_len_{lo}"] = float(lo <= n < hi)
    return f


def correction_cues(history, response: str, context: dict | None = None) -> dict:
    """The standard features plus the correction-cue candidate's."""
    f = extract_features(history, response, context)
    text = response or ""
    new_results = result_numbers(text) - numbers_in(" ".join(t["content"] for t in parse_history(history)))
    f["x_correction"] = float(bool(_CORRECTION.search(text.lower())))
    f["x_new_result_stmt"] = float(bool(new_results) and not text.strip().rstrip("\"'* ").endswith("?"))
    return f


class Experiment:
    """The training block, its two-way folds and out-of-fold predictions for one recipe."""

    def __init__(self, records: list[TutorResponse]) -> None:
        self.train = select(records, "train")
        self.folds = two_way_folds(self.train)
        self._rows: dict[str, list[dict]] = {}

    def rows(self, name: str, extract) -> list[dict]:
        if name not in self._rows:
            self._rows[name] = without([extract(r.history, r.response, r.context) for r in self.train], {"words"})
        return self._rows[name]

    def oof(self, key: str, rows: list[dict], params: dict, bags: int = 1) -> tuple[list, list, list[str]]:
        """Out-of-fold (probabilities, hand-rule label or None) per record, and the gold labels."""
        labels = list(DIMENSIONS[key])
        probs: list = [None] * len(rows)
        forced: list = [None] * len(rows)
        for train, test in self.folds:
            tables = []
            for b in range(bags):
                rng = random.Random(b)
                idx = [rng.choice(train) for _ in train] if bags > 1 else train
                tables.append(train_softmax([rows[i] for i in idx],
                                            [labels.index(self.train[i].annotation[key]) for i in idx],
                                            len(labels), **(params | {"seed": params.get("seed", 0) + b})))
            for i in test:
                ps = [softmax_scores(w, rows[i], len(labels)) for w in tables]
                probs[i] = [sum(p[k] for p in ps) / len(ps) for k in range(len(labels))]
                label, why = label_dimension(key, {"labels": labels, "weights": tables[0]}, rows[i],
                                             self.train[i].response)
                forced[i] = None if why.startswith("linear model") else label
        return probs, forced, [r.annotation[key] for r in self.train]


def decide(key: str, probs: list, forced: list, offsets: tuple[float, ...] = (0.0, 0.0, 0.0)) -> list[str]:
    """Labels from out-of-fold probabilities (hand rules first), with per-class log offsets."""
    labels = list(DIMENSIONS[key])
    out = []
    for p, f in zip(probs, forced):
        if f is not None:
            out.append(f)
            continue
        scores = [math.log(max(x, 1e-12)) + o for x, o in zip(p, offsets)]
        out.append(labels[max(range(len(labels)), key=lambda k: scores[k])])
    return out


def best_offsets(key: str, probs: list, forced: list, gold: list[str]) -> tuple[float, tuple[float, ...]]:
    grid = (-1.0, -0.5, 0.0, 0.5, 1.0)
    return max(((macro_f1(gold, decide(key, probs, forced, (0.0, a, b))), (0.0, a, b)) for a in grid for b in grid),
               key=lambda t: (round(t[0], 4), -abs(t[1][1]) - abs(t[1][2])))


CANDIDATES = ("hyperparams", "offsets", "guidance cues", "correction cues", "bagging")


def candidate(exp: Experiment, key: str, name: str) -> list[str]:
    """The out-of-fold labels of one candidate."""
    std = exp.rows("standard", extract_features)
    if name == "hyperparams":
        return decide(key, *exp.oof(key, std, HYPERPARAMS | {"class_weight_power": 0.5, "epochs": 30})[:2])
    if name == "offsets":
        probs, forced, gold = exp.oof(key, std, HYPERPARAMS)
        return decide(key, probs, forced, best_offsets(key, probs, forced, gold)[1])
    if name == "guidance cues":
        return decide(key, *exp.oof(key, exp.rows("guidance", guidance_cues), HYPERPARAMS)[:2])
    if name == "correction cues":
        return decide(key, *exp.oof(key, exp.rows("correction", correction_cues), HYPERPARAMS)[:2])
    if name == "bagging":
        return decide(key, *exp.oof(key, std, HYPERPARAMS, bags=7)[:2])
    raise ValueError(f"candidate: unknown {name!r}")


def run(records: list[TutorResponse], log=print) -> dict:
    exp = Experiment(records)
    std = exp.rows("standard", extract_features)
    results: dict[str, dict] = {}
    for key in KEYS:
        base = []
        for seed in SEEDS:
            probs, forced, gold = exp.oof(key, std, HYPERPARAMS | {"seed": seed})
            base.append(round(macro_f1(gold, decide(key, probs, forced)), 4))
        bar = max(base) + max(MIN_GAIN, max(base) - min(base))
        row = {"baseline_seeds": base, "adopt_above": round(bar, 4), "candidates": {}}
        log(f"{key}: baseline CV over seeds {base}; a candidate needs > {bar:.3f}")
        for name in CANDIDATES:
            gold = [r.annotation[key] for r in exp.train]
            score = round(macro_f1(gold, candidate(exp, key, name)), 4)
            row["candidates"][name] = {"cv": score, "adopted": score > bar}
            log(f"  {name:<16} CV {score:.3f}  {'ADOPT' if score > bar else 'rejected'}")
        results[key] = row
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=default_mrbench_path())
    args = parser.parse_args(argv)
    run(load_mrbench(args.path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
