"""Benchmark: the failure paths of issue 14, before → after.

Runs the reliability suite (real uvicorn processes, the embedded PostgreSQL, a fake OpenAI-compatible
provider on 127.0.0.1) with TEACH_FIGURES set, so each test records what it measured (tests/figures.py),
and prints one table: kill -9 mid-turn, SSE clients that disconnect, the database stopped during a burst,
stale pooled connections after a restart, a hung / 500-ing / empty-choices / malformed-tool-args provider,
the extra latency of an open breaker, the first SSE event, chat p95 under 16 slow markings, and one student
hammering. "Before" is what issue 14 measured on the same kind of machine before the fixes.

    python -m evals.benchmarks.reliability            # ~2 min on 2 cores
    python -m evals.benchmarks.reliability --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTS = [
    "tests/api/services/test_turns_survive_crashes.py::test_kill_9_mid_turn_loses_and_duplicates_nothing",
    "tests/api/services/test_turns_survive_crashes.py::"
    "test_clients_that_disconnect_mid_stream_still_get_their_turn_stored_once",
    "tests/api/test_database_outage.py",
    "tests/llm/test_bounded_calls.py",
    "tests/api/services/test_sse_under_faults.py",
    "tests/api/services/test_slots.py::test_sixteen_slow_markings_do_not_slow_other_students_chat",
    "tests/api/services/test_quotas.py::test_one_student_hammering_is_limited_and_others_are_not_slowed",
]


def run(out: Path) -> int:
    env = {**os.environ, "TEACH_FIGURES": str(out), "TEACH_BENCH_CHAT_SAMPLES": "24"}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *TESTS]
    return subprocess.run(cmd, cwd=REPO, env=env).returncode


def load(path: Path) -> dict[str, list]:
    figures: dict[str, list] = {}
    for line in path.read_text().splitlines():
        row = json.loads(line)
        figures.setdefault(row["name"], []).append(row["value"])
    return figures


def med(values: list) -> float:
    return statistics.median(values)


def table(f: dict[str, list]) -> list[tuple[str, str, str]]:
    def one(name: str) -> float:
        return med(f[name])

    rows = [
        ("kill -9 mid-turn, clients retry by Idempotency-Key: messages duplicated / lost",
         "29 of 29 in-flight duplicated",
         f"{int(one('kill9.duplicated'))} / {int(one('kill9.lost'))} of {int(one('kill9.messages'))} "
         f"({int(one('kill9.interrupted_requests'))} requests cut by the kill)"),
        ("SSE client disconnects mid-turn: turns stored once with their reply",
         "0 (reply never stored; retry duplicated)",
         f"{int(one('sse_disconnect.stored_once_with_reply'))} of {int(one('sse_disconnect.turns'))}"),
        ("database stopped during a burst: 503 + Retry-After / 500",
         "9 turns + 30 auth → 500; 1 false \"saved\"",
         f"{int(one('outage.503_with_retry_after'))} / {int(one('outage.500'))} of {int(one('outage.requests'))};"
         f" {int(one('outage.saved_said_wrongly'))} false \"saved\""),
        ("database restarted: turns failed on stale pooled connections",
         "turns failed minutes later",
         f"{int(one('stale_pool.failed'))} of {int(one('stale_pool.turns_after_restart'))}"),
        ("hung provider: cost of one turn (deadline)",
         "61 s per turn, 122 s per answer",
         f"{one('hung.turn_s'):.2f} s (deadline {one('hung.deadline_s'):g} s); "
         f"SSE {one('sse_hung.turn_s'):.2f} s (deadline {one('sse_hung.deadline_s'):g} s)"),
        ("hung provider, breaker open: extra latency of the next turn",
         "61 s again (no breaker)",
         f"{one('hung.breaker_open_turn_s') * 1000:.0f} ms (over SSE, whole turn: "
         f"{one('sse_hung.breaker_open_turn_s') * 1000:.0f} ms)"),
        ("500-ing provider: first turn / median with the breaker open",
         "full retry budget on every turn",
         f"{one('http500.first_turn_s'):.2f} s / {med(f['http500.breaker_open_turn_s']) * 1000:.0f} ms "
         f"(n={len(f['http500.breaker_open_turn_s'])})"),
        ("empty `choices`: outcome",
         "503 after one request, no retry",
         f"retried, then offline reply labelled offline in {one('empty.turn_s'):.2f} s"
         if all(f["empty.label_offline"]) else "not labelled offline"),
        ("malformed tool arguments (SSE): outcome",
         "no tokens, canned reply labelled as the LLM's",
         f"{int(one('malformed.tokens'))} tokens, labelled offline, {one('malformed.turn_s'):.2f} s"
         if all(f["malformed.label_offline"]) else "not labelled offline"),
        ("first SSE event (hung provider / disconnecting clients, worst)",
         "nothing for 61 s",
         f"{one('sse_hung.first_event_s') * 1000:.0f} ms / {one('sse_disconnect.first_event_max_s') * 1000:.0f} ms;"
         f" {int(one('sse_hung.keepalives'))} keep-alives"),
        ("16 slow markings: other students' chat p95, loaded vs idle",
         "pushed to 122 s",
         f"{one('markings.loaded_chat_p95_s') * 1000:.0f} ms vs {one('markings.idle_chat_p95_s') * 1000:.0f} ms "
         f"({one('markings.loaded_chat_p95_s') / one('markings.idle_chat_p95_s'):.2f}×)"),
        ("one student hammering: 429s past the quota; quiet student's median, loaded vs idle",
         "300 turns in 6.4 s, 0 × 429",
         f"{int(one('hammer.429'))} × 429 of {int(one('hammer.turns_sent'))} sent (quota "
         f"{int(one('hammer.limit'))}/min); {one('hammer.quiet_loaded_median_s') * 1000:.0f} ms vs "
         f"{one('hammer.quiet_idle_median_s') * 1000:.0f} ms "
         f"({one('hammer.quiet_loaded_median_s') / one('hammer.quiet_idle_median_s'):.2f}×)"),
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.jsonl"
        started = time.monotonic()
        code = run(out)
        figures = load(out) if out.exists() else {}
    print(f"\nreliability suite: exit {code}, {time.monotonic() - started:.0f} s\n")
    print("| measure | before | after |\n| --- | --- | --- |")
    try:
        rows = table(figures)
    except (KeyError, statistics.StatisticsError) as exc:  # a test failed before it recorded its figure
        print(f"a figure is missing ({exc}); see the failing test above")
        rows = []
    for measure, before, after in rows:
        print(f"| {measure} | {before} | {after} |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    sys.exit(code)


if __name__ == "__main__":
    main()
