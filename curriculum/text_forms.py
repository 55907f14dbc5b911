"""Students' own words in a canonical form the matching layer can compare: symbols, chat slang and misspellings.

`canonical(text)` is `matching.normalise(text)` after three rewrites that a 17-year-old's chat message needs:
- symbols said as words: "demand = supply" → "demand equals supply", "P↑ Q↓" → "p rises q falls",
  "->"/"→" → "leads to", "+" → "plus", ">"/"<" → "more than"/"less than", "%" → "percent";
- chat spellings: "cos"/"cuz" → "because", "u" → "you", "ppl" → "people", "govt" → "government", "tho" → "though";
- misspellings of the subject's own vocabulary ("elasticty", "goverment", "subsidey"): a word the vocabulary
  does not know is replaced by the vocabulary word within a small edit distance (1 for short words, 2 for
  long ones, same first letter), so cue groups written for the correct spelling still match.

The vocabulary is every word of the bundled curriculum (ideas, definitions, cues, ladders, mark schemes) plus
the caller's extra words; it is built once. Everything is deterministic and cached per word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from curriculum.matching import normalise

_SYMBOLS = (
    (re.compile(r"-+>|→|⟶|=>"), " leads to "),
    (re.compile(r"<-+|←"), " comes from "),
    (re.compile(r"↑|⬆"), " rises "),
    (re.compile(r"↓|⬇"), " falls "),
    (re.compile(r"(?<![<>=!])=(?!=)|≈"), " equals "),
    (re.compile(r"≠|!="), " does not equal "),
    (re.compile(r"(?<=\w)\s*\+\s*(?=\w)|\s\+\s"), " plus "),
    (re.compile(r"\s>\s|(?<=\w)>(?=\w)"), " more than "),
    (re.compile(r"\s<\s|(?<=\w)<(?=\w)"), " less than "),
    (re.compile(r"%"), " percent "),
    (re.compile(r"&"), " and "),
    (re.compile(r"£|\$|€"), " money "),
)
_SLANG = {
    "cos": "because", "coz": "because", "cuz": "because", "bc": "because", "bcos": "because",
    "becuz": "because", "u": "you", "ur": "your", "ppl": "people", "govt": "government", "gov": "government",
    "govts": "governments", "tho": "though", "thru": "through", "wont": "will not",
    "gonna": "going to", "wanna": "want to", "dunno": "do not know", "idk": "i do not know", "b4": "before", "smth": "something", "sth": "something", "bcuz": "because",
    "nd": "and", "abt": "about", "diff": "different", "eco": "economic", "econ": "economics", "prob": "probably",
    "probs": "probably", "rly": "really", "esp": "especially", "w/o": "without",
    "isnt": "is not", "doesnt": "does not", "dont": "do not", "cant": "cannot", "wouldnt": "would not",
    "shouldnt": "should not", "didnt": "did not", "arent": "are not", "wasnt": "was not", "werent": "were not",
    "couldnt": "could not", "aint": "is not", "thats": "that is", "its": "it is", "theyre": "they are",
    "theres": "there is", "whats": "what is", "im": "i am", "youre": "you are", "hes": "he is", "shes": "she is",
    "ill": "i will", "theyll": "they will", "itll": "it will", "youll": "you will", "ive": "i have",
    "weve": "we have", "theyve": "they have", "lemme": "let me", "gimme": "give me", "kinda": "kind of",
    "sorta": "sort of", "alot": "a lot", "aswell": "as well", "bcause": "because", "becasue": "because",
    "becuase": "because", "wen": "when", "wat": "what", "dat": "that", "cus": "because",
}
# Common English words a misspelling must never be "corrected" into or out of.
_COMMON = frozenset(
    "about after again against also always another because before being below between both could doing during "
    "each every first from further having here itself just like little make many more most much never only other "
    "over same should since some still such than that their them then there these they thing think this those "
    "though through under until very want were what when where which while will with would your yours people "
    "really maybe guess because means thats stuff right wrong think thought getting going gets makes".split())
_WORD = re.compile(r"[a-z][a-z]+")


def _spell_threshold(word: str) -> int:
    return 1 if len(word) <= 6 else 2


def _rewrite_symbols(text: str) -> str:
    for pattern, words in _SYMBOLS:
        text = pattern.sub(words, text)
    return text


def _expand_slang(normalised: str) -> list[str]:
    out: list[str] = []
    for word in normalised.split():
        out.extend(_SLANG.get(word, word).split())
    return out


@lru_cache(maxsize=1)
def _bundled_vocabulary() -> frozenset[str]:
    """Every word of the bundled curriculum (empty if it cannot be loaded: then nothing is corrected)."""
    try:
        from curriculum.loader import get_curriculum

        curriculum = get_curriculum()
    except (OSError, ValueError):  # no bundled curriculum: matching still works on exact spellings
        return frozenset()
    texts: list[str] = []
    for point in curriculum.points.values():
        data = point.model_dump()
        texts.append(str(data))
    for question in curriculum.questions.values():
        texts.append(str(question.model_dump()))
    return vocabulary_of(texts)


def vocabulary_of(texts: Iterable[str]) -> frozenset[str]:
    """The set of normalised words (length ≥ 3) in `texts`."""
    words: set[str] = set()
    for text in texts:
        words.update(w for w in _WORD.findall(normalise(text)) if len(w) >= 3)
    return frozenset(words)


@lru_cache(maxsize=1)
def _choices() -> tuple[frozenset[str], dict[str, list[str]]]:
    vocab = _bundled_vocabulary()
    by_letter: dict[str, list[str]] = {}
    for word in sorted(vocab):
        if len(word) >= 4:
            by_letter.setdefault(word[0], []).append(word)
    return vocab, by_letter


@lru_cache(maxsize=65536)
def correct_word(word: str) -> str:
    """The vocabulary word `word` is most likely a misspelling of, or `word` itself."""
    vocab, by_letter = _choices()
    if len(word) < 5 or word in vocab or word in _COMMON or not word.isalpha():
        return word
    candidates = by_letter.get(word[0], [])
    if not candidates:
        return word
    found = process.extractOne(word, candidates, scorer=Levenshtein.distance,
                               score_cutoff=_spell_threshold(word))
    return found[0] if found else word


def canonical(text: str, *, spell: bool = True) -> str:
    """`text` in the canonical form (see module docstring): normalised, symbols and slang as words, spelled right.

    Cues are canonicalised with `spell=False`: many are deliberate word stems ("inefficien") to be left alone.
    """
    words = _expand_slang(normalise(_rewrite_symbols(text or "")))
    return " ".join(correct_word(w) for w in words) if spell else " ".join(words)
