"""How an answer reasons, read the way the level descriptors ask: explained chains, weighed arguments, judgements.

The Marker's levels for AO2 (analysis) and AO3 (evaluation) follow these readings, not the number of points
touched (`agents.rubric`):
- an **explained chain** is a clause that links two substantive ideas with a causal connective ("because",
  "so", "therefore", "which leads to", "this means", "→") and carries at least one mark-scheme idea of the
  question (a credited point's cue, or the scheme's own vocabulary) — cause → mechanism → consequence;
- a **weighed argument** is a contrast ("however", "on the other hand", "but", "although", "unless", "only
  if", "depends on") whose clause has reasoning or scheme content of its own;
- a **judgement** is a concluding sentence ("overall", "on balance", "in conclusion", "so … better") that
  depends on something specific: a condition with scheme content ("depends on how elastic demand is"), not
  "it depends on the situation";
- a **keyword list** is an answer of bare terms (short comma/colon fragments, almost no function words): it
  names ideas without reasoning, so it cannot leave the lowest level;
- **pasted scheme** sentences repeat the question's or mark scheme's own wording; they earn nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from curriculum.text_forms import canonical

_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+|\s\|\s")
_CAUSAL = re.compile(
    r"\b(?:because|so|therefore|thus|hence|which (?:leads|means|causes|results|raises|lowers|increases|reduces)|"
    r"this (?:means|leads|causes|results|raises|lowers|increases|reduces|makes)|leads? to|leading to|"
    r"as a result|results? in|resulting in|causes?|causing|due to|since|in turn|then|meaning|so that|"
    r"which (?:makes|gives|allows|encourages|discourages)|this is why|that is why|equals|means that)\b")
_CONTRAST = re.compile(
    r"\b(?:however|on the other hand|but|although|though|whereas|nevertheless|yet|in contrast|alternatively|"
    r"unless|only if|depends? on|depending on|provided|in the long run|in the short run|may not|might not|"
    r"limitation|drawback|disadvantage|critics|not always)\b")
_JUDGE = re.compile(
    r"\b(?:overall|on balance|in conclusion|to conclude|to sum up|ultimately|in my view|i think|i believe|"
    r"therefore|so|the best|most effective|more effective|better|worse|more important|outweigh)\b")
_EMPTY_JUDGEMENT = re.compile(
    r"\b(?:depends on (?:the|many|a lot of|lots of|various|different)? ?(?:situation|circumstances|factors|things|"
    r"case|country|context)|advantages and disadvantages|pros and cons|economists (?:disagree|have different)|"
    r"both sides|it depends$|it is hard to say|there are arguments)\b")
_FUNCTION = frozenset(
    "the a an is are was were be of to in on for with that which this it its they their there because so if when "
    "as by from and or but not can will would may might could has have had does do than then also into".split())
GENERIC = frozenset(
    "price prices good goods economy economic market markets government people firm firms cost costs money "
    "country countries important many things thing different way ways more less some effect effects".split())


@dataclass(frozen=True)
class Reading:
    """What one (cleaned) answer does: sentences, chains, weighing and judgement, and its shape."""

    sentences: tuple[str, ...]
    chains: int  # clauses with an explained causal link around scheme content
    weighed: int  # contrasts with content of their own
    reasoned_weighing: int  # contrasts that carry (or are followed by) an explained chain
    judgement: bool  # a concluding judgement that depends on something specific
    empty_judgement: bool  # "it depends on the situation"
    keyword_list: bool
    words: int
    pasted: tuple[str, ...] = field(default=())  # sentences that repeat the scheme's or question's wording


def sentences_of(text: str) -> list[str]:
    """The answer's sentences (also split at line breaks and '|' separators)."""
    return [s.strip() for s in _SENTENCES.split(text or "") if s and s.strip()]


def _words(text: str) -> list[str]:
    return canonical(text, spell=False).split()


def _bigrams(words: list[str]) -> set[tuple[str, str]]:
    return set(zip(words, words[1:]))


@lru_cache(maxsize=512)
def _scheme_bigrams(scheme_text: str) -> frozenset[tuple[str, str]]:
    return frozenset(_bigrams(_words(scheme_text)))


def pasted_sentences(sentences: list[str], scheme_text: str, threshold: float = 0.7) -> list[str]:
    """Sentences whose word pairs mostly occur in the question's or mark scheme's own text."""
    source = _scheme_bigrams(scheme_text)
    out = []
    for sentence in sentences:
        pairs = _bigrams(_words(sentence))
        shared = len(pairs & source)
        # a long sentence mostly in the scheme's words, or a short fragment entirely in them
        if (len(pairs) >= 5 and shared / len(pairs) >= threshold) or (2 <= len(pairs) == shared):
            out.append(sentence)
    return out


# Verbs (base forms; inflections are matched) and subjects that make a fragment a statement rather than a term.
_VERB_BASES = frozenset((
    "be is are was were been being am has have had do does did will would can could may might shall should must "
    "mean cause lead make get become rise rose risen fall fell fallen increase decrease reduce raise lower grow "
    "grew shrink buy bought sell sold pay paid spend spent produce shift happen occur work want need give gave "
    "take took find found depend affect change move go went gone come came keep kept let put set show tell say "
    "said know think use try help allow encourage discourage stop start create destroy lose lost gain earn hire "
    "employ sack cut charge supply demand export import save borrow lend lent invest tax subsidise protect "
    "measure calculate divide multiply compare record track weight count exist remain stay end face compete "
    "enter leave exit rely benefit harm suffer improve worsen respond react switch substitute consume choose "
    "decide determine limit restrict outweigh offset push pull drive force bear pass absorb fund finance "
    "provide offer ensure prevent avoid reach exceed equal mean matter seem appear look feel turn run hold "
    "bring build mark attract replace result involve include contain consist").split())
_SUBJECTS = frozenset("it they this these those he she we you i there which who".split())
_ARROW = re.compile(r"→|->|=>|⇒|⟶")
_LIST_SPLIT = re.compile(r"[,:;.\n|()=/]+|→|->|=>|⇒|⟶|\band\b|&|\+")


def _is_verb(word: str) -> bool:
    if word in _VERB_BASES:
        return True
    for suffix, add in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ing", "e"), ("es", ""), ("ed", ""), ("ed", "e"),
                        ("s", ""), ("d", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2 and word[: -len(suffix)] + add in _VERB_BASES:
            return True
    return False


def is_statement(fragment: str) -> bool:
    """A fragment that says something (has a verb or a subject pronoun), not a bare term."""
    return any(_is_verb(w) or w in _SUBJECTS for w in fragment.lower().replace("’", "'").split())


def bare_share(text: str) -> tuple[float, float, int]:
    """(share of fragments that are bare terms, share of words in them, fragments) — fragments split at
    punctuation, arrows, '=' and 'and', so "X and Y and Z" and "A → B → C" are read as the lists they are."""
    fragments = [f.strip() for f in _LIST_SPLIT.split(text or "") if f and re.search(r"[A-Za-z0-9]", f)]
    if not fragments:
        return 0.0, 0.0, 0
    bare = [f for f in fragments if not is_statement(f)]
    words = sum(len(f.split()) for f in fragments)
    return len(bare) / len(fragments), sum(len(f.split()) for f in bare) / max(1, words), len(fragments)


def is_keyword_list(text: str) -> bool:
    """Bare terms: short comma/colon/semicolon fragments with hardly any function words — or, in any layout
    (sentences, "and"-strings, arrows, one term per line), an answer most of whose fragments state nothing."""
    words = _words(text)
    if len(words) < 6:
        return False
    fragments = [f for f in re.split(r"[,:;.\n|()]+", text) if f.strip()]
    mean_fragment = len(words) / max(1, len(fragments))
    function_share = sum(w in _FUNCTION for w in words) / len(words)
    if (mean_fragment <= 4.0 and function_share < 0.2) or function_share < 0.08:
        return True
    bare_fragments, bare_words, count = bare_share(text)
    return count >= 4 and bare_fragments >= 0.6 and bare_words >= 0.45


def _substantive(part: str, vocab: frozenset[str]) -> bool:
    words = [w for w in _words(part) if w not in _FUNCTION]
    return len(words) >= 2 and (any(w[:6] in vocab for w in words) or len(words) >= 4)


def _has_scheme_content(sentence: str, vocab: frozenset[str]) -> bool:
    return any(w[:6] in vocab and w not in GENERIC for w in _words(sentence))


def read_answer(text: str, *, vocab: frozenset[str], scheme_text: str) -> Reading:
    """The reading of a cleaned answer against a question's scheme vocabulary (stems of 6 letters)."""
    sentences = sentences_of(text)
    pasted = pasted_sentences(sentences, scheme_text)
    live = [s for s in sentences if s not in pasted]
    chains = weighed = reasoned = 0
    judgement = empty = False
    chained: list[bool] = []
    contrasted: list[bool] = []
    for sentence in live:
        canon = " ".join(_words(sentence))
        content = _has_scheme_content(sentence, vocab)
        link = _CAUSAL.search(canon)
        is_chain = False
        if link and content and not _bare_arrows(sentence):
            before, after = canon[: link.start()], canon[link.end():]
            if _substantive(before, vocab) and _substantive(after, vocab):
                chains += 1
                is_chain = True
        is_contrast = bool(_CONTRAST.search(canon) and content and len(canon.split()) >= 6)
        weighed += is_contrast
        chained.append(is_chain)
        contrasted.append(is_contrast)
        if _JUDGE.search(canon):
            if _EMPTY_JUDGEMENT.search(canon) and not _specific_condition(canon, vocab):
                empty = True
            elif content and (_CONTRAST.search(canon) or link or re.search(r"\b(?:if|when|whether)\b", canon)):
                judgement = True
    for i, contrast in enumerate(contrasted):
        if contrast and (chained[i] or (i + 1 < len(chained) and chained[i + 1])):
            reasoned += 1
    return Reading(sentences=tuple(sentences), chains=chains, weighed=weighed, reasoned_weighing=reasoned,
                   judgement=judgement,
                   empty_judgement=empty and not judgement, keyword_list=is_keyword_list(" ".join(live) or text),
                   words=len(_words(text)), pasted=tuple(pasted))


def _bare_arrows(sentence: str) -> bool:
    """Arrow notes whose steps state nothing ("G up → AD up → jobs up"): a chain asserted, not explained."""
    if not _ARROW.search(sentence):
        return False
    steps = [s for s in _ARROW.split(sentence) if s.strip()]
    return sum(is_statement(s) for s in steps) * 2 < len(steps)


def _specific_condition(canon: str, vocab: frozenset[str]) -> bool:
    tail = re.split(r"\bdepends? on\b|\bdepending on\b", canon, maxsplit=1)
    return len(tail) == 2 and any(w[:6] in vocab and w not in GENERIC for w in tail[1].split())
