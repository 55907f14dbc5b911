"""Answer sets the Marker is measured on, and the figures an examiner asks of a marker on them.

Three sets, always labelled, never mixed:
- `reference` — the bundled questions' reference answers (in-sample: cues and reference answers were written
  together, so agreement here overstates agreement on unseen answers);
- `dev` — `evals/dev/marker_answers_dev.yaml`, blind-marked answers used to tune cues, examples and the
  confidence weights (in-sample for anything tuned on it);
- `heldout` — `evals/heldout/marker_answers_heldout.yaml`, written and marked blind before any tuning and
  never used to write cues, examples, weights or thresholds: the out-of-sample figures.

Each answer runs the real path (`agents.marker.mark_answer` → `agents.marker.gate` → for a flagged answer the
Reviewer's second marking and its settle rule), so the figures are the product's, not a re-implementation's.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import yaml

from curriculum.loader import get_curriculum as load_curriculum
from curriculum.schema import AO_NAMES

ROOT = Path(__file__).resolve().parent
SET_FILES = {
    "dev": ROOT / "dev" / "marker_answers_dev.yaml",
    "heldout": ROOT / "heldout" / "marker_answers_heldout.yaml",
}
BIG_ERROR_SHARE = 0.25  # |error| ≥ 25% of the question's maximum is a big error


def load_set(name: str) -> list[dict[str, Any]]:
    """The answers of one set as {id, ref, kind, answer, gold{AO: marks}} ("reference" reads the curriculum)."""
    curriculum = load_curriculum()
    if name == "reference":
        return [{"id": f"{q.ref}/{r.level}", "ref": q.ref, "kind": r.level, "answer": r.answer,
                 "gold": {ao: r.marks.get(ao) for ao in AO_NAMES}}
                for q in sorted(curriculum.questions.values(), key=lambda q: q.ref) for r in q.reference_answers]
    path = SET_FILES[name]
    if not path.exists():
        return []
    out = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        if entry["question"] not in curriculum.questions:
            continue  # an answer to a question the curriculum does not bundle cannot be marked
        out.append({"id": str(entry["id"]), "ref": entry["question"], "kind": str(entry.get("kind", "?")),
                    "answer": str(entry["answer"]), "gold": {ao: int(entry["marks"].get(ao, 0)) for ao in AO_NAMES}})
    return out


def question_spec(ref: str) -> Any:
    """A `QuestionSpec` for a bundled question (random id: not stored)."""
    from agents.marker import QuestionSpec

    q = load_curriculum().question(ref)
    return QuestionSpec(id=uuid.uuid4(), ref=q.ref, kind=q.kind, text=q.text, max_marks=q.max_marks,
                        mark_scheme=q.mark_scheme.model_dump(mode="json"), syllabus_point_codes=list(q.syllabus_points))


def big_error(row: dict[str, Any]) -> bool:
    """|predicted − gold| total is at least a quarter of the maximum."""
    return abs(row["error"]) >= BIG_ERROR_SHARE * row["max_marks"] - 1e-9


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def by_kind(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per answer kind: n, mean signed error and mean over-marking (both as a share of the maximum)."""
    out: dict[str, dict[str, Any]] = {}
    for kind in sorted({r["kind"] for r in rows}):
        group = [r for r in rows if r["kind"] == kind]
        out[kind] = {
            "n": len(group),
            "mean_error": _mean([r["error"] / r["max_marks"] for r in group]),
            "over_marking": _mean([max(0, r["error"]) / r["max_marks"] for r in group]),
            "under_marking": _mean([max(0, -r["error"]) / r["max_marks"] for r in group]),
            "flagged": _mean([1.0 if r["to_person"] else 0.0 for r in group]),
        }
    return out


def gating(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """How the gate and the Reviewer sort the answers, and whether that follows the Marker's error.

    `gate_flag_rate`: confidence < threshold (sent to the Reviewer); `person_rate`: still queued for a person
    after the Reviewer. Big errors are counted as caught when they reach a person (a big error the Reviewer
    settled is a miss). Errors are |predicted − gold| / max of the mark the student would see.
    """
    n = len(rows)
    big = [r for r in rows if big_error(r)]
    to_person = [r for r in rows if r["to_person"]]
    kept = [r for r in rows if not r["to_person"]]
    rel = [abs(r["error"]) / r["max_marks"] for r in rows]
    conf = [r["confidence"] for r in rows]
    return {
        "n": n,
        "gate_flag_rate": _mean([1.0 if r["gate_flagged"] else 0.0 for r in rows]),
        "person_rate": _mean([1.0 if r["to_person"] else 0.0 for r in rows]),
        "settled_by_reviewer": sum(1 for r in rows if r["gate_flagged"] and not r["to_person"]),
        "big_errors": len(big),
        "big_errors_to_person": sum(1 for r in big if r["to_person"]),
        "big_errors_gate_flagged": sum(1 for r in big if r["gate_flagged"]),
        "big_error_catch_rate": _mean([1.0 if r["to_person"] else 0.0 for r in big]),
        "error_to_person": _mean([abs(r["error"]) / r["max_marks"] for r in to_person]),
        "error_not_to_person": _mean([abs(r["error"]) / r["max_marks"] for r in kept]),
        "confidence_error_correlation": _correlation(conf, rel),
        "calibration": calibration(rows),
    }


def calibration(rows: list[dict[str, Any]], edges: tuple[int, ...] = (0, 50, 60, 70, 80, 90, 101)) -> list[dict]:
    """Error by confidence band: n, mean |error| (share of max), exact share and big-error share per band."""
    table = []
    for low, high in zip(edges, edges[1:]):
        group = [r for r in rows if low <= r["confidence"] < high]
        table.append({"band": f"{low}-{min(high, 100) - (0 if high > 100 else 1)}", "n": len(group),
                      "mean_error": _mean([abs(r["error"]) / r["max_marks"] for r in group]),
                      "exact": _mean([1.0 if r["error"] == 0 else 0.0 for r in group]),
                      "big": _mean([1.0 if big_error(r) else 0.0 for r in group])})
    return table


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sx = sum((x - mx) ** 2 for x in xs) ** 0.5
    sy = sum((y - my) ** 2 for y in ys) ** 0.5
    if sx == 0 or sy == 0:
        return None
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (sx * sy), 3)
