"""Summarise a scenario report run against a real model: guard catches, regenerations, fallbacks, turn latency.

    python -m evals.real_model.coach_guard_report OUT/report.json

Reads the JSON report that `teach eval run --out OUT` writes (each run carries its turns' wall time and the
reply guard's record per turn) and prints one table. Used by `evals/real_model/coach_scenarios.sh` (not in CI).
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import Counter
from pathlib import Path
from typing import Any


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    """Counts and latencies over every run of the report."""
    turns = [s for run in report.get("runs", []) for s in run.get("turn_seconds", [])]
    guards = [g for run in report.get("runs", []) for g in run.get("guards", []) if g]
    caught = Counter(reason for g in guards for v in g.get("caught", []) for reason in v.get("reasons", []))
    first_try = sum(1 for g in guards if g.get("attempts") == 1 and (g.get("verdict") or {}).get("passed"))
    regenerated = sum(1 for g in guards if g.get("attempts") == 2 and not g.get("fallback"))
    fallbacks = sum(1 for g in guards if g.get("fallback"))
    ordered = sorted(turns)
    # Which model wrote the reply the guard checked first: with the breaker open the offline model answers
    # directly, and those turns say nothing about the real model.
    first_model = Counter(g.get("caught_model") or g.get("checked_model") or "?" for g in guards)
    real = [t for run in report.get("runs", []) for t, g in zip(run.get("turn_seconds", []), run.get("guards", []),
                                                                  strict=False)
            if g and (g.get("caught_model") or g.get("checked_model")) not in (None, "offline")]
    return {
        "runs": len(report.get("runs", [])), "passed": sum(r.get("passed", False) for r in report.get("runs", [])),
        "turns": len(turns), "guarded_replies": len(guards), "passed_first_time": first_try,
        "regenerated_and_passed": regenerated, "fell_back_to_offline": fallbacks, "caught_by_check": dict(caught),
        "turn_seconds_median": round(statistics.median(turns), 3) if turns else None,
        "turn_seconds_p95": round(ordered[int(0.95 * (len(ordered) - 1))], 3) if turns else None,
        "first_reply_by_model": dict(first_model),
        "real_model_turn_seconds_median": round(statistics.median(real), 3) if real else None,
        "models": sorted({m for r in report.get("runs", []) for m in r.get("models", [])}),
    }


def main(argv: list[str] | None = None) -> int:
    """CLI entry point (see module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report", type=Path)
    args = parser.parse_args(argv)
    figures = summarise(json.loads(args.report.read_text(encoding="utf-8")))
    for key, value in figures.items():
        print(f"{key:26} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
