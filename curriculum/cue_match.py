"""Cue groups matched in students' own words: canonical forms, clause by clause, aware of negation.

The contract's cue rule (`curriculum.matching`) is kept — a cue set is a list of groups, a group matches when
one of its substrings occurs — but here both the text and the cues are compared in their canonical form
(`curriculum.text_forms`: symbols and chat spellings as words, misspellings corrected), and an occurrence
inside a negated phrase ("it's NOT that a tax shifts demand") does not count as the student saying it.

`match_cues(text, cues)` returns how many groups matched positively and how many only in negated form.
A cue whose own first word is a negator ("not provide", "cannot exclude") is a positive statement of its own,
so it is never treated as negated by that word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from curriculum.matching import _lower_collapsed
from curriculum.text_forms import canonical

CLAUSE_BREAK = " ¦ "
NEGATION_WINDOW = 3  # words before a cue that can negate it
NEGATORS = frozenset(["not", "no", "never", "cannot", "nor", "neither", "without", "hardly", "nothing", "isnt"])
_CLAUSES = re.compile(r"[.!?;:\n,()]+|\s[—–-]\s|\bbut\b|\bwhereas\b|\bhowever\b|\binstead\b|\brather\b",
                      re.IGNORECASE)


@dataclass(frozen=True)
class CueMatch:
    """How a cue set matched one text."""

    matched: int  # groups with a positive (non-negated) occurrence
    negated: int  # groups that occur only inside a negated phrase
    total: int  # groups in the cue set

    @property
    def full(self) -> bool:
        """Every group matched positively (the contract's rule, in canonical form)."""
        return self.total > 0 and self.matched == self.total

    @property
    def missing(self) -> int:
        """Groups with no positive occurrence."""
        return self.total - self.matched


@lru_cache(maxsize=65536)
def canonical_clauses(text: str) -> str:
    """The canonical text with clause breaks kept as `CLAUSE_BREAK`, padded with spaces at both ends."""
    parts = [canonical(part) for part in _CLAUSES.split(text or "")]
    return " " + CLAUSE_BREAK.join(p for p in parts if p) + " "


@lru_cache(maxsize=32768)
def cue_form(cue: str) -> str:
    """A cue in canonical form, keeping its deliberate boundary spaces (see `curriculum.matching`)."""
    core = canonical(cue, spell=False)
    if not core:
        return ""
    return f"{' ' if cue[:1].isspace() else ''}{core}{' ' if cue[-1:].isspace() else ''}"


def _negated(text: str, start: int, cue: str) -> bool:
    if cue.split(" ", 1)[0] in NEGATORS:
        return False
    before = text[:start].rsplit(CLAUSE_BREAK.strip(), 1)[-1].split()[-NEGATION_WINDOW:]
    if not before:
        return False
    if before[-1] == "not" and text[start:].lstrip().startswith("only"):
        return False
    return any(word in NEGATORS for word in before)


def _group_state(text: str, raw: str, group: Sequence[str]) -> int:
    """2 = positive occurrence, 1 = only negated occurrences, 0 = absent."""
    state = 0
    for cue in group:
        form = cue_form(cue)
        if not form:
            symbol = _lower_collapsed(cue)
            if symbol and symbol in raw:
                return 2
            continue
        start = text.find(form)
        while start != -1:
            if not _negated(text, start, form.strip()):
                return 2
            state = 1
            start = text.find(form, start + 1)
    return state


def match_cues(text: str, cues: Sequence[Sequence[str]]) -> CueMatch:
    """Match `cues` against `text` in canonical form (see module docstring)."""
    canon = canonical_clauses(text)
    raw = _lower_collapsed(text)
    states = [_group_state(canon, raw, group) for group in cues]
    return CueMatch(matched=states.count(2), negated=states.count(1), total=len(states))
