"""The contract's deterministic cue-matching rule, shared by the offline tutor and the offline marker.

A cue set is a list of groups; each group is a list of lowercase substrings. Text matches a group when any
one of the group's substrings occurs in it, and matches the cue set when it matches EVERY group.

Both text and cues are normalised the same way before comparing, so that student punctuation and spacing
do not matter: lowercase, Unicode NFKC, apostrophes dropped ("consumer's" -> "consumers"), every other
punctuation mark turned into a space, runs of whitespace collapsed. A cue made only of symbols (say "%")
would normalise to nothing, so such cues are compared on the raw lowercased text instead of silently
matching everything. A cue that starts or ends with a space keeps that space, which lets a short
abbreviation demand a word boundary: " ped " matches "the ped is -2" but not "speed"; the text is padded
with a space at both ends so such cues also match at the start or end of a sentence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_APOSTROPHES = re.compile(r"[\u0027\u2018\u2019\u02bc`]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def _lower_collapsed(text: str) -> str:
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Return `text` lowercased with apostrophes removed, other punctuation as spaces and whitespace collapsed.

    Pure, and called every turn on the same curriculum texts (cues, ideas, definitions, phrases): cached."""
    text = _APOSTROPHES.sub("", _lower_collapsed(text))
    return _WHITESPACE.sub(" ", _PUNCTUATION.sub(" ", text)).strip()


@lru_cache(maxsize=16384)
def _cue_form(cue: str) -> tuple[str, str]:
    """(normalised cue with its deliberate boundary spaces, raw lowered cue); cues are a finite set, so cached."""
    normalised_cue = normalise(cue)
    if normalised_cue:
        # keep deliberate boundary spaces (see module docstring)
        lead = " " if cue[:1].isspace() else ""
        trail = " " if cue[-1:].isspace() else ""
        return f"{lead}{normalised_cue}{trail}", ""
    return "", _lower_collapsed(cue)


def _cue_in(cue: str, normalised_text: str, raw_text: str) -> bool:
    normalised_cue, raw_cue = _cue_form(cue)
    if normalised_cue:
        return normalised_cue in normalised_text
    return bool(raw_cue) and raw_cue in raw_text


def matched_groups(text: str, cues: Sequence[Sequence[str]]) -> int:
    """Count how many cue groups have at least one of their substrings present in `text`."""
    normalised_text = f" {normalise(text)} "
    raw_text = _lower_collapsed(text)
    return sum(1 for group in cues if any(_cue_in(cue, normalised_text, raw_text) for cue in group))


def cue_hits(text: str, cues: Sequence[Sequence[str]]) -> bool:
    """True when every cue group matches `text`. An empty cue set never matches (nothing to recognise)."""
    return bool(cues) and matched_groups(text, cues) == len(cues)
