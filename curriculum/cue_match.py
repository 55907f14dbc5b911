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
# A belief is denied by a negator further back in its clause: "-2.5 isn't inelastic just cos it's negative"
# denies "negative means inelastic" although "not" is five words before "negative".
DENIAL_WINDOW = 8
NEGATORS = frozenset(["not", "no", "never", "cannot", "nor", "neither", "without", "hardly", "nothing", "isnt"])
_CLAUSES = re.compile(r"[.!?;:\n,()]+|\s[—–-]\s|\bbut\b|\bwhereas\b|\bhowever\b|\binstead\b|\brather\b",
                      re.IGNORECASE)


# Directions a cue group may demand, with their opposites: a group that names directions ("left", "falls") and
# matched only through a neutral word ("shifts") is not met when the student names the opposite direction.
OPPOSITE = {"left": "right", "right": "left", "increas": "decreas", "decreas": "increas", "rise": "fall",
            "rises": "falls", "fall": "rise", "falls": "rises", "up": "down", "down": "up", "higher": "lower",
            "lower": "higher", "more": "less", "less": "more", "inward": "outward", "outward": "inward",
            "appreciat": "depreciat", "depreciat": "appreciat", "upward": "downward", "downward": "upward",
            "expand": "contract", "contract": "expand", "surplus": "deficit", "deficit": "surplus"}


def _direction(cue: str) -> str | None:
    word = cue.strip()
    return next((d for d in OPPOSITE if word == d or (len(d) > 5 and word.startswith(d))), None)


def _wrong_direction(text: str, group: Sequence[str]) -> bool:
    """The group demands a direction, none of its directions is in the text, and an opposite one is."""
    wanted = {d for d in map(_direction, group) if d}
    if not wanted:
        return False
    words = text.split()

    def named(d: str) -> bool:
        return any(w == d or (len(d) > 5 and w.startswith(d)) for w in words)

    return not any(named(d) for d in wanted) and any(named(OPPOSITE[d]) for d in wanted)


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


def _negated(text: str, start: int, cue: str, window: int = NEGATION_WINDOW) -> bool:
    if cue.split(" ", 1)[0] in NEGATORS:
        return False
    before = text[:start].rsplit(CLAUSE_BREAK.strip(), 1)[-1].split()[-window:]
    if not before:
        return False
    if before[-1] == "not" and text[start:].lstrip().startswith("only"):
        return False
    return any(word in NEGATORS for word in before)


def _group_state(text: str, raw: str, group: Sequence[str], negation: bool, window: int = NEGATION_WINDOW) -> int:
    """2 = positive occurrence, 1 = only negated occurrences, 0 = absent (or the opposite direction named)."""
    if _wrong_direction(text, group):
        return 0
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
            if not negation or not _negated(text, start, form.strip(), window):
                return 2
            state = 1
            start = text.find(form, start + 1)
    return state


def match_cues(text: str, cues: Sequence[Sequence[str]], *, negation: bool = True,
               window: int = NEGATION_WINDOW) -> CueMatch:
    """Match `cues` against `text` in canonical form (see module docstring).

    With `negation=False` a negated occurrence counts like any other: expectations' cue lists often rely on a
    negated phrase to express the idea itself ("they don't realise the benefit" = imperfect information).
    `window` is how many words before a cue a negator reaches (misconceptions use `DENIAL_WINDOW`).
    """
    canon = canonical_clauses(text)
    raw = _lower_collapsed(text)
    states = [_group_state(canon, raw, group, negation, window) for group in cues]
    return CueMatch(matched=states.count(2), negated=states.count(1), total=len(states))
