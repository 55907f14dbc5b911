"""Marker agreement with the curriculum's reference answers (marked as an experienced examiner would).

    python -m evals.marker_agreement [--model offline|llm] [--role marker|reviewer] [--json]

Every reference answer of every bundled question is marked through the real Marker code path
(`agents.marker.mark_answer`: prompt, structured output, validation, caps). For each AO that a question
assesses, the Marker's mark is compared with the reference mark: quadratic weighted kappa (QWK, over the
pooled integer marks 0..the largest AO maximum), exact agreement and adjacent agreement (within one mark);
the same for the total. `--model llm` uses the configured OpenAI-compatible model (OPENAI_API_KEY /
OPENAI_BASE_URL), `--model offline` the offline rubric-coverage marker.

Caveat printed with the results: the mark schemes' cues were written alongside these reference answers, so
offline agreement here is in-sample and overstates agreement on unseen answers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Sequence
from typing import Any

from agents.llm import get_chat_model, offline_chat_model
from agents.llm_settings import LlmSettings
from agents.marker import QuestionSpec, mark_answer
from curriculum.loader import load_curriculum
from curriculum.schema import AO_NAMES


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


async def collect(model_kind: str, role: str) -> list[dict[str, Any]]:
    """Mark every reference answer; one row per answer with the reference and predicted marks per AO."""
    curriculum = load_curriculum()
    rows = []
    for question in sorted(curriculum.questions.values(), key=lambda q: q.ref):
        spec = QuestionSpec(id=uuid.uuid4(), ref=question.ref, kind=question.kind, text=question.text,
                            max_marks=question.max_marks, mark_scheme=question.mark_scheme.model_dump(mode="json"),
                            syllabus_point_codes=list(question.syllabus_points))
        for reference in question.reference_answers:
            model = offline_chat_model() if model_kind == "offline" else get_chat_model(role)  # type: ignore[arg-type]
            marking = await mark_answer(model, spec, reference.answer, role=role)
            rows.append({
                "ref": question.ref, "kind": question.kind, "level": reference.level,
                "ao_max": spec.ao_max, "gold": {ao: reference.marks.get(ao) for ao in AO_NAMES},
                "predicted": marking.ao_marks, "model": marking.model, "fallback": marking.fallback,
            })
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Agreement per AO (only where the question assesses that AO) and on the total."""
    out: dict[str, Any] = {}
    for ao in AO_NAMES:
        assessed = [r for r in rows if r["ao_max"][ao] > 0]
        if assessed:
            out[ao] = agreement([r["gold"][ao] for r in assessed], [r["predicted"][ao] for r in assessed])
    out["total"] = agreement([sum(r["gold"].values()) for r in rows], [sum(r["predicted"].values()) for r in rows])
    return out


def render(summary: dict[str, Any], *, model_kind: str, role: str, models: set[str]) -> str:
    """A plain-text table."""
    lines = [f"Marker agreement with reference marks — model={model_kind} ({', '.join(sorted(models))}), role={role}",
             f"{'':<6} {'n':>4} {'QWK':>6} {'exact':>6} {'adj.':>6} {'bias':>6}"]
    for key, row in summary.items():
        lines.append(f"{key:<6} {row['n']:>4} {row['qwk']:>6.3f} {row['exact']:>6.1%} {row['adjacent']:>6.1%} "
                     f"{row['mean_difference']:>+6.2f}")
    lines.append("Note: reference answers and mark-scheme cues were written together; offline agreement is in-sample.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("offline", "llm"), default="offline")
    parser.add_argument("--role", choices=("marker", "reviewer"), default="marker")
    parser.add_argument("--json", action="store_true", help="print the summary and per-answer rows as JSON")
    args = parser.parse_args(argv)
    if args.model == "llm" and not LlmSettings().llm_configured:
        print("--model llm needs OPENAI_API_KEY and/or OPENAI_BASE_URL (and TEACH_LLM_OFFLINE unset)", file=sys.stderr)
        return 2
    rows = asyncio.run(collect(args.model, args.role))
    summary = summarise(rows)
    if args.json:
        print(json.dumps({"model": args.model, "role": args.role, "summary": summary, "rows": rows}, indent=2))
    else:
        print(render(summary, model_kind=args.model, role=args.role, models={r["model"] for r in rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
