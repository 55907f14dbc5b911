"""Deterministic per-turn scorers for MRBench's eight dimensions (no network).

Each dimension is labelled by a small multinomial logistic regression over the features of
``turn_features`` (weights in ``turn_model.json``, trained on the shared MRBench dev file only by
``evals/train_turn_model.py``), plus hand rules where the data cannot teach the model:

- Tutor_Tone "Offensive" never occurs in the dev data, so an insult lexicon decides it.
- A response that contains the known final answer (context ``ground_truth_solution`` /
  ``answer_phrases``) in a statement, not a question, reveals it.
- When the caller has the curriculum-aware leakage evidence for the turn (``leaks``, from
  ``evals.leakage.find_leaks`` via the session view: the syllabus point is known), Revealing_of_the_Answer
  follows it both ways, so the per-turn label and the session's leak check can never disagree.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from evals.scorers.linear_model import softmax_scores, top_contributions
from evals.scorers.turn_features import DIMENSIONS, extract_features

MODEL_PATH = Path(__file__).with_name("turn_model.json")
REVEALED_CORRECT = "Yes (and the answer is correct)"


@lru_cache(maxsize=4)
def load_model(path: str = str(MODEL_PATH)) -> dict:
    """The committed weights: ``{"dimensions": {key: {"labels": [...], "weights": {feature: [...]}}}}``."""
    model = json.loads(Path(path).read_text(encoding="utf-8"))
    missing = [key for key in DIMENSIONS if key not in model.get("dimensions", {})]
    if missing:
        raise ValueError(f"turn model {path} lacks dimensions: {', '.join(missing)}")
    return model


def _states_answer(features: dict, response: str) -> bool:
    """The known answer appears and the response is not just asking about it."""
    if not features.get("answer_stated"):
        return False
    # "Is it 12?" style checks leave the student to confirm; a statement gives the answer away.
    return not response.strip().rstrip("\"'* ").endswith("?")


def _phrase_revealed(history: str | list[dict], response: str, context: dict | None) -> bool:
    """One of the syllabus point's answer phrases appears in the response but nowhere earlier in the dialogue
    (our own coach's sessions carry them; MRBench items do not)."""
    phrases = [p.lower() for p in (context or {}).get("answer_phrases") or [] if p and p.strip()]
    if not phrases:
        return False
    before = history if isinstance(history, str) else " ".join(str(m.get("content", "")) for m in history)
    low, before = response.lower(), before.lower()
    return any(p in low and p not in before for p in phrases)


def label_dimension(key: str, spec: dict, features: dict, response: str,
                    revealed_phrase: bool = False) -> tuple[str, str]:
    """Label one dimension from precomputed features; returns ``(label, reason)``."""
    if key == "Tutor_Tone" and features.get("offensive_cue"):
        return "Offensive", "insulting or belittling wording towards the student"
    if key == "Revealing_of_the_Answer" and revealed_phrase:
        return REVEALED_CORRECT, "states one of the syllabus point's answer phrases the student had not said"
    if key == "Revealing_of_the_Answer" and _states_answer(features, response):
        return REVEALED_CORRECT, "states the known final answer instead of leaving it to the student"
    labels = spec["labels"]
    probs = softmax_scores(spec["weights"], features, len(labels))
    best = max(range(len(labels)), key=lambda k: probs[k])
    cues = top_contributions(spec["weights"], features, best)
    reason = f"linear model p={probs[best]:.2f}"
    if cues:
        reason += "; cues: " + ", ".join(cues)
    return labels[best], reason


def score_turn(history: str | list[dict], response: str, *, context: dict | None = None,
               model: dict | None = None, leaks: list[str] | None = None) -> list[dict]:
    """Label one tutor response on all eight MRBench dimensions.

    ``history`` is the dialogue before the response (MRBench string or a list of
    ``{"role", "content"}`` messages); ``context`` may carry ``ground_truth_solution`` or, for our
    coach, ``answer_phrases``/``expectations``. ``leaks`` (None: unknown) is the curriculum-aware leakage
    evidence for this turn; when given, it decides Revealing_of_the_Answer. Returns ``[{"key", "value", "reason"}]`` in MRBench's
    dimension order, with MRBench's label values.
    """
    if not isinstance(response, str):
        raise TypeError("response: expected a string")
    model = model or load_model()
    features = extract_features(history, response, context)
    revealed = _phrase_revealed(history, response, context)
    results = []
    for key in DIMENSIONS:
        if key == "Revealing_of_the_Answer" and leaks is not None:
            label, reason = ((REVEALED_CORRECT, "curriculum leak check: states " + "; ".join(leaks)) if leaks else
                             ("No", "curriculum leak check: states nothing the student had not reached"))
        else:
            label, reason = label_dimension(key, model["dimensions"][key], features, response, revealed)
        results.append({"key": key, "value": label, "reason": reason})
    return results
