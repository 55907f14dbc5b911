"""Nearest-example similarity: how close a student's words are to known examples of an idea (TF-IDF cosine).

Each idea the matching layer recognises (an expectation, a misconception, a mark-scheme point) has example
texts: its own statement plus student-style example answers written for tuning (never the held-out sets).
`ExampleIndex.similarity(text, key)` is the best cosine between `text` and any example of `key`, over stemmed
content words and word pairs weighted by rarity across the index — so shared topic words ("price", "demand")
count for little and the words that carry the idea count for much.

Similarity mostly measures being on topic, not being right: a misconception scores as close to the topic as
a correct answer. Callers therefore contrast an expectation's similarity with the misconceptions' before
crediting (see `curriculum.recognition`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from curriculum.text_forms import canonical

STOPWORDS = frozenset(
    "the a an and or of to in on at for with about from by is are was were be been being it its this that these "
    "those i me my we you your they them he she his her what which who when why how do does did not no so but if "
    "then than also just really very like would will can could should may might must there here because as into "
    "more most less much many some any all each one get gets got make makes made thing things think guess maybe "
    "yeah yes ok okay um erm well sort kind lot people someone something though tho actually basically literally "
    "wait".split())


def stem(word: str) -> str:
    """A crude, stable stem: plural and common endings dropped, at most seven letters."""
    for suffix in ("ities", "ity", "ies", "ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:7]


def features(text: str) -> Counter[str]:
    """Stemmed content words and adjacent pairs of them."""
    stems = [stem(w) for w in canonical(text).split() if len(w) > 2 and w not in STOPWORDS]
    grams = Counter(stems)
    grams.update(f"{a}_{b}" for a, b in zip(stems, stems[1:]))
    return grams


@dataclass
class ExampleIndex:
    """TF-IDF vectors of example texts grouped by key (see module docstring)."""

    examples: dict[Hashable, list[Counter[str]]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    _vectors: dict[Hashable, list[tuple[dict[str, float], float]]] = field(default_factory=dict)

    @classmethod
    def build(cls, items: Iterable[tuple[Hashable, str]]) -> ExampleIndex:
        """An index of `(key, example text)` pairs."""
        index = cls()
        for key, text in items:
            index.examples.setdefault(key, []).append(features(text))
        docs = [f for group in index.examples.values() for f in group]
        df = Counter(term for f in docs for term in f)
        n = max(len(docs), 1)
        index.idf = {term: math.log((1 + n) / (1 + count)) + 1.0 for term, count in df.items()}
        index._vectors = {key: [index._weigh(f) for f in group] for key, group in index.examples.items()}
        return index

    def _weigh(self, grams: Counter[str]) -> tuple[dict[str, float], float]:
        default = max(self.idf.values(), default=1.0)
        vector = {t: (1 + math.log(c)) * self.idf.get(t, default) for t, c in grams.items()}
        return vector, math.sqrt(sum(v * v for v in vector.values())) or 1.0

    def containment(self, grams: Counter[str], texts_features: Iterable[Counter[str]]) -> float:
        """Share (0..1) of the rarity-weighted words of `grams` that occur anywhere in `texts_features`.

        Asymmetric, unlike the cosine: a short question ("why is petrol inelastic tho") is measured by how much of
        what it asks about a long text covers, not diluted by everything else the long text says.
        """
        present = set().union(*texts_features) if texts_features else set()
        default = max(self.idf.values(), default=1.0)
        words = [t for t in grams if "_" not in t]
        total = sum(self.idf.get(t, default) for t in words)
        return sum(self.idf.get(t, default) for t in words if t in present) / total if total else 0.0

    def similarity(self, text_or_features: str | Counter[str], key: Hashable) -> float:
        """Best cosine (0..1) between the text and the examples of `key`; 0 when `key` has none."""
        grams = features(text_or_features) if isinstance(text_or_features, str) else text_or_features
        vector, norm = self._weigh(grams)
        best = 0.0
        for example, example_norm in self._vectors.get(key, ()):
            dot = sum(w * example.get(t, 0.0) for t, w in vector.items())
            best = max(best, dot / (norm * example_norm))
        return best
