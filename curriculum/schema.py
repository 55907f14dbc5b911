"""Pydantic v2 models for the curriculum data contract (subject, syllabus point, question, mark scheme).

These models check the shape of each entry (types, required fields, allowed values, unknown keys). The rules
that span several fields or files (AO sums, ladder targets, cross-file codes, ...) live in
`curriculum.rules`, so that each failure can name the exact field it is about.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CODE_PATTERN = r"^\d{4}\.\d{1,2}\.\d{1,2}$"
REF_PATTERN = r"^\d{4}-Q\d{1,2}-\d{2,3}$"
AO = Literal["AO1", "AO2", "AO3"]
AO_NAMES: tuple[str, ...] = ("AO1", "AO2", "AO3")

class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _clean_cues(groups: list[list[str]]) -> list[list[str]]:
    """Lowercase cue strings; reject empty groups and empty strings (they would match nothing or anything)."""
    cleaned = []
    for number, group in enumerate(groups, start=1):
        if not group:
            raise ValueError(f"cue group {number} is empty")
        if any(not cue.strip() for cue in group):
            raise ValueError(f"cue group {number} contains an empty string")
        # only the outer boundary spaces are meaningful (see curriculum.matching), keep them
        cleaned.append([cue.lower() for cue in group])
    return cleaned


Cues = list[list[str]]


class _HasCues(_Model):
    """Base for entries recognised in free text by cue groups (see curriculum.matching)."""

    # a cue's leading/trailing space is meaningful (it demands a word boundary), so no stripping here
    model_config = ConfigDict(str_strip_whitespace=False)

    cues: Cues = Field(min_length=1)

    @field_validator("cues")
    @classmethod
    def _cues_are_usable(cls, value: Cues) -> Cues:
        return _clean_cues(value)


class Subject(_Model):
    """A subject such as 9708 Economics."""

    code: str = Field(pattern=r"^\d{4}$")
    name: str = Field(min_length=1)
    level: str = Field(min_length=1)
    organisation_note: str | None = None


class KeyTerm(_Model):
    """A term the student should be able to define, with our own definition."""

    term: str = Field(min_length=1)
    definition: str = Field(min_length=1)


class Expectation(_HasCues):
    """A key idea the student should reach, recognised in their words by `cues`."""

    id: str = Field(min_length=1)
    idea: str = Field(min_length=1)


class Misconception(_HasCues):
    """A common wrong belief: how to spot it, the correction, and a probe that makes the student test it."""

    id: str = Field(min_length=1)
    statement: str = Field(min_length=1)
    correction: str = Field(min_length=1)
    probe: str = Field(min_length=1)



class LadderStep(_Model):
    """One guiding question of the Socratic ladder, leading toward the `targets` expectations."""

    question: str = Field(min_length=1)
    targets: list[str] = Field(min_length=1)
    hint: str = Field(min_length=1)
    # other ways of asking the same step, so the Coach need not repeat itself when the question did not land
    rephrasings: list[str] = Field(min_length=2)


class SyllabusPoint(_Model):
    """A syllabus point such as 9708.2.2 with everything the tutor needs to teach it."""

    code: str = Field(pattern=CODE_PATTERN)
    title: str = Field(min_length=1)
    section: int = Field(ge=1, le=11)
    level: Literal["AS", "A"]
    key_terms: list[KeyTerm]
    expectations: list[Expectation]
    misconceptions: list[Misconception]
    ladder: list[LadderStep]
    context: str = Field(min_length=1)
    answer_phrases: list[str]

    @property
    def subject_code(self) -> str:
        """The subject part of the code ("9708" for "9708.2.1")."""
        return self.code.split(".")[0]

    def expectation(self, expectation_id: str) -> Expectation:
        """Return the expectation with this id (KeyError if there is none)."""
        for item in self.expectations:
            if item.id == expectation_id:
                return item
        raise KeyError(f"{self.code} has no expectation {expectation_id!r}")


class AOMarks(_Model):
    """Marks per assessment objective; keys are exactly AO1, AO2, AO3."""

    AO1: int = Field(ge=0)
    AO2: int = Field(ge=0)
    AO3: int = Field(ge=0)

    @property
    def total(self) -> int:
        """Sum over the three assessment objectives."""
        return self.AO1 + self.AO2 + self.AO3

    def get(self, ao: str) -> int:
        """Marks for one AO by name ("AO1" .. "AO3")."""
        return int(getattr(self, ao))


class MarkPoint(_HasCues):
    """One creditable point of indicative content."""

    id: str = Field(min_length=1)
    ao: AO
    marks: int = Field(ge=1)
    description: str = Field(min_length=1)


class LevelDescriptor(_Model):
    """A level band for one AO: `marks` is an inclusive [low, high] range within that AO's marks."""

    ao: AO
    level: int = Field(ge=1)
    marks: tuple[int, int]
    descriptor: str = Field(min_length=1)


class MarkScheme(_Model):
    """Marks per AO, indicative content points and (for explain/evaluate) level descriptors."""

    ao_marks: AOMarks
    points: list[MarkPoint] = Field(min_length=1)
    levels: list[LevelDescriptor] = Field(default_factory=list)


class ReferenceAnswer(_Model):
    """A student-style answer at a given quality with the mark an experienced examiner would give."""

    level: Literal["weak", "middling", "strong"]
    answer: str = Field(min_length=1)
    marks: AOMarks
    justification: str = Field(min_length=1)


class Question(_Model):
    """An exam-style question with its mark scheme and reference answers."""

    ref: str = Field(pattern=REF_PATTERN)
    syllabus_points: list[str] = Field(min_length=1)
    kind: Literal["define", "explain", "evaluate"]
    text: str = Field(min_length=1)
    max_marks: int = Field(ge=1)
    mark_scheme: MarkScheme
    reference_answers: list[ReferenceAnswer]
