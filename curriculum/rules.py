"""Content rules of the curriculum contract that go beyond one field's type.

Each check returns a list of `(field, message)` problems (empty when the entry is fine); the loader adds the
file and the entry's code/ref. Field paths use the YAML keys with 0-based list indexes, e.g.
`ladder[2].targets` or `reference_answers[0].marks.AO3`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection

from curriculum.matching import normalise
from curriculum.schema import AO_NAMES, Question, SyllabusPoint

Problem = tuple[str, str]

MARK_RANGES = {"define": (2, 4), "explain": (6, 8), "evaluate": (12, None)}
ANSWER_LEVELS = ("weak", "middling", "strong")
NGRAM = 7  # the same run length the leakage check (evals.leakage) treats as copying a definition or idea
_DEFINES = r"\b{term}\s+(is|are|means|refers to|is defined as|is when)\b"


def _duplicates(ids: list[str]) -> list[str]:
    return sorted(item for item, count in Counter(ids).items() if count > 1)


def _count(problems: list[Problem], field: str, items: list, low: int, high: int | None = None) -> None:
    if len(items) < low or (high is not None and len(items) > high):
        wanted = f"at least {low}" if high is None else f"{low} to {high}"
        problems.append((field, f"needs {wanted} entries, found {len(items)}"))


def check_point(point: SyllabusPoint) -> list[Problem]:
    """Rules for one syllabus point: counts, unique ids, ladder targets, no answer leaking into the ladder."""
    problems: list[Problem] = []
    if int(point.code.split(".")[1]) != point.section:
        problems.append(("section", f"section is {point.section} but the code {point.code} says otherwise"))
    expected_level = "AS" if point.section <= 6 else "A"
    if point.level != expected_level:
        problems.append(("level", f"section {point.section} is {expected_level} level, not {point.level}"))
    _count(problems, "key_terms", point.key_terms, 2)
    _count(problems, "expectations", point.expectations, 3, 6)
    _count(problems, "misconceptions", point.misconceptions, 3)
    _count(problems, "ladder", point.ladder, 4)
    _count(problems, "answer_phrases", point.answer_phrases, 2, 5)
    for field, items in (("expectations", point.expectations), ("misconceptions", point.misconceptions)):
        for dup in _duplicates([item.id for item in items]):
            problems.append((field, f"id {dup!r} is used more than once"))

    expectation_ids = {item.id for item in point.expectations}
    targeted: set[str] = set()
    for index, step in enumerate(point.ladder):
        unknown = [target for target in step.targets if target not in expectation_ids]
        if unknown:
            message = f"unknown expectation id(s) {unknown}; known: {sorted(expectation_ids)}"
            problems.append((f"ladder[{index}].targets", message))
        targeted.update(step.targets)
    for missing in sorted(expectation_ids - targeted):
        problems.append(("ladder", f"no ladder question leads toward expectation {missing!r}"))

    problems.extend(_leaks(point))
    problems.extend(_check_rephrasings(point))
    return problems


def _leaks(point: SyllabusPoint) -> list[Problem]:
    """The tutor's own questions must not contain a phrase that gives the answer away."""
    phrases = [normalise(phrase) for phrase in point.answer_phrases]
    if any(not phrase for phrase in phrases):
        return [("answer_phrases", "contains an empty phrase")]
    texts = [(f"ladder[{i}].question", step.question) for i, step in enumerate(point.ladder)]
    texts += [(f"ladder[{i}].hint", step.hint) for i, step in enumerate(point.ladder)]
    texts += [(f"ladder[{i}].rephrasings[{j}]", text) for i, step in enumerate(point.ladder)
              for j, text in enumerate(step.rephrasings)]
    texts += [(f"misconceptions[{i}].probe", item.probe) for i, item in enumerate(point.misconceptions)]
    problems = []
    for field, text in texts:
        padded = f" {normalise(text)} "
        for phrase in phrases:
            if f" {phrase} " in padded:
                problems.append((field, f"gives the answer away: contains answer phrase {phrase!r}"))
    return problems


def _ngrams(text: str) -> set[str]:
    words = normalise(text).split()
    return {" ".join(words[i:i + NGRAM]) for i in range(len(words) - NGRAM + 1)}


def _content_words(text: str) -> set[str]:
    return {word for word in normalise(text).split() if len(word) > 3}


def _defines(text: str, term: str, definition: str) -> bool:
    """A "<term> is/means …" phrase carrying at least half of the definition's content words."""
    pattern = re.compile(_DEFINES.format(term=re.escape(normalise(term))))
    wanted = _content_words(definition)
    return bool(pattern.search(normalise(text))) and bool(wanted) and \
        len(wanted & _content_words(text)) * 2 >= len(wanted)


def _check_rephrasings(point: SyllabusPoint) -> list[Problem]:
    """Each rephrasing is a question of its own (not the step's question, hint or another rephrasing) that
    neither copies seven words of a definition or key idea nor defines a key term (answer phrases: `_leaks`)."""
    sources = [(f"key_terms[{i}].definition", _ngrams(term.definition)) for i, term in enumerate(point.key_terms)]
    sources += [(f"expectations[{i}].idea", _ngrams(item.idea)) for i, item in enumerate(point.expectations)]
    problems: list[Problem] = []
    for index, step in enumerate(point.ladder):
        earlier = [("the question", step.question), ("the hint", step.hint)]
        for number, text in enumerate(step.rephrasings):
            field = f"ladder[{index}].rephrasings[{number}]"
            if not text.rstrip().endswith("?"):
                problems.append((field, "must be a question ending in '?'"))
            grams = _ngrams(text)
            for label, other in earlier:
                if normalise(text) == normalise(other):
                    problems.append((field, f"repeats {label}"))
                elif grams & _ngrams(other):
                    problems.append((field, f"copies seven consecutive words of {label}"))
            for label, source in sources:
                if grams & source:
                    problems.append((field, f"gives the answer away: copies seven consecutive words of {label}"))
            for term in point.key_terms:
                if _defines(text, term.term, term.definition):
                    problems.append((field, f"gives the answer away: defines key term {term.term!r}"))
            earlier.append((f"rephrasings[{number}]", text))
    return problems


def check_question(question: Question, known_codes: Collection[str]) -> list[Problem]:
    """Rules for one question: AO arithmetic, kind/marks, known codes, levels and reference answers."""
    problems: list[Problem] = []
    scheme = question.mark_scheme
    ao_marks = scheme.ao_marks
    if ao_marks.total != question.max_marks:
        problems.append(("mark_scheme.ao_marks",
                         f"AO marks sum to {ao_marks.total} but max_marks is {question.max_marks}"))
    low, high = MARK_RANGES[question.kind]
    if question.max_marks < low or (high is not None and question.max_marks > high):
        span = f"{low}-{high}" if high is not None else f"at least {low}"
        problems.append(("max_marks", f"a {question.kind} question carries {span} marks, not {question.max_marks}"))
    for code in question.syllabus_points:
        if code not in known_codes:
            problems.append(("syllabus_points", f"unknown syllabus code {code}"))

    for dup in _duplicates([point.id for point in scheme.points]):
        problems.append(("mark_scheme.points", f"id {dup!r} is used more than once"))
    for index, point in enumerate(scheme.points):
        if ao_marks.get(point.ao) == 0:
            problems.append((f"mark_scheme.points[{index}].ao", f"{point.ao} carries no marks in this question"))
    for ao in AO_NAMES:
        available = sum(point.marks for point in scheme.points if point.ao == ao)
        if available < ao_marks.get(ao):
            message = f"creditable {ao} points add up to {available}, fewer than the {ao_marks.get(ao)} {ao} marks"
            problems.append(("mark_scheme.points", message))

    problems.extend(_check_levels(question))
    problems.extend(_check_reference_answers(question))
    return problems


def _check_levels(question: Question) -> list[Problem]:
    scheme = question.mark_scheme
    problems: list[Problem] = []
    if question.kind in ("explain", "evaluate") and not scheme.levels:
        problems.append(("mark_scheme.levels", f"an {question.kind} question needs level descriptors"))
    last_by_ao: dict[str, tuple[int, int]] = {}
    for index, band in enumerate(scheme.levels):
        field = f"mark_scheme.levels[{index}]"
        top = scheme.ao_marks.get(band.ao)
        low, high = band.marks
        if not 1 <= low <= high <= top:
            problems.append((f"{field}.marks", f"band {list(band.marks)} is not within 1..{top} {band.ao} marks"))
        previous = last_by_ao.get(band.ao)
        if previous and (band.level <= previous[0] or low <= previous[1]):
            problems.append((field, f"{band.ao} levels must ascend without overlapping bands"))
        last_by_ao[band.ao] = (band.level, high)
    return problems


def _check_reference_answers(question: Question) -> list[Problem]:
    problems: list[Problem] = []
    answers = question.reference_answers
    _count(problems, "reference_answers", answers, 3)
    missing = [level for level in ANSWER_LEVELS if level not in {answer.level for answer in answers}]
    if missing:
        problems.append(("reference_answers", f"missing level(s) {missing}; need weak, middling and strong"))
    for index, answer in enumerate(answers):
        for ao in AO_NAMES:
            given, top = answer.marks.get(ao), question.mark_scheme.ao_marks.get(ao)
            if given > top:
                problems.append((f"reference_answers[{index}].marks.{ao}",
                                 f"{given} marks is over the {ao} maximum of {top}"))
    best = {level: max((a.marks.total for a in answers if a.level == level), default=None) for level in ANSWER_LEVELS}
    worst = {level: min((a.marks.total for a in answers if a.level == level), default=None) for level in ANSWER_LEVELS}
    for lower, upper in (("weak", "middling"), ("middling", "strong")):
        if best[lower] is not None and worst[upper] is not None and best[lower] > worst[upper]:
            message = f"a {lower} answer ({best[lower]}) outscores a {upper} answer ({worst[upper]})"
            problems.append(("reference_answers", message))
    return problems
