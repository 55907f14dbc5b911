"""`teach eval …`: measure the tutoring. `mrbench` labels a file in MRBench's format and reports macro-F1."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _mrbench(args: argparse.Namespace) -> int:
    from evals.mrbench import MRBenchFormatError, baseline_metrics, format_metrics_table, load_mrbench, run_mrbench

    chat_model = None
    if args.scorer == "llm":
        from agents.llm import get_chat_model

        chat_model = get_chat_model("judge")
    try:
        payload = run_mrbench(Path(args.path), Path(args.out), scorer=args.scorer, chat_model=chat_model)
        baseline = baseline_metrics(load_mrbench(Path(args.path)))
    except (MRBenchFormatError, ValueError, FileNotFoundError) as exc:
        print(f"teach eval mrbench: {exc}", file=sys.stderr)
        return 2
    print(format_metrics_table(payload["metrics"], baseline))
    print(f"\nwrote {args.out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Mount `eval` and its actions."""
    p = sub.add_parser("eval", help="evaluate tutoring quality")
    esub = p.add_subparsers(dest="action", required=True)
    m = esub.add_parser("mrbench", help="label an MRBench-format file and report macro-F1 per dimension")
    m.add_argument("path", help="MRBench JSON file (or a folder holding one)")
    m.add_argument("--out", required=True, help="where to write predictions and metrics (JSON)")
    m.add_argument("--scorer", choices=["deterministic", "llm"], default="deterministic")
    m.set_defaults(func=_mrbench)
