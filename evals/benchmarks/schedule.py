"""Benchmark: SM-2 schedule building (target DESIGN.md §10: 100 topics over 180 days ≤ 10 ms).

Pure Python, no database. Prints the median and p95 of repeated builds for a few plan shapes, with EFs
spread across [1.3, 2.5] so weaker topics get more reviews.

    python -m evals.benchmarks.schedule [--repeat 50]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta

from tools.schedule import build_schedule


def _topics(n: int, seed: int = 7) -> list[tuple[str, float]]:
    rng = random.Random(seed)
    return [(f"9708.{1 + i // 10}.{1 + i % 10}", round(rng.uniform(1.3, 2.5), 2)) for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    """Time the shapes and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args(argv)
    start = date(2026, 1, 5)
    shapes = [(30, 60, 2.0), (100, 180, 4.0), (100, 180, 8.0), (39, 120, 2.0)]
    print(f"{'topics':>7}{'days':>6}{'h/day':>7}{'study days':>12}{'median ms':>11}{'p95 ms':>9}{'target':>9}")
    for n, days, hours in shapes:
        topics = _topics(n)
        samples, plan = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            plan = build_schedule(topics, start, start + timedelta(days=days), hours)
            samples.append((time.perf_counter() - t0) * 1000)
        samples.sort()
        target = "≤ 10" if (n, days) == (100, 180) else ""
        print(f"{n:>7}{days:>6}{hours:>7.1f}{len(plan):>12}{statistics.median(samples):>11.2f}"
              f"{samples[int(len(samples) * 0.95) - 1]:>9.2f}{target:>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
