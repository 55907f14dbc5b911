"""Load and validate the bundled curriculum YAML files.

`load_curriculum()` reads `<root>/<subject>/subject.yaml`, every `points/*.yaml` and every `questions/*.yaml`,
checks each entry against the schema (`curriculum.schema`) and the contract's rules (`curriculum.rules`),
including the cross-file ones (unique codes and refs, questions citing existing syllabus points), and raises
one `CurriculumError` listing every problem, each as `<file>: <entry>: <field>: <message>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from curriculum.rules import check_point, check_question
from curriculum.schema import Question, Subject, SyllabusPoint

PACKAGE_ROOT = Path(__file__).resolve().parent


class CurriculumError(ValueError):
    """The curriculum data breaks the contract. `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Curriculum:
    """Validated curriculum: subjects by code, syllabus points by code, questions by ref."""

    subjects: dict[str, Subject]
    points: dict[str, SyllabusPoint]
    questions: dict[str, Question]
    sources: dict[str, str] = field(default_factory=dict)  # code/ref -> the file it came from

    def point(self, code: str) -> SyllabusPoint:
        """The syllabus point with this code; KeyError naming the code if there is none."""
        try:
            return self.points[code]
        except KeyError:
            raise KeyError(f"unknown syllabus code {code!r}") from None

    def question(self, ref: str) -> Question:
        """The question with this ref; KeyError naming the ref if there is none."""
        try:
            return self.questions[ref]
        except KeyError:
            raise KeyError(f"unknown question ref {ref!r}") from None

    def questions_for(self, code: str) -> list[Question]:
        """Questions that cover syllabus point `code`, ordered by ref."""
        return sorted((q for q in self.questions.values() if code in q.syllabus_points), key=lambda q: q.ref)


class _Collector:
    """Accumulates problems so that one run reports every broken entry, not just the first."""

    def __init__(self, root: Path):
        self.base = root.parent
        self.problems: list[str] = []

    def show(self, path: Path) -> str:
        try:
            return path.relative_to(self.base).as_posix()
        except ValueError:
            return path.as_posix()

    def add(self, path: Path, entry: str, field_name: str, message: str) -> None:
        self.problems.append(f"{self.show(path)}: {entry}: {field_name}: {message}")

    def read_yaml(self, path: Path) -> Any:
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            self.problems.append(f"{self.show(path)}: not valid YAML: {exc}")
            return None

    def parse(self, model: type[BaseModel], raw: Any, path: Path, entry: str) -> Any:
        if not isinstance(raw, dict):
            self.add(path, entry, "(entry)", f"expected a mapping, got {type(raw).__name__}")
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                self.add(path, entry, _field_path(error["loc"]), error["msg"])
            return None


def _field_path(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(entry)"


def _entries(collector: _Collector, path: Path, kind: str, key: str) -> list[tuple[str, Any]]:
    data = collector.read_yaml(path)
    if data is None:
        return []
    if not isinstance(data, list):
        collector.problems.append(f"{collector.show(path)}: expected a YAML list of {kind}s")
        return []
    labelled = []
    for index, raw in enumerate(data):
        name = raw.get(key) if isinstance(raw, dict) else None
        labelled.append((f"{kind} {name}" if name else f"{kind} #{index + 1}", raw))
    return labelled


def load_curriculum(root: Path | None = None) -> Curriculum:
    """Read and validate every subject under `root` (default: the curriculum package folder).

    Raises CurriculumError listing every problem as `<file>: <entry>: <field>: <message>`.
    """
    root = Path(root) if root is not None else PACKAGE_ROOT
    collector = _Collector(root)
    subjects: dict[str, Subject] = {}
    points: dict[str, SyllabusPoint] = {}
    questions: dict[str, Question] = {}
    sources: dict[str, str] = {}
    parsed_questions: list[tuple[Path, str, Question]] = []

    subject_files = sorted(root.glob("*/subject.yaml"))
    if not subject_files:
        raise CurriculumError([f"{collector.show(root)}: no <subject>/subject.yaml found"])
    for subject_file in subject_files:
        folder = subject_file.parent
        subject = collector.parse(Subject, collector.read_yaml(subject_file), subject_file, f"subject {folder.name}")
        if subject is None:
            continue
        if subject.code != folder.name:
            collector.add(subject_file, f"subject {subject.code}", "code", f"does not match folder {folder.name}")
        subjects[subject.code] = subject

        for path in sorted((folder / "points").glob("*.yaml")):
            for entry, raw in _entries(collector, path, "point", "code"):
                point = collector.parse(SyllabusPoint, raw, path, entry)
                if point is None:
                    continue
                if point.subject_code != subject.code:
                    collector.add(path, entry, "code", f"does not belong to subject {subject.code}")
                if point.code in points:
                    collector.add(path, entry, "code", f"duplicate code, also in {sources[point.code]}")
                    continue
                for field_name, message in check_point(point):
                    collector.add(path, entry, field_name, message)
                points[point.code] = point
                sources[point.code] = collector.show(path)

        for path in sorted((folder / "questions").glob("*.yaml")):
            for entry, raw in _entries(collector, path, "question", "ref"):
                question = collector.parse(Question, raw, path, entry)
                if question is None:
                    continue
                if not question.ref.startswith(f"{subject.code}-"):
                    collector.add(path, entry, "ref", f"does not belong to subject {subject.code}")
                if question.ref in questions:
                    collector.add(path, entry, "ref", f"duplicate ref, also in {sources[question.ref]}")
                    continue
                questions[question.ref] = question
                sources[question.ref] = collector.show(path)
                parsed_questions.append((path, entry, question))

    # questions are checked after every point file is read, because they may cite points from any file
    for path, entry, question in parsed_questions:
        for field_name, message in check_question(question, points.keys()):
            collector.add(path, entry, field_name, message)

    if collector.problems:
        raise CurriculumError(collector.problems)
    return Curriculum(subjects=subjects, points=points, questions=questions, sources=sources)


@lru_cache(maxsize=1)
def get_curriculum() -> Curriculum:
    """The bundled curriculum, loaded and validated once per process."""
    return load_curriculum()
