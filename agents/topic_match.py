"""Match a student's free-text topic ("I don't get elasticity") to a syllabus point code, deterministically.

`resolve_syllabus_point(topic, struggle, points)` scores every point by the distinctive words it shares with the
text: key terms and title words (weighted by how rare the word is across the curriculum, so "demand" counts for
less than "elasticity"), plus whole key-term phrases and full cue matches of expectations and misconceptions.
An explicit code in the text ("9708.2.1") wins outright. It returns None when nothing fits well enough (for
example "photosynthesis"), so the caller can refer the student to a teacher instead of guessing.

`points` maps code -> the point as a dict of the YAML/DB `content` shape; include "title" when you have it
(the DB keeps the title in its own column: pass `{code: {**row.content, "title": row.title}}`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

from curriculum.matching import cue_hits, normalise

MIN_SCORE = 2.0  # below this the best candidate is a guess, not a match
_CODE = re.compile(r"\b\d{4}\.\d{1,2}\.\d{1,2}\b")
_STOPWORDS = frozenset(["a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "with", "about", "from", "by", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these", "those", "i", "im", "me", "my", "we", "you", "your", "they", "them", "he", "she", "what", "whats", "how", "why", "when", "which", "who", "do", "does", "did", "dont", "doesnt", "didnt", "not", "no", "get", "got", "understand", "understanding", "help", "please", "explain", "struggle", "struggling", "stuck", "confused", "confusing", "topic", "thing", "things", "really", "just", "can", "cant", "could", "would", "should", "will", "know", "idea", "ideas", "bit", "lot", "some", "any", "more", "less", "very", "so", "but", "if", "then", "than", "than", "also", "want", "need", "learn", "learning", "revise", "revision", "question", "questions", "exam", "economics", "economy", "work", "working", "mean", "means", "meaning", "like", "stuff", "part", "way", "ways", "make", "makes", "made", "one", "two", "much", "many", "good", "bad", "hard", "easy", "difference", "between"])


def _stem(word: str) -> str:
    """Crude stem: drop plural endings and keep six letters, so elasticity/elastic and taxes/tax meet."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:6]


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in normalise(text).split() if len(w) >= 3 and w not in _STOPWORDS}


def _vocabulary(point: dict[str, Any]) -> set[str]:
    words = " ".join([point.get("title") or "", *(t["term"] for t in point.get("key_terms", []))])
    return _stems(words)


def _shares(text_stem: str, vocab_stem: str) -> bool:
    short, long_ = sorted((text_stem, vocab_stem), key=len)
    return len(short) >= 3 and long_.startswith(short)


def _as_dict(point: Any) -> dict[str, Any]:
    return point.model_dump() if hasattr(point, "model_dump") else dict(point)


def score_points(text: str, points: dict[str, Any]) -> dict[str, float]:
    """Score of every point for `text` (higher is a better fit); see the module docstring for the weights."""
    data = {code: _as_dict(p) for code, p in points.items()}
    vocab = {code: _vocabulary(p) for code, p in data.items()}
    frequency = Counter(stem for stems in vocab.values() for stem in stems)
    total = max(len(data), 1)
    text_stems = _stems(text)
    padded = f" {normalise(text)} "
    scores: dict[str, float] = {}
    for code, point in data.items():
        score = 0.0
        for stem in text_stems:
            matches = [v for v in vocab[code] if _shares(stem, v)]
            if matches:
                rarity = min(frequency[v] for v in matches)
                score += math.log(1 + total / rarity)
        for term in point.get("key_terms", []):
            phrase = normalise(term["term"])
            if " " in phrase and f" {phrase} " in padded:
                score += 2.0  # a whole multi-word term is strong evidence
        for item in [*point.get("expectations", []), *point.get("misconceptions", [])]:
            if cue_hits(text, item["cues"]):
                score += 1.0
        scores[code] = score
    return scores


def resolve_syllabus_point(topic: str, struggle: str | None, points: dict[str, Any]) -> str | None:
    """The code of the syllabus point that best fits the student's topic (and struggle), or None if none fits.

    The topic counts fully and the struggle at half weight; ties go to the lower code (earlier in the
    syllabus, usually the more basic point).
    """
    text = " ".join(part for part in (topic, struggle) if part)
    for explicit in _CODE.findall(text):
        if explicit in points:
            return explicit
    if not points or not text.strip():
        return None
    topic_scores = score_points(topic or "", points)
    struggle_scores = score_points(struggle, points) if struggle else {}
    combined = {code: topic_scores[code] + 0.5 * struggle_scores.get(code, 0.0) for code in points}
    best = max(sorted(combined, key=_code_key), key=lambda code: combined[code])
    return best if combined[best] >= MIN_SCORE else None


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split(".") if part.isdigit())
