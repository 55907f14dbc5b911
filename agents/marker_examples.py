"""Nearest examples for the Marker: student-style sentences that earned each mark-scheme point (tuning data).

`curriculum/<subject>/examples/marker_points.yaml` lists `{question, point, text}` taken from the development
set's blind-marked answers (`evals/dev/`), never from the held-out sets. The shared matching layer
(`curriculum.recognition`) uses them beside each point's description.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent / "curriculum"


@lru_cache(maxsize=1)
def _by_description() -> dict[tuple[str, str], tuple[str, ...]]:
    """{(point description, point id): example texts}; keyed by description because a scheme carries no ref."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(ROOT.glob("*/examples/marker_points*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            found.setdefault((str(entry["description"]), str(entry["point"])), []).append(str(entry["text"]))
    return {key: tuple(texts) for key, texts in found.items()}


def point_examples(scheme_json: str, point_id: str) -> tuple[str, ...]:
    """Example texts for one point of a scheme (JSON dump), () when none are bundled."""
    scheme = json.loads(scheme_json)
    description = next((p["description"] for p in scheme["points"] if p["id"] == point_id), "")
    return _by_description().get((description, point_id), ())
