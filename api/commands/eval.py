"""`teach eval …`: measure the tutoring.

- `mrbench` labels a file in MRBench's format and reports macro-F1.
- `run` plays the scenario suite (simulated students) through the real workflow on a scratch database on the
  configured server (dropped afterwards; `--serving-database` to use the configured one), scores every session, writes `report.json` plus `report.html`/`report.md`; exit code 1 if any pass condition
  failed.
- `transcripts` scores stored sessions (by session, student, class, date range) or a JSONL file into one JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.commands.common import database_url, migrate


def _mrbench(args: argparse.Namespace) -> int:
    from evals.mrbench import (
        MRBenchFormatError,
        baseline_metrics,
        format_confusions,
        format_metrics_table,
        run_mrbench,
    )
    from evals.mrbench_split import select
    from evals.progress_bar import ProgressBar

    try:
        chat_model = None
        if args.scorer == "llm":
            from evals.judge import judge_chat_model

            chat_model = judge_chat_model()
        bar: ProgressBar | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            bar = bar or ProgressBar(total)
            bar.advance("responses")

        payload = run_mrbench(Path(args.path), Path(args.out), scorer=args.scorer, chat_model=chat_model,
                              part=args.part, limit=args.limit, calls=args.judge_calls,
                              on_progress=progress if args.scorer == "llm" else None)
        from evals.mrbench_data import load_mrbench

        baseline = baseline_metrics(select(load_mrbench(Path(args.path)), args.part)[:args.limit])
    except (MRBenchFormatError, ValueError, OSError) as exc:
        return _fail("mrbench", str(exc))
    print(f"{payload['scorer']} scorer on {payload['responses']} responses (part: {payload['part']}); "
          "macro-F1 with a 95% bootstrap interval over conversations")
    print(format_metrics_table(payload["metrics"], baseline))
    if "judge" in payload:
        judge = payload["judge"]
        print(f"\njudge: {judge['unscored_responses']} response(s) with an unscored dimension; methods used "
              f"{judge['methods']['used']}; dropped {judge['methods']['dropped'] or 'none'}")
    if args.confusion:
        print("\n" + format_confusions(payload["metrics"]))
    print(f"\nwrote {args.out}")
    return 0


def _quiet_graph_warnings() -> None:
    # langgraph serialises the runtime context for tracing and pydantic warns on every turn; it is noise here.
    warnings.filterwarnings("ignore", message=".*Pydantic serializer warnings.*")


def _fail(command: str, message: str) -> int:
    print(f"teach eval {command}: {message}", file=sys.stderr)
    return 2


def _judge_model(requested: bool) -> Any:
    """The judge chat model when requested (None otherwise); ValueError when no LLM is configured."""
    if not requested:
        return None
    from evals.judge import judge_chat_model

    return judge_chat_model()


def _scenarios(args: argparse.Namespace) -> list[Any]:
    from evals.scenarios import SCENARIOS, llm_student_scenario

    names = args.personas.split(",") if args.personas else list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise ValueError(f"personas: unknown {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    chosen = [SCENARIOS[n] for n in names]
    if args.llm_student:
        chosen.append(llm_student_scenario(_judge_model(True)))
    return chosen


def _codes(spec: str) -> list[str]:
    from curriculum.loader import get_curriculum
    from evals.scenarios import default_points

    points = get_curriculum().points
    if spec == "all":
        return sorted(points, key=lambda c: tuple(int(p) for p in c.split(".")))
    if spec == "sample":
        return default_points()
    codes = [c.strip() for c in spec.split(",") if c.strip()]
    unknown = [c for c in codes if c not in points]
    if unknown or not codes:
        raise ValueError(f"points: unknown syllabus point(s) {', '.join(unknown) or '(none given)'}")
    return codes


async def _run_suite(url: str, args: argparse.Namespace, scenarios: list[Any], codes: list[str],
                     judge: Any) -> tuple[list[Any], float]:
    from agents.llm import offline_chat_model
    from db.engine import create_engine, session_factory
    from evals.progress_bar import ProgressBar
    from evals.runner import run_suite

    engine = create_engine(url)
    bar = ProgressBar(len(scenarios) * len(codes))
    started = time.perf_counter()
    try:
        runs = await run_suite(
            session_factory(engine), scenarios=scenarios, codes=codes,
            model_factory=(lambda role: offline_chat_model()) if args.offline else None, judge_model=judge,
            on_progress=lambda r: bar.advance(f"{r.persona} {r.code} {'ok' if r.passed else 'FAIL'}"))
    finally:
        await engine.dispose()
    return runs, time.perf_counter() - started


def _run(args: argparse.Namespace) -> int:
    from agents.llm_settings import LlmSettings
    from api.commands.migrate import load_curriculum
    from evals.report import build_report, write_report

    _quiet_graph_warnings()
    try:
        scenarios, codes = _scenarios(args), _codes(args.points)
        judge = _judge_model(args.judge)
    except ValueError as exc:
        return _fail("run", str(exc))
    if args.serving_database:  # its simulated students are tagged: kept out of analytics and teachers' lists
        url = database_url()
        migrate(url)
        load_curriculum(url)
        runs, seconds = asyncio.run(_run_suite(url, args, scenarios, codes, judge))
    else:  # default: a scratch database on the same server, dropped afterwards
        from api.scratch import scratch_database

        with scratch_database(database_url(), prefix="teach_eval") as url:
            runs, seconds = asyncio.run(_run_suite(url, args, scenarios, codes, judge))
    settings = LlmSettings()
    meta = {"coach_model": "offline" if args.offline or not settings.llm_configured else settings.model_for("coach"),
            "judge": bool(judge), "points": codes, "personas": [s.persona for s in scenarios],
            "finished_at": datetime.now(UTC).isoformat(), "seconds": round(seconds, 2)}
    report = build_report(runs, meta)
    paths = write_report(report, Path(args.out), fmt=args.format)
    for name, persona in report["personas"].items():
        print(f"{name:<16} {persona['passed']}/{persona['runs']} passed  outcomes {persona['outcomes']}")
    for failure in report["failures"]:
        why = failure["error"] or "; ".join(f"{c['name']}: {c['detail']}" for c in failure["conditions"])
        print(f"FAIL {failure['persona']} {failure['syllabus_point']}: {why}")
    print(f"{report['summary']['passed']}/{report['summary']['runs']} runs passed; wrote "
          + ", ".join(str(p) for p in paths.values()))
    return 0 if report["summary"]["all_passed"] else 1


def _when(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name}: not an ISO date or date-time: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _uuid(text: str | None, name: str) -> uuid.UUID | None:
    if text is None:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        raise ValueError(f"{name}: not a UUID: {text!r}") from None


async def _from_db(url: str, args: argparse.Namespace) -> Any:
    from db.engine import create_engine, session_factory
    from evals.sources import transcripts_from_db

    engine = create_engine(url)
    try:
        async with session_factory(engine)() as db:
            return await transcripts_from_db(
                db, session_id=_uuid(args.session, "session"), student_id=_uuid(args.student, "student"),
                class_id=_uuid(args.class_id, "class"), since=_when(args.since, "since"),
                until=_when(args.until, "until"))
    finally:
        await engine.dispose()


def _transcripts(args: argparse.Namespace) -> int:
    from evals.progress_bar import ProgressBar
    from evals.session_transcript import TranscriptError
    from evals.sources import Loaded, transcripts_from_jsonl
    from evals.suite import aggregate, score_transcript

    try:
        judge = _judge_model(args.judge)
        if args.file:
            if args.since or args.until:
                raise ValueError("since/until: filter stored sessions only; not with --file")
            loaded = Loaded(transcripts=transcripts_from_jsonl(Path(args.file)))
        else:
            if not any((args.session, args.student, args.class_id, args.since, args.until)):
                raise ValueError("give --session, --student, --class, --since/--until or --file")
            for value, name in ((args.session, "session"), (args.student, "student"), (args.class_id, "class")):
                _uuid(value, name)
            for value, name in ((args.since, "since"), (args.until, "until")):
                _when(value, name)
            url = database_url()
            migrate(url)
            loaded = asyncio.run(_from_db(url, args))
    except (ValueError, OSError) as exc:  # TranscriptError is a ValueError
        return _fail("transcripts", str(exc))
    if not loaded.transcripts:
        return _fail("transcripts", "no transcripts matched" + (f" ({len(loaded.skipped)} skipped: nothing to score)"
                                                                 if loaded.skipped else ""))
    bar = ProgressBar(len(loaded.transcripts))
    scored = []
    for transcript in loaded.transcripts:
        try:
            scored.append(score_transcript(transcript, judge_model=judge))
        except TranscriptError as exc:
            return _fail("transcripts", str(exc))
        bar.advance(transcript.id or "")
    source = {k: v for k, v in vars(args).items() if k in ("session", "student", "class_id", "since", "until", "file")
              and v is not None}
    payload = {"source": source, "summary": aggregate(scored), "skipped": loaded.skipped, "transcripts": scored}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    for key, summary in payload["summary"]["session"].items():
        shown = summary.get("mean", summary.get("shares"))
        print(f"{key:<22} {shown}")
    print(f"scored {len(scored)} transcript(s) ({len(loaded.skipped)} skipped); wrote {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Mount `eval` and its actions."""
    p = sub.add_parser("eval", help="evaluate tutoring quality")
    esub = p.add_subparsers(dest="action", required=True)
    m = esub.add_parser("mrbench", help="label an MRBench-format file and report macro-F1 per dimension")
    m.add_argument("path", help="MRBench JSON file (or a folder holding one)")
    m.add_argument("--out", required=True, help="where to write predictions and metrics (JSON)")
    m.add_argument("--scorer", choices=["deterministic", "llm"], default="deterministic")
    m.add_argument("--part", choices=["all", "held_out", "train"], default="all",
                   help="which part of the frozen split (evals/data/mrbench_split.json) to score (default: all)")
    m.add_argument("--limit", type=int, help="score only the first N responses (quick runs of a slow judge)")
    m.add_argument("--judge-calls", choices=["per_response", "per_dimension"], default="per_response",
                   help="LLM judge: one call for all eight labels (default) or one call per dimension")
    m.add_argument("--confusion", action="store_true", help="also print each dimension's confusion matrix")
    m.set_defaults(func=_mrbench)

    r = esub.add_parser("run", help="run the simulated-student scenario suite and write a report")
    r.add_argument("--out", default="eval-report", help="report folder (default: eval-report)")
    r.add_argument("--format", choices=["html", "md"], default="html", help="readable page format")
    r.add_argument("--points", default="sample",
                   help="syllabus codes (comma-separated), 'sample' (one per section, default) or 'all'")
    r.add_argument("--personas", help="comma-separated personas (default: all scripted ones)")
    r.add_argument("--offline", action="store_true", help="force the offline Coach even if an LLM is configured")
    r.add_argument("--judge", action="store_true", help="add LLM-judge session scores (needs an LLM)")
    r.add_argument("--llm-student", action="store_true", help="add an LLM-played student (needs an LLM)")
    r.add_argument("--serving-database", action="store_true",
                   help="play on the configured database instead of a scratch one (simulated students are tagged "
                        "and never reach coaching efficiency or teachers' lists)")
    r.set_defaults(func=_run)

    t = esub.add_parser("transcripts", help="score stored or file transcripts into one JSON")
    which = t.add_mutually_exclusive_group()
    which.add_argument("--session", help="one coaching session id")
    which.add_argument("--student", help="every session of one student id")
    which.add_argument("--class", dest="class_id", help="every session of a class's members")
    which.add_argument("--file", help="a JSONL file, one transcript object per line")
    t.add_argument("--since", help="created at or after (ISO date/date-time, UTC if no zone)")
    t.add_argument("--until", help="created before (ISO date/date-time)")
    t.add_argument("--out", required=True, help="where to write the scores (JSON)")
    t.add_argument("--judge", action="store_true", help="add LLM-judge session scores (needs an LLM)")
    t.set_defaults(func=_transcripts)
