"""Measure the turn scorers against MRBench's human labels (``teach eval mrbench``).

Reads a file in MRBench's format, labels every tutor response on every dimension with the chosen
scorer, computes macro-F1/accuracy per dimension against the file's own annotations, and writes
``{"metrics": {dimension: {"macro_f1", "accuracy", "n"}}, "predictions": [{"conversation_id",
"tutor", "labels": {dimension: label}}]}`` atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from evals.metrics import majority_baseline, summarise
from evals.mrbench_data import MRBenchFormatError, TutorResponse, default_mrbench_path, load_mrbench  # noqa: F401
from evals.scorers.turn_deterministic import score_turn
from evals.scorers.turn_features import DIMENSIONS
from evals.scorers.turn_llm import score_turn_llm

SCORERS = ("deterministic", "llm")


def label_record(record: TutorResponse, *, scorer: str, chat_model=None) -> dict[str, str]:
    """``{dimension: label}`` for one tutor response."""
    if scorer == "llm":
        results = score_turn_llm(record.history, record.response, chat_model=chat_model, context=record.context)
    else:
        results = score_turn(record.history, record.response, context=record.context)
    return {item["key"]: item["value"] for item in results}


def compute_metrics(records: list[TutorResponse], predictions: list[dict[str, str]]) -> dict:
    """Per-dimension summary over the responses whose annotation has that dimension, in MRBench order."""
    metrics = {}
    for key in DIMENSIONS:
        pairs = [(r.annotation[key], p[key]) for r, p in zip(records, predictions) if key in r.annotation]
        if pairs:
            gold, predicted = zip(*pairs)
            metrics[key] = summarise(list(gold), list(predicted))
    return metrics


def baseline_metrics(records: list[TutorResponse]) -> dict:
    """What a constant majority-class guess scores per dimension on the same file."""
    metrics = {}
    for key in DIMENSIONS:
        gold = [r.annotation[key] for r in records if key in r.annotation]
        if gold:
            metrics[key] = majority_baseline(gold)
    return metrics


def _write_atomically(out: Path, payload: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(payload, stream, indent=1, ensure_ascii=False)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_mrbench(path: Path, out: Path, *, scorer: str = "deterministic", chat_model=None) -> dict:
    """Label every response in the MRBench-format file at ``path`` and write the result JSON to ``out``.

    ``scorer`` is "deterministic" (no network) or "llm" (needs ``chat_model``, a LangChain chat model).
    Returns the written payload. Raises ``MRBenchFormatError``/``ValueError`` naming the bad field;
    nothing is written unless every response was labelled.
    """
    if scorer not in SCORERS:
        raise ValueError(f"scorer: expected one of {', '.join(SCORERS)}, got {scorer!r}")
    if scorer == "llm" and chat_model is None:
        raise ValueError("scorer: 'llm' needs a configured chat model (set the LLM settings)")
    records = load_mrbench(path)
    predictions = [label_record(r, scorer=scorer, chat_model=chat_model) for r in records]
    payload = {
        "metrics": compute_metrics(records, predictions),
        "predictions": [{"conversation_id": r.conversation_id, "tutor": r.tutor, "labels": labels}
                        for r, labels in zip(records, predictions)],
    }
    _write_atomically(Path(out), payload)
    return payload


def format_metrics_table(metrics: dict, baseline: dict | None = None) -> str:
    """Plain-text table of macro-F1, accuracy and n per dimension (plus the majority baseline's
    macro-F1 when ``baseline`` is given, e.g. from ``baseline_metrics``)."""
    header = f"{'dimension':<26}{'macro_f1':>10}{'accuracy':>10}{'n':>6}"
    if baseline is not None:
        header += f"{'majority_f1':>13}"
    lines = [header]
    for key, row in metrics.items():
        line = f"{key:<26}{row['macro_f1']:>10.3f}{row['accuracy']:>10.3f}{row['n']:>6}"
        if baseline is not None and key in baseline:
            line += f"{baseline[key]['macro_f1']:>13.3f}"
        lines.append(line)
    if len(lines) == 1:
        lines.append("(no annotated dimensions in the file)")
    return "\n".join(lines)
