"""Measure the turn scorers against MRBench's human labels (``teach eval mrbench``).

Reads a file in MRBench's format (optionally one part of the frozen split, `evals.mrbench_split`), labels
every tutor response on every dimension with the chosen scorer, and writes atomically ``{"scorer", "part",
"metrics": {dimension: {"macro_f1", "ci95", "accuracy", "kappa", "n", "total", "coverage", "confusion"}},
"judge"?: {...}, "predictions": [{"conversation_id", "tutor", "labels", "unscored"?}]}``. With the LLM judge a
label can be missing (``None``): the item is recorded as unscored with the reason and the figures are
computed over the scored items, with the coverage said next to them.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from evals.metrics import agreement, majority_baseline
from evals.mrbench_data import MRBenchFormatError, TutorResponse, default_mrbench_path, load_mrbench  # noqa: F401
from evals.scorers.turn_deterministic import score_turn
from evals.scorers.turn_features import DIMENSIONS
from evals.scorers.turn_llm import score_turn_llm
from evals.structured import JudgeSettings, MethodLadder

SCORERS = ("deterministic", "llm")


def label_record(record: TutorResponse, *, scorer: str, chat_model=None, ladder: MethodLadder | None = None,
                 calls: str = "per_response") -> tuple[dict[str, str | None], dict[str, str]]:
    """``({dimension: label or None}, {dimension: why unscored})`` for one tutor response."""
    if scorer == "llm":
        results = score_turn_llm(record.history, record.response, chat_model=chat_model, context=record.context,
                                 ladder=ladder, calls=calls)
    else:
        results = score_turn(record.history, record.response, context=record.context)
    labels = {item["key"]: item["value"] for item in results}
    return labels, {item["key"]: item["reason"] for item in results if item["value"] is None}


def compute_metrics(records: list[TutorResponse], predictions: list[dict[str, str | None]]) -> dict:
    """Per-dimension agreement over the scored responses whose annotation has that dimension (MRBench order);
    the bootstrap resamples conversations."""
    metrics = {}
    for key in DIMENSIONS:
        annotated = [(r, p.get(key)) for r, p in zip(records, predictions) if key in r.annotation]
        scored = [(r, label) for r, label in annotated if label is not None]
        if annotated:
            gold = [r.annotation[key] for r, _ in scored]
            metrics[key] = agreement(gold, [label for _, label in scored], [r.conversation_id for r, _ in scored],
                                     total=len(annotated))
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


def run_mrbench(path: Path, out: Path, *, scorer: str = "deterministic", chat_model=None, part: str = "all",
                limit: int | None = None, calls: str = "per_response",
                on_progress: Callable[[int, int], None] | None = None) -> dict:
    """Label every response in the MRBench-format file at ``path`` and write the result JSON to ``out``.

    ``scorer`` is "deterministic" (no network) or "llm" (needs ``chat_model``, see `evals.judge.judge_chat_model`).
    ``part`` picks "held_out", "train" or "all" of the frozen split; ``limit`` keeps the first N responses.
    Returns the written payload. Raises ``MRBenchFormatError``/``ValueError`` naming the bad field; a judge
    reply that cannot be used never raises (that response is unscored on that dimension).
    """
    from evals.mrbench_split import select

    if scorer not in SCORERS:
        raise ValueError(f"scorer: expected one of {', '.join(SCORERS)}, got {scorer!r}")
    if scorer == "llm" and chat_model is None:
        raise ValueError("scorer: 'llm' needs a configured chat model (set the LLM settings)")
    if limit is not None and limit < 1:
        raise ValueError("limit: expected a positive number of responses")
    records = select(load_mrbench(path), part)[:limit]
    if not records:
        raise ValueError(f"part: no responses in part {part!r} of {path}")
    settings = JudgeSettings()
    ladder = MethodLadder(settings.method_list(), settings.give_up_after) if scorer == "llm" else None
    predictions, unscored = [], []
    for done, record in enumerate(records, 1):
        labels, why = label_record(record, scorer=scorer, chat_model=chat_model, ladder=ladder, calls=calls)
        predictions.append(labels)
        unscored.append(why)
        if on_progress is not None:
            on_progress(done, len(records))
    payload: dict = {"scorer": scorer, "part": part, "responses": len(records),
                     "metrics": compute_metrics(records, predictions)}
    if ladder is not None:
        payload["judge"] = {"calls": calls, "methods": ladder.summary(),
                            "unscored_responses": sum(1 for why in unscored if why)}
    payload["predictions"] = [
        {"conversation_id": r.conversation_id, "tutor": r.tutor, "labels": labels} | ({"unscored": why} if why else {})
        for r, labels, why in zip(records, predictions, unscored)]
    _write_atomically(Path(out), payload)
    return payload


def format_metrics_table(metrics: dict, baseline: dict | None = None) -> str:
    """Plain-text table per dimension: macro-F1 with its 95% interval, accuracy, kappa, coverage (scored/total),
    plus the majority baseline's macro-F1 when ``baseline`` is given (e.g. from ``baseline_metrics``)."""
    header = f"{'dimension':<26}{'macro_f1':>9} {'95% CI':<15}{'accuracy':>9}{'kappa':>7}{'scored/total':>14}"
    if baseline is not None:
        header += f"{'majority_f1':>13}"
    lines = [header]
    for key, row in metrics.items():
        ci = row.get("ci95") or [float("nan")] * 2
        line = (f"{key:<26}{row['macro_f1']:>9.3f} [{ci[0]:.3f}, {ci[1]:.3f}] {row['accuracy']:>8.3f}"
                f"{row.get('kappa', float('nan')):>7.3f}{row['n']:>8}/{row.get('total', row['n']):<5}")
        if baseline is not None and key in baseline:
            line += f"{baseline[key]['macro_f1']:>13.3f}"
        lines.append(line)
    if len(lines) == 1:
        lines.append("(no annotated dimensions in the file)")
    return "\n".join(lines)


def format_confusions(metrics: dict) -> str:
    """Each dimension's confusion matrix (rows: human label, columns: scorer label)."""
    blocks = []
    for key, row in metrics.items():
        table = row.get("confusion") or {}
        labels = list(table)
        short = [label[:14] for label in labels]
        lines = [f"{key} (rows human, columns scorer)", f"{'':<16}" + "".join(f"{s:>16}" for s in short)]
        lines += [f"{s:<16}" + "".join(f"{table[g][p]:>16}" for p in labels) for g, s in zip(labels, short)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
