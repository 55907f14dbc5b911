"""Marker agreement with blind examiners' marks, and whether the confidence gate follows the Marker's errors.

    python -m evals.marker_agreement [--model offline|llm] [--sets heldout,dev,reference] [--json]

Every answer of each set (`evals.marker_sets`: held-out = out of sample; dev = used for tuning; reference =
the curriculum's own answers, in-sample) is marked through the real path: `agents.marker.mark_answer`, the
confidence gate, and for a flagged answer the Reviewer's second marking and settle rule. Reported per set,
clearly labelled: QWK (quadratic weighted kappa over the pooled integer marks), exact and within-one-mark
agreement per AO (where the question assesses it) and for the total; over- and under-marking by answer kind
(share of the maximum); the gate's flag rate and the share left for a person after the Reviewer; the share of
big errors (|error| ≥ 25% of max) that reach a person; flagged vs unflagged mean error; a calibration table
(error by confidence band). `--model llm` uses the configured OpenAI-compatible model.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

from agents.llm import get_chat_model, offline_chat_model
from agents.llm_settings import LlmSettings
from curriculum.schema import AO_NAMES
from evals.marker_sets import by_kind, gating, load_set, question_spec

SET_LABELS = {"heldout": "HELD-OUT (out of sample, never tuned on)",
              "dev": "DEV (tuning set: in-sample for anything tuned)",
              "reference": "REFERENCE answers (in-sample: written with the cues)"}


def quadratic_weighted_kappa(gold: Sequence[int], predicted: Sequence[int]) -> float:
    """Cohen's kappa with quadratic weights over integer ratings 0..max of both lists (1.0 = perfect).

    When both raters give one and the same rating throughout, agreement is perfect and 1.0 is returned.
    """
    if len(gold) != len(predicted) or not gold:
        raise ValueError("gold and predicted must be non-empty and of equal length")
    top = max(max(gold), max(predicted))
    size = top + 1
    observed = [[0.0] * size for _ in range(size)]
    for g, p in zip(gold, predicted):
        observed[g][p] += 1
    n = len(gold)
    gold_hist = [sum(row) for row in observed]
    pred_hist = [sum(observed[i][j] for i in range(size)) for j in range(size)]
    numerator = denominator = 0.0
    for i in range(size):
        for j in range(size):
            weight = ((i - j) ** 2) / ((size - 1) ** 2) if size > 1 else 0.0
            numerator += weight * observed[i][j]
            denominator += weight * gold_hist[i] * pred_hist[j] / n
    return 1.0 if denominator == 0 else 1.0 - numerator / denominator


def agreement(gold: Sequence[int], predicted: Sequence[int]) -> dict[str, Any]:
    """QWK, exact and adjacent (|difference| <= 1) agreement, mean signed difference (predicted - gold)."""
    n = len(gold)
    return {
        "n": n,
        "qwk": round(quadratic_weighted_kappa(gold, predicted), 3),
        "exact": round(sum(g == p for g, p in zip(gold, predicted)) / n, 3),
        "adjacent": round(sum(abs(g - p) <= 1 for g, p in zip(gold, predicted)) / n, 3),
        "mean_difference": round(sum(p - g for g, p in zip(gold, predicted)) / n, 3),
    }


def _model(model_kind: str, role: str) -> Any:
    return offline_chat_model() if model_kind == "offline" else get_chat_model(role)  # type: ignore[arg-type]


async def mark_one(model_kind: str, item: dict[str, Any], threshold: int = 70) -> dict[str, Any]:
    """One answer through Marker → gate → (Reviewer): the row the figures are computed from."""
    from agents.marker import gate, mark_answer
    from agents.reviewer import review_outcome

    spec = question_spec(item["ref"])
    first = await mark_answer(_model(model_kind, "marker"), spec, item["answer"], role="marker")
    confidence, flagged, signals = gate(spec, item["answer"], first, threshold=threshold)
    to_person = False
    if flagged:
        second = await mark_answer(_model(model_kind, "reviewer"), spec, item["answer"], role="reviewer")
        to_person = not review_outcome(first, second, spec, item["answer"], signals)["settled"]
    gold_total = sum(item["gold"].values())
    return {
        "id": item["id"], "ref": item["ref"], "kind": item["kind"], "question_kind": spec.kind,
        "ao_max": spec.ao_max, "max_marks": spec.max_marks, "gold": item["gold"], "predicted": first.ao_marks,
        "error": first.total - gold_total, "confidence": confidence, "gate_flagged": flagged,
        "to_person": to_person, "anomalies": list(first.anomalies), "model": first.model,
        "fallback": first.fallback,
    }


async def collect(model_kind: str, set_name: str = "reference") -> list[dict[str, Any]]:
    """Mark every answer of a set; one row per answer."""
    return [await mark_one(model_kind, item) for item in load_set(set_name)]


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Agreement per AO (only where the question assesses that AO) and on the total."""
    out: dict[str, Any] = {}
    for ao in AO_NAMES:
        assessed = [r for r in rows if r["ao_max"][ao] > 0]
        if assessed:
            out[ao] = agreement([r["gold"][ao] for r in assessed], [r["predicted"][ao] for r in assessed])
    out["total"] = agreement([sum(r["gold"].values()) for r in rows], [sum(r["predicted"].values()) for r in rows])
    return out


def report(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything reported for one set."""
    return {"agreement": summarise(rows), "by_kind": by_kind(rows), "gating": gating(rows)}


def _pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value:>6.1%}"


def render(name: str, result: dict[str, Any], *, model_kind: str) -> str:
    """A plain-text block for one set."""
    lines = [f"== {SET_LABELS.get(name, name)} — model={model_kind}",
             f"{'':<8} {'n':>4} {'QWK':>6} {'exact':>6} {'±1':>6} {'bias':>6}"]
    for key, row in result["agreement"].items():
        lines.append(f"{key:<8} {row['n']:>4} {row['qwk']:>6.3f} {row['exact']:>6.1%} {row['adjacent']:>6.1%} "
                     f"{row['mean_difference']:>+6.2f}")
    lines.append(f"{'kind':<18} {'n':>3} {'over':>6} {'under':>6} {'to person':>9}  (share of max)")
    for kind, row in result["by_kind"].items():
        lines.append(f"{kind:<18} {row['n']:>3} {_pct(row['over_marking'])} {_pct(row['under_marking'])} "
                     f"{_pct(row['flagged']):>9}")
    g = result["gating"]
    lines.append(f"gate flagged {_pct(g['gate_flag_rate'])}; left for a person after the Reviewer "
                 f"{_pct(g['person_rate'])} ({g['settled_by_reviewer']} settled by the Reviewer)")
    lines.append(f"big errors (|err| ≥ 25% of max): {g['big_errors']}, reaching a person {g['big_errors_to_person']} "
                 f"({_pct(g['big_error_catch_rate']).strip()}); gate-flagged {g['big_errors_gate_flagged']}")
    lines.append(f"mean |error| to a person {_pct(g['error_to_person'])} vs not {_pct(g['error_not_to_person'])}; "
                 f"corr(confidence, |error|) {g['confidence_error_correlation']}")
    lines.append("calibration: " + "; ".join(f"{b['band']}: n={b['n']} err={_pct(b['mean_error']).strip()}"
                                             for b in g["calibration"] if b["n"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("offline", "llm"), default="offline")
    parser.add_argument("--sets", default="heldout,dev,reference",
                        help="comma-separated: heldout, dev, reference (default all three)")
    parser.add_argument("--json", action="store_true", help="print the reports and per-answer rows as JSON")
    args = parser.parse_args(argv)
    if args.model == "llm" and not LlmSettings().llm_configured:
        print("--model llm needs OPENAI_API_KEY and/or OPENAI_BASE_URL (and TEACH_LLM_OFFLINE unset)", file=sys.stderr)
        return 2
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    unknown = [n for n in names if n not in SET_LABELS]
    if unknown:
        print(f"--sets: unknown set(s) {unknown}; expected heldout, dev, reference", file=sys.stderr)
        return 2
    out = {}
    for name in names:
        rows = asyncio.run(collect(args.model, name))
        if rows:
            out[name] = {"report": report(rows), "rows": rows}
    if args.json:
        print(json.dumps({"model": args.model, "sets": out}, indent=2))
    else:
        print("\n\n".join(render(name, data["report"], model_kind=args.model) for name, data in out.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
