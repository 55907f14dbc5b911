"""Student-style example answers for the matching layer, bundled with the curriculum (tuning data only).

`curriculum/<subject>/examples/coach_*.yaml` holds labelled student replies (`{point, reply, kind, expectations,
misconception}`) written by someone who had not seen the cue lists; a reply labelled correct is an example of
each expectation it shows, a misconception reply of its misconception. They are the matching layer's nearest
examples (`curriculum.recognition`). The evaluation's held-out sets live in `evals/heldout/` and are never read
here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def _all_examples() -> dict[str, dict[tuple[str, str], tuple[str, ...]]]:
    found: dict[str, dict[tuple[str, str], list[str]]] = {}
    for path in sorted(ROOT.glob("*/examples/coach_*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for key in _keys(entry):
                found.setdefault(str(entry["point"]), {}).setdefault(key, []).append(str(entry["reply"]))
    return {code: {k: tuple(v) for k, v in by.items()} for code, by in found.items()}


_override: dict[str, dict[tuple[str, str], tuple[str, ...]]] | None = None


def examples_for(code: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """{("expectation"|"misconception", id): example texts} for a syllabus point ({} when none are bundled)."""
    return (_all_examples() if _override is None else _override).get(code, {})


def use_examples(entries: list[dict] | None) -> None:
    """Replace the bundled examples with `entries` (same shape as the files), or restore them with None.

    For cross-validation in the evals: a reply is never matched against itself. Clears the matching caches.
    """
    global _override
    if entries is None:
        _override = None
    else:
        found: dict[str, dict[tuple[str, str], list[str]]] = {}
        for entry in entries:
            for key in _keys(entry):
                found.setdefault(str(entry["point"]), {}).setdefault(key, []).append(str(entry["reply"]))
        _override = {code: {k: tuple(v) for k, v in by.items()} for code, by in found.items()}
    from curriculum.recognition import clear_caches

    clear_caches()


def _keys(entry: dict) -> list[tuple[str, str]]:
    if entry.get("kind") == "correct":
        return [("expectation", str(e)) for e in entry.get("expectations") or []]
    if entry.get("kind") == "misconception" and entry.get("misconception"):
        return [("misconception", str(entry["misconception"]))]
    return []
