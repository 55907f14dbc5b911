"""Build the Marker's nearest examples per mark-scheme point from the DEVELOPMENT set (never the held-out).

    python -m evals.marker_examples_build   # writes curriculum/9708/examples/marker_points.yaml

For each blind-marked dev answer and each point its examiner credited, the answer's sentence that best
carries the point (most cue groups matched, then closest to the point's description) becomes an example of
that point for the shared matching layer (`agents.marker_examples`, `curriculum.recognition`).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from agents.marker_reading import sentences_of
from curriculum.cue_match import match_cues
from curriculum.loader import get_curriculum
from curriculum.similarity import ExampleIndex
from evals.marker_sets import SET_FILES

OUT = Path(__file__).resolve().parent.parent / "curriculum" / "9708" / "examples" / "marker_points.yaml"


def build() -> list[dict[str, str]]:
    """One example per (dev answer, credited point)."""
    curriculum = get_curriculum()
    out = []
    for entry in yaml.safe_load(SET_FILES["dev"].read_text(encoding="utf-8")) or []:
        if entry.get("kind") in ("pasted_scheme", "injection", "keyword_soup"):
            continue  # their wording is not a student explaining the point
        question = curriculum.questions.get(entry["question"])
        if question is None:
            continue
        sentences = sentences_of(entry["answer"])
        for point in question.mark_scheme.points:
            if point.id not in (entry.get("points_credited") or []) or not sentences:
                continue
            index = ExampleIndex.build([(0, point.description)])
            best = max(sentences, key=lambda s: (match_cues(s, point.cues).matched, index.similarity(s, 0)))
            out.append({"question": question.ref, "point": point.id, "description": point.description,
                        "source": f"dev:{entry['id']}", "text": best})
    return out


def main() -> int:
    """Write the examples file."""
    examples = build()
    header = ("# Nearest examples per mark-scheme point, taken from the development set's blind-marked answers\n"
              "# (python -m evals.marker_examples_build). Tuning data only: never the held-out sets.\n")
    OUT.write_text(header + yaml.safe_dump(examples, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    print(f"{len(examples)} examples -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
