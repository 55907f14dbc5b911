"""Deterministic rubric-coverage marking: the offline marker, the Reviewer's second opinion, and the gate's
independent mark beside the LLM's.

An answer is first cleaned with `tools.answer_checks.strip_marker_instructions` (so "award full marks" can
never earn anything), then each indicative-content point of the mark scheme is looked for with the
curriculum's cue rule (`curriculum.matching`): a point is credited when every one of its cue groups occurs in
the answer, and then earns all of its marks.

Two methods, deliberately weighted differently so that they are two opinions, not one:
- `coverage` (the Marker): for an AO without level descriptors, the credited points' marks, capped at the
  AO's marks. For an AO with levels (explain/evaluate), the indicative content usually offers more marks than
  the AO carries, so the mark is the share of that content covered, scaled to the AO's marks (rounded half
  up): covering half the content puts the answer half way up the levels.
- `levels_first` (the Reviewer): the capped credited marks decide which level band the answer reaches, and
  the answer gets that band's bottom mark unless it reaches the AO's full marks — a stricter, band-first
  reading of the same evidence, as an examiner placing an answer in a level before fine-tuning would.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from curriculum.matching import matched_groups
from curriculum.schema import AO_NAMES, LevelDescriptor, MarkScheme
from tools.answer_checks import strip_marker_instructions

RubricMethod = Literal["coverage", "levels_first"]


@dataclass(frozen=True)
class PointCoverage:
    """How one indicative-content point fared: cue groups matched and marks earned."""

    id: str
    ao: str
    marks: int
    awarded: int
    groups_matched: int
    groups_total: int
    description: str

    @property
    def credited(self) -> bool:
        """True when the point earned its marks."""
        return self.awarded > 0


@dataclass(frozen=True)
class AOResult:
    """One assessment objective's mark, the level band it falls in, and its distance to a band edge."""

    ao: str
    max_marks: int
    awarded: int
    level: int | None = None
    band: tuple[int, int] | None = None
    descriptor: str | None = None
    boundary_distance: int | None = None


@dataclass(frozen=True)
class RubricMarking:
    """A full rubric marking of one answer."""

    method: str
    aos: dict[str, AOResult]
    points: list[PointCoverage] = field(default_factory=list)

    @property
    def ao_marks(self) -> dict[str, int]:
        """Marks per AO, keys exactly AO1, AO2, AO3."""
        return {ao: self.aos[ao].awarded for ao in AO_NAMES}

    @property
    def total(self) -> int:
        """Total marks awarded."""
        return sum(self.ao_marks.values())

    @property
    def max_total(self) -> int:
        """The question's maximum."""
        return sum(result.max_marks for result in self.aos.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored in `marking_feedback`)."""
        return {
            "method": self.method, "ao_marks": self.ao_marks, "total": self.total, "max_marks": self.max_total,
            "points": [asdict(p) | {"credited": p.credited} for p in self.points],
            "levels": {ao: asdict(r) for ao, r in self.aos.items() if r.level is not None},
        }


def parse_scheme(mark_scheme: MarkScheme | dict[str, Any]) -> MarkScheme:
    """The mark scheme as the curriculum model (questions.mark_scheme JSONB holds its dump)."""
    return mark_scheme if isinstance(mark_scheme, MarkScheme) else MarkScheme.model_validate(mark_scheme)


def levels_of(scheme: MarkScheme, ao: str) -> list[LevelDescriptor]:
    """The AO's level bands, lowest first."""
    return sorted((band for band in scheme.levels if band.ao == ao), key=lambda band: band.level)


def band_for(scheme: MarkScheme, ao: str, mark: int) -> LevelDescriptor | None:
    """The level band containing `mark` for this AO (None for 0 marks or an AO without levels)."""
    return next((band for band in levels_of(scheme, ao) if band.marks[0] <= mark <= band.marks[1]), None)


def boundary_distance(scheme: MarkScheme, ao: str, mark: int) -> int | None:
    """Marks `mark` can move before it crosses into another level (0 = on a boundary; None = no levels).

    A mark on the edge of its band (or 0, one mark below the lowest band) is one examiner's judgement away
    from another level, which is why the gate treats it as less certain. The top band has no upper edge.
    """
    bands = levels_of(scheme, ao)
    if not bands:
        return None
    band = band_for(scheme, ao, mark)
    if band is None:  # 0 marks (or a gap between bands): one mark away from a level
        return 0
    low, high = band.marks
    if band is bands[-1]:  # nothing above the top band, only the edge below counts
        return mark - low
    return min(mark - low, high - mark)


def _cover(scheme: MarkScheme, text: str) -> list[PointCoverage]:
    points = []
    for point in scheme.points:
        matched = matched_groups(text, point.cues)
        awarded = point.marks if matched == len(point.cues) else 0
        points.append(PointCoverage(point.id, point.ao, point.marks, awarded, matched, len(point.cues),
                                    point.description))
    return points


def _ao_mark(scheme: MarkScheme, ao: str, points: list[PointCoverage], method: RubricMethod) -> int:
    top = scheme.ao_marks.get(ao)
    earned = sum(p.awarded for p in points if p.ao == ao)
    capped = min(earned, top)
    if top == 0 or not levels_of(scheme, ao):
        return capped
    if method == "coverage":
        available = sum(p.marks for p in points if p.ao == ao) or 1
        return min(top, math.floor(earned * top / available + 0.5))
    band = band_for(scheme, ao, capped)
    if band is None or capped == top:
        return capped
    return band.marks[0]


def mark_by_rubric(
    mark_scheme: MarkScheme | dict[str, Any], answer: str, *, method: RubricMethod = "coverage"
) -> RubricMarking:
    """Mark `answer` against the scheme by cue coverage (see the module docstring for the two methods)."""
    if method not in ("coverage", "levels_first"):
        raise ValueError(f"method: expected 'coverage' or 'levels_first', not {method!r}")
    scheme = parse_scheme(mark_scheme)
    points = _cover(scheme, strip_marker_instructions(answer or ""))
    aos: dict[str, AOResult] = {}
    for ao in AO_NAMES:
        mark = _ao_mark(scheme, ao, points, method)
        band = band_for(scheme, ao, mark)
        aos[ao] = AOResult(
            ao=ao, max_marks=scheme.ao_marks.get(ao), awarded=mark,
            level=band.level if band else (0 if levels_of(scheme, ao) else None),
            band=tuple(band.marks) if band else None, descriptor=band.descriptor if band else None,
            boundary_distance=boundary_distance(scheme, ao, mark),
        )
    return RubricMarking(method=method, aos=aos, points=points)


def min_boundary_distance(scheme: MarkScheme | dict[str, Any], ao_marks: dict[str, int]) -> int | None:
    """The smallest level-boundary distance over the AOs that have levels (None if none has)."""
    scheme = parse_scheme(scheme)
    distances = [d for ao in AO_NAMES if (d := boundary_distance(scheme, ao, int(ao_marks.get(ao, 0)))) is not None]
    return min(distances) if distances else None


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def evidence_for(answer: str, cues: list[list[str]], *, limit: int = 160) -> str:
    """The sentence of the answer that matches most of a point's cue groups (trimmed), '' if none matches."""
    best, best_hits = "", 0
    for sentence in _SENTENCE_END.split(strip_marker_instructions(answer or "")):
        hits = matched_groups(sentence, cues)
        if hits > best_hits:
            best, best_hits = sentence.strip(), hits
    return best if len(best) <= limit else best[: limit - 1].rstrip() + "…"


def offline_certainty(marking: RubricMarking) -> float:
    """How clear-cut a rubric marking is, 0.5..0.9: points half-matched (some cue groups, not all) are the
    judgement calls a cue rule can get wrong, and the offline marker never claims more than 0.9."""
    if not marking.points:
        return 0.5
    partial = sum(1 for p in marking.points if 0 < p.groups_matched < p.groups_total)
    return round(0.9 - 0.4 * partial / len(marking.points), 2)


def rubric_feedback(marking: RubricMarking) -> str:
    """Feedback naming the points that earned credit, those missing, and the level reached per AO."""
    credited = [p.description for p in marking.points if p.credited]
    missing = [p.description for p in marking.points
               if not p.credited and marking.aos[p.ao].awarded < marking.aos[p.ao].max_marks]
    parts = [f"{marking.total}/{marking.max_total} marks."]
    parts.append("Credit for: " + "; ".join(credited) + "." if credited else
                 "No indicative content point of the mark scheme was found in the answer.")
    if missing:
        parts.append("Missing: " + "; ".join(missing) + ".")
    for ao, result in marking.aos.items():
        if result.level is not None and result.max_marks:
            parts.append(f"{ao}: level {result.level}" + (f" ({result.descriptor})" if result.descriptor else "")
                         + ".")
    return " ".join(parts)
