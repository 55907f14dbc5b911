"""Deterministic rubric marking: the offline Marker, the Reviewer's offline reading, and the Marker's own
account of which points an answer shows.

An answer is cleaned first (`tools.answer_checks.strip_marker_instructions`: instructions to the marker,
hidden and encoded text removed), then sentences that repeat the question's or mark scheme's own wording are
set aside (`agents.marker_reading.pasted_sentences`: pasted scheme earns nothing). Each indicative-content
point is recognised in the rest through the shared matching layer (`curriculum.recognition.recognise_items`:
canonical forms, negation-aware cue groups, nearest examples contrasted with the question's misconceptions),
and then earns all of its marks.

An AO without level descriptors gets its credited points' marks, capped at the AO's marks. An AO with level
descriptors gets its *level* from the answer's reasoning (`agents.marker_reading.read_answer`) as the
descriptors say — AO2 from explained chains around scheme ideas, AO3 from arguments weighed against each
other and a judgement that depends on something specific — and never above the lowest level for a list of
key terms. Two readings of that level, deliberately different so that they are two opinions:
- `coverage` (the Marker): within the level's band, the mark follows the share of the AO's indicative content
  credited (and the level is at least what the credited content alone supports at L1);
- `levels_first` (the Reviewer's offline reading): descriptor first — the level from reasoning alone, the
  mark at the band's middle (rounded down), the points only deciding whether the answer is on the scale.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Literal

from agents.marker_reading import Reading, read_answer
from curriculum.matching import matched_groups
from curriculum.recognition import Item, recognise_items
from curriculum.schema import AO_NAMES, LevelDescriptor, MarkScheme
from curriculum.similarity import ExampleIndex
from curriculum.text_forms import canonical
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
    how: str = ""  # how the matching layer recognised it ("cues", "relaxed", "similar"), "" when not

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
    reading: dict[str, Any] = field(default_factory=dict)  # chains, weighing, judgement, list, pasted

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
            "reading": self.reading,
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


@lru_cache(maxsize=256)
def _scheme_parts(scheme_json: str) -> tuple[tuple[Item, ...], ExampleIndex, frozenset[str], str]:
    """(point items, their example index, the scheme's vocabulary stems, its own wording) — cached per scheme."""
    from agents.marker_examples import point_examples

    scheme = MarkScheme.model_validate_json(scheme_json)
    items = tuple(Item(p.id, tuple(map(tuple, p.cues)), (p.description, *point_examples(scheme_json, p.id)))
                  for p in scheme.points)
    index = ExampleIndex.build((item.key, text) for item in items for text in item.examples)
    vocab = frozenset(w[:6] for p in scheme.points for group in p.cues for cue in group
                      for w in canonical(cue, spell=False).split() if len(w) >= 4)
    wording = " ".join([*(p.description for p in scheme.points), *(b.descriptor for b in scheme.levels)])
    return items, index, vocab, wording


def _cover(scheme: MarkScheme, text: str, items: tuple[Item, ...], index: ExampleIndex) -> list[PointCoverage]:
    found = {e.key: e for e in recognise_items(text, items, index=index)} if text.strip() else {}
    points = []
    for point in scheme.points:
        evidence = found.get(point.id)
        matched = evidence.cues.matched if evidence else matched_groups(text, point.cues)
        points.append(PointCoverage(point.id, point.ao, point.marks, point.marks if evidence else 0, matched,
                                    len(point.cues), point.description, evidence.how if evidence else ""))
    return points


def reasoning_level(ao: str, reading: Reading, points: list[PointCoverage], top_level: int) -> int:
    """The level the answer's reasoning reaches for AO2/AO3, as the descriptors say (0 = nothing creditable).

    AO2: L1 = relevant content named; L2 = explained chains (at least two, or one around two credited ideas);
    L3 = developed analysis (several chains across several credited ideas). AO3: L1 = an evaluative comment;
    L2 = an argument weighed with reasons (a contrast carrying an explained chain) around a credited point;
    L3 = that, more than once, and a judgement that depends on something specific. A key-term list stays
    at most at L1 whatever it names.
    """
    credited = sum(1 for p in points if p.ao == ao and p.credited)
    any_credit = any(p.credited for p in points)
    if ao == "AO3":
        if reading.judgement and reading.reasoned_weighing >= 2 and credited >= 2 and reading.chains >= 2:
            level = 3
        elif credited and reading.reasoned_weighing >= 1:
            level = 2
        elif credited or reading.weighed or reading.judgement:
            level = 1 if (any_credit or reading.weighed) else 0
        else:
            level = 0
    else:
        if reading.chains >= 4 and credited >= 3:
            level = 3
        elif (reading.chains >= 2 and credited >= 2) or (reading.chains >= 1 and credited >= 3):
            level = 2
        elif credited or (reading.chains and any_credit):
            level = 1
        else:
            level = 0
    if reading.keyword_list:
        level = min(level, 1 if credited else 0)
    return min(level, top_level)


def _ao_mark(scheme: MarkScheme, ao: str, points: list[PointCoverage], method: RubricMethod,
             reading: Reading) -> int:
    top = scheme.ao_marks.get(ao)
    earned = sum(p.awarded for p in points if p.ao == ao)
    capped = min(earned, top)
    bands = levels_of(scheme, ao)
    if reading.keyword_list and ao == "AO1":  # bare terms show at most half the knowledge statements would
        capped = capped // 2
    if top == 0 or not bands:
        return capped
    if ao == "AO1":  # knowledge: the level follows the knowledge shown
        return capped
    level = reasoning_level(ao, reading, points, len(bands))
    if level == 0:
        return 0
    low, high = bands[level - 1].marks
    if method == "levels_first":
        return (low + high) // 2
    available = sum(p.marks for p in points if p.ao == ao) or 1
    share = earned / available
    if reading.keyword_list:
        return low
    # examiners place an answer low in its band unless most of the AO's content is there
    return min(high, low + math.floor((high - low) * min(1.0, share) + 0.25))


def is_pasted(pasted: int, sentences: int) -> bool:
    """An answer is pasted scheme when two or more, or at least 40%, of its sentences repeat its wording."""
    return pasted >= 2 or (pasted > 0 and pasted * 5 >= 2 * max(1, sentences))


def mark_by_rubric(
    mark_scheme: MarkScheme | dict[str, Any], answer: str, *, method: RubricMethod = "coverage",
) -> RubricMarking:
    """Mark `answer` against the scheme (see the module docstring for the two readings)."""
    if method not in ("coverage", "levels_first"):
        raise ValueError(f"method: expected 'coverage' or 'levels_first', not {method!r}")
    scheme = parse_scheme(mark_scheme)
    items, index, vocab, wording = _scheme_parts(scheme.model_dump_json())
    clean = strip_marker_instructions(answer or "")
    reading = read_answer(clean, vocab=vocab, scheme_text=wording)
    # an answer that mostly repeats the scheme's wording earns nothing for it; a single echoed phrase is kept
    pasted = set(reading.pasted) if is_pasted(len(reading.pasted), len(reading.sentences)) else set()
    live = "\n".join(s for s in reading.sentences if s not in pasted)
    points = _cover(scheme, live, items, index)
    aos: dict[str, AOResult] = {}
    for ao in AO_NAMES:
        mark = _ao_mark(scheme, ao, points, method, reading)
        band = band_for(scheme, ao, mark)
        aos[ao] = AOResult(
            ao=ao, max_marks=scheme.ao_marks.get(ao), awarded=mark,
            level=band.level if band else (0 if levels_of(scheme, ao) else None),
            band=tuple(band.marks) if band else None, descriptor=band.descriptor if band else None,
            boundary_distance=boundary_distance(scheme, ao, mark),
        )
    summary = {"chains": reading.chains, "weighed": reading.weighed, "judgement": reading.judgement,
               "empty_judgement": reading.empty_judgement, "keyword_list": reading.keyword_list,
               "pasted_sentences": len(reading.pasted), "sentences": len(reading.sentences), "words": reading.words}
    return RubricMarking(method=method, aos=aos, points=points, reading=summary)


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
