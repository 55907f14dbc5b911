"""Lexical and structural features of one tutor response in its dialogue context.

Pure functions, no network. The features feed the linear model in ``turn_deterministic`` and its
training script (``evals/train_turn_model.py``); both must call ``extract_features`` so training and
scoring see exactly the same representation. Features never use the tutor's identity, only the text.
"""

from __future__ import annotations

import math
import re

# MRBench's own dimension keys and label values (note the lowercase ``humanlikeness``).
YES_NO = ("Yes", "To some extent", "No")
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "Mistake_Identification": YES_NO,
    "Mistake_Location": YES_NO,
    "Revealing_of_the_Answer": ("No", "Yes (and the answer is correct)", "Yes (but the answer is incorrect)"),
    "Providing_Guidance": YES_NO,
    "Actionability": YES_NO,
    "Coherence": YES_NO,
    "Tutor_Tone": ("Encouraging", "Neutral", "Offensive"),
    "humanlikeness": YES_NO,
}

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:\.\d+)?")
_NUMBER = re.compile(r"(?<![\w.])-?\$?(\d[\d,]*(?:\.\d+)?)")
# A number stated as a result: "= 12", "is 12", "total of $12", "should be 12", "gives us 12".
_RESULT = re.compile(r"(?:=|\bis\b|\bare\b|\bequals?\b|\bget\b|\bgives?(?: us)?\b|\btotals?(?: of| to)?\b"
                     r"|\bbe\b|\bmakes?\b|\bmaking\b|\bhad\b|\bhave\b)\s+(?:actually\s+|only\s+|exactly\s+"
                     r"|about\s+|approximately\s+|the correct total of\s+)?\$?(\d[\d,]*(?:\.\d+)?)")
_TURN = re.compile(r"(Tutor|Student)\s*:", re.IGNORECASE)

PRAISE = ("great", "good", "well done", "excellent", "nice", "awesome", "correct", "right", "perfect",
          "fantastic", "wonderful", "amazing", "keep up", "good job", "great job", "good try", "great try")
ERROR_CUES = ("not quite", "mistake", "error", "incorrect", "wrong", "forgot", "missed", "however", "but ",
              "actually", "instead", "double-check", "recheck", "re-check", "take another look",
              "closer look", "remember", "careful", "not ", "should be", "check")
GUIDE_CUES = ("let's", "what", "how", "can you", "could you", "try", "think about", "consider", "remember",
              "look at", "step", "first", "next", "if ", "why", "which", "would")
REVEAL_CUES = ("the answer is", "the correct answer", "is actually", "would actually", "should be",
               "the total is", "so the answer", "which is", "gives us", "we get", "equals", "= ")
META_CUES = ("tutor response", "here's a", "here is a", "###", "assistant", "(note", "maximum one sentence",
             "instruction", "response:")
OFFENSIVE_CUES = ("stupid", "idiot", "dumb", "moron", "useless", "pathetic", "shut up", "lazy", "hopeless",
                  "ridiculous", "clueless", "what's wrong with you", "are you serious", "waste of my time",
                  "obviously you", "even a child", "incompetent", "fool")


def parse_history(history: str | list[dict]) -> list[dict]:
    """Return the dialogue as ``[{"role": "tutor"|"student", "content": str}]``.

    Accepts MRBench's single string of "Tutor: ..." / "Student: ..." lines or a list of messages with
    ``role`` (tutor/coach/assistant/ai vs student/user/human) and ``content``.
    """
    if isinstance(history, list):
        turns = []
        for message in history:
            role = str(message.get("role", "")).lower()
            who = "student" if role in ("student", "user", "human") else "tutor"
            turns.append({"role": who, "content": str(message.get("content", ""))})
        return turns
    text = (history or "").replace("\xa0", " ")
    turns = []
    parts = _TURN.split(text)
    # split with one capture group gives [prefix, role, content, role, content, ...]
    for i in range(1, len(parts) - 1, 2):
        turns.append({"role": parts[i].lower(), "content": parts[i + 1].strip()})
    if not turns and text.strip():
        turns.append({"role": "student", "content": text.strip()})
    return turns


def numbers_in(text: str) -> set[str]:
    """Numbers mentioned in ``text``, normalised (commas and trailing ``.0`` removed)."""
    found = set()
    for raw in _NUMBER.findall(text or ""):
        value = raw.replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        if value:
            found.add(value)
    return found


def words(text: str) -> list[str]:
    """Lower-case word and number tokens (apostrophes kept: ``let's``, ``you're``)."""
    return _WORD.findall((text or "").lower().replace("\u2019", "'"))


def final_answer(context: dict | None) -> set[str]:
    """Answer tokens known from the context: numbers in the solution's last line, or ``answer_phrases``."""
    if not context:
        return set()
    answers: set[str] = set()
    solution = str(context.get("ground_truth_solution") or "").strip()
    if solution and solution.lower() != "not available":
        answers |= numbers_in(solution.splitlines()[-1])
    for phrase in context.get("answer_phrases") or []:
        answers.add(str(phrase).lower().strip())
    return answers


def result_numbers(text: str) -> set[str]:
    """Numbers the text states as results of a calculation or as the value of something."""
    return numbers_in(" ".join(_RESULT.findall(text or "")))


def _has_any(text: str, cues: tuple[str, ...]) -> float:
    return 1.0 if any(cue in text for cue in cues) else 0.0


def _count(text: str, cues: tuple[str, ...]) -> float:
    return float(sum(text.count(cue) for cue in cues))


def structural_features(history: str | list[dict], response: str, context: dict | None = None) -> dict:
    """Dense hand-made features: length, questions, praise/error/guide cues, overlap with the dialogue,
    and whether the response contains (new) numbers or the known final answer."""
    turns = parse_history(history)
    text = (response or "").replace("\xa0", " ")
    low = text.lower().replace("\u2019", "'")
    toks = words(low)
    n_words = len(toks)
    last_student = next((t["content"] for t in reversed(turns) if t["role"] == "student"), "")
    history_text = " ".join(t["content"] for t in turns)
    resp_nums = numbers_in(text)
    hist_nums = numbers_in(history_text)
    student_nums = numbers_in(last_student)
    answers = final_answer(context)
    content = {w for w in toks if len(w) > 3}
    student_words = {w for w in words(last_student) if len(w) > 3}
    history_words = {w for w in words(history_text) if len(w) > 3}
    sentences = [s for s in re.split(r"[.!?]+\s", text.strip()) if s.strip()]
    praise_start = low.lstrip(" \"'*").startswith(("great", "good", "well done", "excellent", "nice",
                                                    "that's correct", "that's right", "correct", "perfect",
                                                    "you're right", "you are right", "awesome", "fantastic"))
    results = result_numbers(text)
    affirms = bool(re.search(r"\b(that's|that is|you're|you are|is|was) (absolutely |exactly |indeed )?"
                             r"(correct|right)\b|\bwell done\b|\bcorrect\b|\bgreat job\b|\bgood job\b", low))
    student_right = bool(answers & student_nums)
    answer_hit = 0.0
    if answers:
        answer_hit = 1.0 if (resp_nums & answers) or any(a and not a.isdigit() and a in low
                                                          for a in answers) else 0.0
    features = {
        "bias": 1.0,
        "log_words": math.log1p(n_words),
        "short": 1.0 if n_words <= 8 else 0.0,
        "long": 1.0 if n_words >= 45 else 0.0,
        "n_sentences": min(len(sentences), 6) / 3.0,
        "has_question": 1.0 if "?" in text else 0.0,
        "ends_question": 1.0 if text.strip().rstrip("\"'* ").endswith("?") else 0.0,
        "n_questions": min(text.count("?"), 3) / 3.0,
        "praise_start": 1.0 if praise_start else 0.0,
        "praise_count": min(_count(low, PRAISE), 4) / 4.0,
        "praise_no_error": 1.0 if praise_start and not _has_any(low, ERROR_CUES) else 0.0,
        "error_cue": _has_any(low, ERROR_CUES),
        "error_count": min(_count(low, ERROR_CUES), 4) / 4.0,
        "guide_count": min(_count(low, GUIDE_CUES), 5) / 5.0,
        "reveal_cue": _has_any(low, REVEAL_CUES),
        "meta_text": _has_any(low, META_CUES),
        "newlines": 1.0 if "\n" in text.strip() else 0.0,
        "markdown": 1.0 if ("**" in text or "*" in text or "#" in text) else 0.0,
        "quoted": 1.0 if text.strip().startswith('"') else 0.0,
        "exclaim": 1.0 if "!" in text else 0.0,
        "offensive_cue": _has_any(low, OFFENSIVE_CUES),
        "has_numbers": 1.0 if resp_nums else 0.0,
        "new_numbers": min(len(resp_nums - hist_nums), 3) / 3.0,
        "student_numbers": 1.0 if resp_nums & student_nums else 0.0,
        "has_equals": 1.0 if re.search(r"\d\s*[=]\s*\$?\d", text) else 0.0,
        "has_arith": 1.0 if re.search(r"\d\s*[x×*/+\-]\s*\d", text) else 0.0,
        "answer_known": 1.0 if answers else 0.0,
        "answer_hit": answer_hit,
        "answer_hit_new": 1.0 if answer_hit and (resp_nums & answers) - student_nums else 0.0,
        # the known answer is given away: a number not yet in the dialogue, or stated as a result
        "answer_stated": 1.0 if (answers & resp_nums - hist_nums) or (answers & results) else 0.0,
        "wrong_result": 1.0 if answers and re.search(r"=\s*\$?\d", text) and not answer_hit else 0.0,
        "states_result": 1.0 if results else 0.0,
        "result_new": 1.0 if results - hist_nums else 0.0,
        "result_is_answer": 1.0 if results & answers else 0.0,
        "result_not_answer": 1.0 if answers and results and not results & answers else 0.0,
        "not_number": 1.0 if re.search(r"\bnot\s+\$?\d", low) else 0.0,
        "affirms": 1.0 if affirms else 0.0,
        "affirms_no_error": 1.0 if affirms and not _has_any(low, ERROR_CUES) else 0.0,
        "student_right": 1.0 if student_right else 0.0,
        "affirms_wrong": 1.0 if affirms and answers and student_nums and not student_right else 0.0,
        "answer_word": 1.0 if re.search(r"\b(the )?(final |correct )?answer (is|would be|should be)\b", low) else 0.0,
        "overlap_student": len(content & student_words) / (len(content) or 1),
        "overlap_history": len(content & history_words) / (len(content) or 1),
        "novel_share": len(content - history_words) / (len(content) or 1),
        "second_person": 1.0 if re.search(r"\byou(r|'re)?\b", low) else 0.0,
        "lets": 1.0 if "let's" in low or "let us" in low else 0.0,
        "n_turns": min(len(turns), 12) / 12.0,
    }
    return features


def lexical_features(response: str) -> list[str]:
    """Sparse lexical cues: the response's distinct unigrams (numbers folded to ``<num>``).

    Bigrams and first/last-word cues were tried and did not improve grouped cross-validated macro-F1;
    they mostly memorised individual tutors' phrasing, so they are left out.
    """
    return sorted({"w:" + ("<num>" if t[0].isdigit() else t) for t in words(response)})


def extract_features(history: str | list[dict], response: str, context: dict | None = None) -> dict:
    """All features of one response: the structural ones plus the lexical ones with value 1.0."""
    features = structural_features(history, response, context)
    for name in lexical_features(response):
        features[name] = 1.0
    return features
