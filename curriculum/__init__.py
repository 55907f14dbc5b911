"""Bundled curriculum data (Cambridge 9708-style Economics) and its schema, loader and cue matching.

Public API:
    load_curriculum(root=None) -> Curriculum   read and validate every YAML file (raises CurriculumError)
    get_curriculum() -> Curriculum             the bundled curriculum, loaded once and cached
    cue_hits(text, cues) / matched_groups(text, cues)   the contract's deterministic matching rule
"""

from curriculum.loader import Curriculum, CurriculumError, get_curriculum, load_curriculum
from curriculum.matching import cue_hits, matched_groups, normalise
from curriculum.schema import (
    AOMarks,
    Expectation,
    KeyTerm,
    LadderStep,
    LevelDescriptor,
    MarkPoint,
    MarkScheme,
    Misconception,
    Question,
    ReferenceAnswer,
    Subject,
    SyllabusPoint,
)

__all__ = [
    "AOMarks",
    "Curriculum",
    "CurriculumError",
    "Expectation",
    "KeyTerm",
    "LadderStep",
    "LevelDescriptor",
    "MarkPoint",
    "MarkScheme",
    "Misconception",
    "Question",
    "ReferenceAnswer",
    "Subject",
    "SyllabusPoint",
    "cue_hits",
    "get_curriculum",
    "load_curriculum",
    "matched_groups",
    "normalise",
]
