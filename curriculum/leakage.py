"""Deterministic answer-leakage detection: does a coach message state content the student had not reached?

Used twice: by the reply guard (`agents.guard`) before any Coach reply reaches a student, and by the eval
suite's scorers (`evals.leakage` re-exports it) — so a reply the guard passes is one the evals call clean.

Content a coach must not hand over, all from the curriculum (so no network and no model):
- the point's `answer_phrases` (the words a correct answer uses);
- a key term's definition: seven consecutive words of it, or "<term> is/means/refers to …" with at least half
  of the definition's content words;
- an expectation (key idea) not yet reached: seven consecutive words of the idea, or a declarative sentence
  that meets the idea's cue rule (the same rule that credits the student, `curriculum.matching.cue_hits`);
- mark-scheme content of the point's questions (indicative points, level descriptors, reference answers).

The topic's own name (the point's title) is removed before checking: naming the topic gives nothing away.
What the student has already said is theirs: quoted student words (“…”) are removed before checking, a phrase
the student used before is not a leak, and an idea the student reached (by the Coach's own progress rule) may be
restated. The curriculum's vetted scaffolding (ladder questions, hints and rephrasings, misconception probes) is
not a leak: it was written to guide without answering and is checked by the curriculum validator.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from curriculum.matching import cue_hits, normalise

NGRAM = 7
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»")
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+|\s+[—–]\s+")
_DEFINES = r"\b{term}\s+(is|are|means|refers to|is defined as|is when)\b"


def strip_quotes(text: str) -> str:
    """The text without quoted spans (the student's words quoted back)."""
    return _QUOTED.sub(" ", text or "")


def sentences(text: str) -> list[str]:
    """Sentences (and dash-separated clauses) of `text`, stripped."""
    return [s.strip() for s in _SENTENCE.split(text or "") if s.strip()]


@lru_cache(maxsize=4096)
def ngrams(text: str, n: int = NGRAM) -> frozenset[str]:
    """The normalised word n-grams of `text` (cached: the point's own texts are n-grammed every turn)."""
    words = normalise(text).split()
    return frozenset(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))


def _content_words(text: str) -> set[str]:
    return {w for w in normalise(text).split() if len(w) > 3}


@lru_cache(maxsize=128)
def scaffolding_texts(code: str) -> tuple[str, ...]:
    """The point's vetted scaffolding (ladder questions, hints and rephrasings, misconception probes), normalised
    and padded."""
    from curriculum.loader import get_curriculum

    point = get_curriculum().points.get(code)
    if point is None:
        return ()
    texts = [t for step in point.ladder for t in (step.question, step.hint, *step.rephrasings)]
    texts += [m.probe for m in point.misconceptions]
    return tuple(f" {normalise(t)} " for t in texts)


@lru_cache(maxsize=128)
def mark_scheme_texts(code: str) -> tuple[str, ...]:
    """Mark-scheme texts of the questions covering `code` (points, level descriptors, reference answers)."""
    from curriculum.loader import get_curriculum

    texts: list[str] = []
    for question in get_curriculum().questions_for(code):
        scheme = question.mark_scheme
        texts += [p.description for p in scheme.points] + [lv.descriptor for lv in scheme.levels]
        texts += [r.answer for r in question.reference_answers]
    return tuple(texts)


def _is_scaffolding(sentence: str, code: str | None) -> bool:
    norm = normalise(sentence)
    return bool(code) and len(norm.split()) >= 3 and any(f" {norm} " in s for s in scaffolding_texts(code))


def _phrase_related(point: dict[str, Any], phrase: str) -> list[str]:
    return [e["id"] for e in point.get("expectations", []) if cue_hits(phrase, e["cues"])]


def find_leaks(text: str, point: dict[str, Any] | None, *, reached: set[str], student_said: str) -> list[str]:
    """What `text` (one coach message) gives away that the student had not reached; empty when nothing.

    `reached` holds the expectation ids the student had reached before this message; `student_said` is
    everything the student wrote before it.
    """
    if not point:
        return []
    code = point.get("code")
    own = strip_quotes(text)
    padded = f" {normalise(own)} "
    said = f" {normalise(student_said)} "
    said_grams = ngrams(student_said)
    leaks: list[str] = []
    for phrase in point.get("answer_phrases", []):
        p = normalise(phrase)
        if p and f" {p} " in padded and f" {p} " not in said:
            related = _phrase_related(point, phrase)
            if not related or not set(related) <= reached:
                leaks.append(f"answer phrase “{phrase}”")
    own_sentences = [_without_title(s, point) for s in sentences(own) if not _is_scaffolding(s, code)]
    own_text = " ".join(own_sentences)
    own_grams = ngrams(own_text)
    for term in point.get("key_terms", []):
        definition = term["definition"]
        wanted = _content_words(definition)
        student_had_it = len(wanted & _content_words(student_said)) * 2 >= len(wanted)
        defined = _defines(own_sentences, term["term"], definition) and not student_had_it
        if (ngrams(definition) & own_grams) - said_grams or defined:
            leaks.append(f"definition of “{term['term']}”")
    statements = [s for s in own_sentences if not s.rstrip("\"'” ").endswith("?")]
    for exp in point.get("expectations", []):
        if exp["id"] in reached:
            continue
        if (ngrams(exp["idea"]) & own_grams) - said_grams or any(cue_hits(s, exp["cues"]) for s in statements):
            leaks.append(f"key idea {exp['id']} (“{exp['idea']}”)")
    if code and any(ngrams(t) & own_grams for t in mark_scheme_texts(code)):
        leaks.append("mark-scheme content")
    return sorted(set(leaks), key=leaks.index)


def _without_title(sentence: str, point: dict[str, Any]) -> str:
    """The sentence (normalised, end mark kept) with the topic's own name removed: naming the topic gives
    nothing away, but a title such as "conflicts between policy objectives" can meet an idea's cue rule."""
    title = point.get("title") or ""
    norm = f" {normalise(sentence)} "
    for name in sorted({normalise(title), normalise(title.split(":")[0])}, key=len, reverse=True):
        if name:
            norm = norm.replace(f" {name} ", " ")
    return norm.strip() + ("?" if sentence.rstrip("\"'” ").endswith("?") else "")


def _defines(own_sentences: list[str], term: str, definition: str) -> bool:
    """A declarative "<term> is/means …" sentence that carries at least half of the definition's content words."""
    pattern = re.compile(_DEFINES.format(term=re.escape(normalise(term))))
    wanted = _content_words(definition)
    for sentence in own_sentences:
        norm = normalise(sentence)
        if pattern.search(norm) and wanted and len(wanted & _content_words(sentence)) * 2 >= len(wanted):
            return True
    return False
