"""Reading files in MRBench's format into flat, validated tutor-response records.

A file is a JSON list of dialogues: ``conversation_id``, ``conversation_history`` (one string of
"Tutor: ..." / "Student: ..." lines), ``Ground_Truth_Solution`` and ``anno_llm_responses``
``{tutor_name: {"response": str, "annotation": {dimension: label}}}``. Bad input raises
``MRBenchFormatError`` naming the offending field; nothing is partially returned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.scorers.turn_features import DIMENSIONS


class MRBenchFormatError(ValueError):
    """The file is not in MRBench's format; the message names the field at fault."""


@dataclass(frozen=True)
class TutorResponse:
    """One annotated tutor response with the dialogue it answers."""

    conversation_id: str
    tutor: str
    history: str
    response: str
    context: dict
    annotation: dict[str, str] = field(default_factory=dict)


def default_mrbench_path() -> Path:
    """The shared MRBench folder ``<repo>/../shared/data/mrbench`` (CI clones the repo with ``shared/``
    beside it); ``load_mrbench`` accepts it directly."""
    repo = Path(__file__).resolve().parents[1]
    return (repo / ".." / "shared" / "data" / "mrbench").resolve()


def resolve_mrbench_file(path: Path) -> Path:
    """``path`` itself if it is a file; if it is a folder, the single ``*.json`` file inside it."""
    path = Path(path)
    if path.is_dir():
        candidates = sorted(path.glob("*.json"))
        if len(candidates) != 1:
            raise MRBenchFormatError(f"path: expected exactly one .json file in {path}, found {len(candidates)}")
        return candidates[0]
    if not path.is_file():
        raise MRBenchFormatError(f"path: no such file {path}")
    return path


def _require(mapping: object, key: str, where: str, *kinds: type) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise MRBenchFormatError(f"{where}: missing field '{key}'")
    value = mapping[key]
    if not isinstance(value, kinds):
        expected = " or ".join(kind.__name__ for kind in kinds)
        raise MRBenchFormatError(f"{where}.{key}: expected {expected}, got {type(value).__name__}")
    return value


def parse_mrbench(items: object) -> list[TutorResponse]:
    """Validate parsed JSON in MRBench's format and flatten it to one record per tutor response.

    Annotation labels are kept as given; an unknown dimension key or label value is an error because
    the metrics would silently be wrong otherwise.
    """
    if not isinstance(items, list):
        raise MRBenchFormatError(f"top level: expected a list of dialogues, got {type(items).__name__}")
    records: list[TutorResponse] = []
    for index, item in enumerate(items):
        where = f"[{index}]"
        conversation_id = str(_require(item, "conversation_id", where, str, int))
        history = _require(item, "conversation_history", where, str)
        responses = _require(item, "anno_llm_responses", where, dict)
        solution = item.get("Ground_Truth_Solution") or ""
        context = {"ground_truth_solution": solution} if isinstance(solution, str) else {}
        for tutor, entry in responses.items():
            at = f"{where}.anno_llm_responses.{tutor}"
            response = _require(entry, "response", at, str)
            annotation = entry.get("annotation") or {}
            if not isinstance(annotation, dict):
                raise MRBenchFormatError(f"{at}.annotation: expected an object")
            for key, label in annotation.items():
                if key not in DIMENSIONS:
                    raise MRBenchFormatError(f"{at}.annotation: unknown dimension '{key}'")
                if label not in DIMENSIONS[key]:
                    raise MRBenchFormatError(f"{at}.annotation.{key}: unknown label {label!r}")
            records.append(TutorResponse(conversation_id, str(tutor), history, response, context,
                                         dict(annotation)))
    return records


def load_mrbench(path: Path) -> list[TutorResponse]:
    """Read and validate an MRBench-format JSON file (or the folder holding exactly one)."""
    path = resolve_mrbench_file(path)
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MRBenchFormatError(f"path: {path} is not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    return parse_mrbench(items)
