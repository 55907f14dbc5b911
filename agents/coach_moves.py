"""How a student's message reads as a move, before its content is judged: the regular expressions of the Coach.

Each pattern runs on `curriculum.matching.normalise(text)` (lowercase, apostrophes dropped so "don't" is
"dont", punctuation as spaces). `classify_intent(text)` returns the first intent that applies, in priority order:
injection, wants_human, answer_request — or None. `is_question(text)` says whether the student is asking the
tutor something (a "why …?", "is it cos …?", "wait what's …?"), which earns a move aimed at that question.
"""

from __future__ import annotations

import re

from curriculum.matching import normalise

# Patterns run on `normalise(text)`: lowercase, apostrophes dropped ("don't" -> "dont"), punctuation -> spaces.
_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|bypass|override)\s+(all\s+|any\s+)?(of\s+)?(your|the|these|those|my|previous"
    r"|prior|above|earlier)?\s*(previous\s+|prior\s+|earlier\s+|above\s+|system\s+)?(instructions?|rules|prompts?"
    r"|guidelines|programming|training)\b"
    r"|\byou are now\b|\byoure now\b|\bfrom now on you\b|^\W*(now )?act as\b|\b(i want you to|please) act as\b"
    r"|\bact as if you\b|\bpretend (you|to be)\b|\bsystem prompt\b|\bmark(ing)? scheme\b|\bdeveloper mode\b"
    r"|\bjailbreak|\bnew instructions\b|\breveal (your|the) (answer|instructions|prompt|system|rules|mark)"
    r"|\b(print|show|repeat) (your|the) (instructions|prompt|rules)\b|\bi am (your|the|a) teacher\b"
    r"|\bim (your|the|a) teacher\b|\bas your (teacher|developer|admin)\b|\badmin mode\b")
_ANSWER_REQUEST = re.compile(
    r"\bjust (tell|give|say|explain|show)\b|\btell me (the )?(answer|definition|what it (is|means))\b"
    r"|\bgive me (the |a )?(answer|definition|model answer)\b|\bwhat(s| is) the (answer|definition)\b"
    r"|\b(can|could) you (just )?(define|tell me the answer|give me the answer)\b|\bdefine it for me\b"
    r"|\bwhat does (it|that|this|\w+) mean\W*$|\bshow me the answer\b|\bmodel answer\b|\bwrite (my|the) answer\b"
    r"|\bdo it for me\b|\bspell it out\b|\bstop asking (me )?questions\b|\bwhat is the right answer\b")
_WANTS_HUMAN = re.compile(
    r"\b(talk|speak|chat|see|get|contact|want|need|message|email|call|ask for|refer me|connect me|put me)\b"
    r"(\s\w+){0,2}\s(teachers?|humans?|real person|real people|person|tutors?|someone real|adult)\b")
_GIVE_UP = re.compile(
    r"^\W*(give up|giving up|pointless|forget it)\W*$"
    r"|\b(i|ill|i will|im|i am|i just|i think i|ok i|i have to)\s+(give|giving)\s+up\b"
    r"|\bi quit\b|\bim done\b|\bi am done\b|\b(this|it all|all this) is (pointless|hopeless)\b"
    r"|\bi (cant|cannot|can not) do this\b|\bwhats the point\b|\bi surrender\b")
_DONT_KNOW = re.compile(
    r"^\W*(idk|dunno|no|nope|huh|what|eh|um+|hmm+|\?+)?\W*$|\bidk\b|\bdunno\b|\bno idea\b|\bnot sure\b|\bno clue\b"
    r"|\b(i|i really|i honestly|i still|still|honestly|i just)\s+(dont|do not) (know|get|understand)\b"
    r"|\b(i|i still|i just|i honestly)\s+(dont|do not) (really |quite |even )(know|get|understand|see)\b"
    r"|^\W*(dont|do not) (know|get it|understand)\b|\bconfus|\bim lost\b|\bi am lost\b|\bim stuck\b|\bi am stuck\b")
_OFF_TOPIC = re.compile(
    r"\b(football|soccer|fortnite|minecraft|video games?|tiktok|instagram|netflix|movie|film|song|music|weather"
    r"|joke|your favourite|your favorite|whats your name|girlfriend|boyfriend|photosynthesis|chemistry|biology"
    r"|physics|algebra|shakespeare|poem|holiday|birthday|lunch|dinner|anime|youtube)\b")
_HEDGE = re.compile(r"^((i (think|guess|suppose|reckon|believe)( that)?|maybe|perhaps|um+|erm+|so|well|ok|okay"
                    r"|like|hmm+|is it( that)?|because|cos|cuz)[,.]?\s+)+", re.IGNORECASE)
_ECON_WORDS = ("price", "demand", "suppl", "market", "cost", "buy", "sell", "consum", "produc", "firm", "tax",
               "subsid", "govern", "spend", "income", "money", "profit", "inflat", "employ", "trade", "export",
               "import", "interest", "wage", "econom", "good", "servic", "output", "gdp", "rate")


QUESTION_MAX_WORDS = 14
_QUESTION_START = re.compile(
    r"^\W*(so |but |wait |ok |okay |hmm+ |um+ |and |then |sorry |like )*(why|how|what|whats|which|when|where|who"
    r"|is|isnt|are|arent|does|doesnt|do|dont|did|can|could|would|wouldnt|will|should|shouldnt|was|wasnt)\b")


# "I don't get why the curve shifts", "confused how a subsidy helps": a question about something, in the form of
# confusion. Three words after the question word make it about something ("idk why", "not sure how" are not).
_CONFUSED_ASK = re.compile(r"\b(dont|do not|still dont|never) (get|understand|see)( \w+)? (why|how|what|whether)\b"
                           r"|\bconfus\w* (about|why|how|with|on)\b")
# "why/how/what" ask wherever they stand; "is/does/can…" only at the start of a clause ("is it cos…"), since
# mid-sentence they state ("I thought a steep curve is always inelastic").
_ASKS_ABOUT = re.compile(r"\b(why|how|what|whats|which)\b(\s+\w+){3,}"
                         r"|(^|[.,;:!?]|\b(so|but|wait|and|then|like|ok|okay))\s*(does|doesnt|do|did|is|isnt|are|arent"
                         r"|would|wouldnt|will|can|could|should)\b(\s+\w+){3,}")
# "But surely a tax shifts demand?" asks only for agreement: it states the belief.
_RHETORICAL = re.compile(r"^\W*(but |so |and )?(surely|isnt it obvious|obviously)\b", re.IGNORECASE)


def classify_intent(text: str) -> str | None:
    """"injection", "wants_human" or "answer_request" when the message is one of those, else None."""
    norm = normalise(text)
    if _INJECTION.search(norm):
        return "injection"
    if _WANTS_HUMAN.search(norm):
        return "wants_human"
    if _ANSWER_REQUEST.search(norm):
        return "answer_request"
    return None


def is_question(text: str) -> bool:
    """True when the student asks the tutor something (ends with "?" or opens like a question)."""
    stripped = (text or "").strip()
    if stripped.endswith("?") or re.search(r"\w\s*\?+(\s|$)", stripped):
        return True  # any sentence that asks ("wait why is it bad tho? X still gets shirts") makes it a question
    # Without a question mark only a short message that opens like a question is one ("why is it inelastic
    # tho"); "when/where/which …" more often opens a statement ("When supply is inelastic, price rises").
    norm = normalise(stripped)
    if _CONFUSED_ASK.search(norm) and asks_about_something(stripped):
        return True
    return (len(norm.split()) <= QUESTION_MAX_WORDS and bool(_QUESTION_START.search(norm))
            and not norm.startswith(("when ", "where ", "which ")))


def asks_about_something(text: str) -> bool:
    """True when, beside any "idk"/"I'm confused", the message asks about something ("idk, is it cos people
    need it for work?", "I'm confused why no substitutes makes it inelastic") — a question to engage with,
    not a plain "I don't know"."""
    rest = _DONT_KNOW.sub(" , ", _punctuated(text))
    return bool(_ASKS_ABOUT.search(rest))


def _punctuated(text: str) -> str:
    """Lowercased, apostrophes dropped, clause punctuation kept (`normalise` turns it into spaces)."""
    return re.sub(r"['’]", "", (text or "").lower())


def gave_up(text: str) -> bool:
    """An explicit give-up ("I give up", "this is pointless")."""
    return bool(_GIVE_UP.search(normalise(text)))


def dont_know(text: str) -> bool:
    """"idk", "I don't get it", "no idea" and the like."""
    return bool(_DONT_KNOW.search(normalise(text)))


def off_topic_words(text: str) -> bool:
    """Words of an unrelated topic (football, TikTok, chemistry …)."""
    return bool(_OFF_TOPIC.search(normalise(text)))


def strip_hedge(text: str) -> str:
    """The text without a leading hedge ("I think maybe …", "is it cos …")."""
    return _HEDGE.sub("", text)


_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")


def declarative_part(text: str) -> str:
    """The sentences of `text` that state something (questions and question-like sentences dropped)."""
    kept = [s for s in _SENTENCES.split(text or "") if s.strip() and (not is_question(s) or _RHETORICAL.search(s))]
    return " ".join(kept)
