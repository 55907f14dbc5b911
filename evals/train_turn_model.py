"""Train the deterministic turn scorers' weights on the shared MRBench dev file, with honest CV.

Usage: ``python -m evals.train_turn_model [PATH] [--out evals/scorers/turn_model.json] [--cv-only]``

Reports, per dimension, the majority-class baseline, in-sample macro-F1 and 5-fold cross-validated
macro-F1 with folds grouped by ``conversation_id`` (all eight tutors' answers to one dialogue stay in
the same fold, so the CV estimate does not reward memorising a dialogue). Hand rules from
``turn_deterministic.label_dimension`` are applied in both, exactly as at scoring time.
Only the shared dev file is used; the held-out half is never seen.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from evals.metrics import macro_f1, majority_baseline
from evals.mrbench_data import TutorResponse, default_mrbench_path, load_mrbench
from evals.scorers.linear_model import train_softmax
from evals.scorers.turn_deterministic import MODEL_PATH, label_dimension
from evals.scorers.turn_features import DIMENSIONS, extract_features

# Chosen by grouped CV on the dev file (see the report in the module's output), not per-fold.
HYPERPARAMS = {"l2": 1.0, "epochs": 15, "learning_rate": 0.2, "class_weight_power": 0.7, "min_df": 4}


def grouped_folds(records: list[TutorResponse], k: int = 5, seed: int = 13) -> list[int]:
    """Fold index per record; every conversation's responses land in one fold."""
    ids = sorted({r.conversation_id for r in records})
    random.Random(seed).shuffle(ids)
    fold_of = {cid: i % k for i, cid in enumerate(ids)}
    return [fold_of[r.conversation_id] for r in records]


def fit_dimension(key: str, rows: list[dict], gold: list[str], params: dict) -> dict:
    """Train one dimension's weights; returns the spec stored in the model JSON."""
    labels = list(DIMENSIONS[key])
    y = [labels.index(g) for g in gold]
    weights = train_softmax(rows, y, len(labels), **params)
    return {"labels": labels, "weights": weights}


def predict(key: str, spec: dict, rows: list[dict], records: list[TutorResponse]) -> list[str]:
    """Labels for ``rows`` with the scoring-time rules applied."""
    return [label_dimension(key, spec, row, rec.response)[0] for row, rec in zip(rows, records)]


def evaluate(records: list[TutorResponse], params: dict, k: int = 5) -> dict:
    """``{dimension: {"baseline", "in_sample", "cv"}}`` macro-F1 plus the fully trained model."""
    rows = [extract_features(r.history, r.response, r.context) for r in records]
    folds = grouped_folds(records, k)
    report, model = {}, {}
    for key in DIMENSIONS:
        idx = [i for i, r in enumerate(records) if key in r.annotation]
        gold = [records[i].annotation[key] for i in idx]
        cv_pred = [""] * len(idx)
        for fold in range(k):
            train = [j for j, i in enumerate(idx) if folds[i] != fold]
            test = [j for j, i in enumerate(idx) if folds[i] == fold]
            spec = fit_dimension(key, [rows[idx[j]] for j in train], [gold[j] for j in train], params)
            preds = predict(key, spec, [rows[idx[j]] for j in test], [records[idx[j]] for j in test])
            for j, label in zip(test, preds):
                cv_pred[j] = label
        spec = fit_dimension(key, [rows[i] for i in idx], gold, params)
        in_pred = predict(key, spec, [rows[i] for i in idx], [records[i] for i in idx])
        model[key] = spec
        report[key] = {"baseline": majority_baseline(gold)["macro_f1"],
                       "in_sample": round(macro_f1(gold, in_pred), 4),
                       "cv": round(macro_f1(gold, cv_pred), 4), "n": len(gold)}
    return {"report": report, "model": model}


def format_report(report: dict) -> str:
    """Plain-text table of baseline / in-sample / grouped-CV macro-F1 per dimension."""
    lines = [f"{'dimension':<26}{'n':>5}{'majority':>10}{'in-sample':>11}{'5-fold CV':>11}"]
    for key, row in report.items():
        lines.append(f"{key:<26}{row['n']:>5}{row['baseline']:>10.3f}{row['in_sample']:>11.3f}{row['cv']:>11.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Train on the dev file, print the CV report, and write the weights unless ``--cv-only``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=default_mrbench_path())
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--cv-only", action="store_true")
    args = parser.parse_args(argv)
    records = load_mrbench(args.path)
    result = evaluate(records, HYPERPARAMS)
    print(format_report(result["report"]))
    if not args.cv_only:
        payload = {"trained_on": "MRBench V2 dev half (shared/data/mrbench), 860 responses",
                   "hyperparams": HYPERPARAMS, "cv_report": result["report"], "dimensions": result["model"]}
        args.out.write_text(json.dumps(payload, separators=(",", ":"), sort_keys=True), encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
