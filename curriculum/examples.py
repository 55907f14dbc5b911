"""Student-style example answers for the matching layer, bundled with the curriculum (tuning data only).

`curriculum/<subject>/examples/*.yaml` holds lists of `{point, expectation | misconception, text}`: replies written
by someone who had not seen the cue lists, used as nearest examples (`curriculum.recognition`). The evaluation's
held-out sets live in `evals/heldout/` and are never read here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def _all_examples() -> dict[str, dict[tuple[str, str], tuple[str, ...]]]:
    found: dict[str, dict[tuple[str, str], list[str]]] = {}
    for path in sorted(ROOT.glob("*/examples/*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            kind = "expectation" if entry.get("expectation") else "misconception"
            key = (kind, str(entry.get(kind)))
            found.setdefault(str(entry["point"]), {}).setdefault(key, []).append(str(entry["text"]))
    return {code: {k: tuple(v) for k, v in by.items()} for code, by in found.items()}


def examples_for(code: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """{("expectation"|"misconception", id): example texts} for a syllabus point ({} when none are bundled)."""
    return _all_examples().get(code, {})
