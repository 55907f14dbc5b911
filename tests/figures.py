"""Figures the reliability tests measure, recorded for evals/benchmarks/reliability.py.

`record(name, value)` appends one JSON line to the file named by TEACH_FIGURES; without it (a normal test
run) it does nothing. The tests keep their assertions; the benchmark runs them and tabulates what they saw.
"""

from __future__ import annotations

import json
import os
from typing import Any


def record(name: str, value: Any) -> None:
    path = os.environ.get("TEACH_FIGURES")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"name": name, "value": value}) + "\n")
