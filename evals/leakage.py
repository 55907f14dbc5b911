"""Answer-leakage detection for the eval suite: the same check that guards every live Coach reply.

The implementation lives in `curriculum.leakage` (one check, shared by `agents.guard` and the scorers).
"""

from curriculum.leakage import (
    NGRAM,
    find_leaks,
    mark_scheme_texts,
    ngrams,
    scaffolding_texts,
    sentences,
    strip_quotes,
)

__all__ = ["NGRAM", "find_leaks", "mark_scheme_texts", "ngrams", "scaffolding_texts", "sentences", "strip_quotes"]
