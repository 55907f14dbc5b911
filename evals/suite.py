"""The scoring suite: every scorer on one transcript, and aggregation over many.

`score_transcript` runs MRBench's eight per-turn dimensions on every coach turn (`evals.scorers.turn_deterministic`)
and the six session dimensions (`evals.session_scorers`); with a judge model it adds the LLM judge's session
labels (and, if asked, its per-turn labels). `aggregate` summarises a list of scored transcripts per dimension:
numbers get mean/min/max, labels get counts and shares, and both say their coverage (an LLM judge's unscored
items, value None, are counted apart, never as a label).

The suite agrees with itself: when the syllabus point is known, a turn's Revealing_of_the_Answer comes from the
same curriculum-aware leak evidence as the session's `answer_leakage` (`SessionView.leaks_at`), so a turn the
session check flags is never "No" per turn, and a turn it clears is not "Yes" on a lexical guess.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable
from typing import Any

from langchain_core.language_models import BaseChatModel

from evals.scorers.turn_deterministic import score_turn
from evals.scorers.turn_llm import score_turn_llm
from evals.session_scorers import SessionView, score_session
from evals.session_transcript import Transcript
from evals.structured import MethodLadder


def turn_context(point: dict[str, Any] | None) -> dict[str, Any] | None:
    """The per-turn scorers' context for a syllabus point: its answer phrases and expectations."""
    if not point:
        return None
    return {"answer_phrases": list(point.get("answer_phrases", [])),
            "expectations": [e["idea"] for e in point.get("expectations", [])]}


_TURN_SCORES: OrderedDict[tuple[Any, ...], list[dict[str, Any]]] = OrderedDict()
_TURN_SCORES_SIZE = 2048


def _deterministic_turn(history: list[dict[str, Any]], response: str, context: dict[str, Any] | None,
                        leaks: list[str] | None) -> list[dict[str, Any]]:
    """`score_turn` (pure: it reads only roles and contents), remembered for the process: a closed session is
    scored when it closes and again once its closing message is stored, and all but the last turn repeat."""
    key = (tuple((e.get("role"), e.get("content")) for e in history), response,
           None if context is None else (tuple(context["answer_phrases"]), tuple(context["expectations"])),
           None if leaks is None else tuple(leaks))
    found = _TURN_SCORES.get(key)
    if found is None:
        found = score_turn(history, response, context=context, leaks=leaks)
        _TURN_SCORES[key] = found
        if len(_TURN_SCORES) > _TURN_SCORES_SIZE:
            _TURN_SCORES.popitem(last=False)
    else:
        _TURN_SCORES.move_to_end(key)
    return [dict(r) for r in found]


def score_turns(transcript: Transcript, point: dict[str, Any] | None, *,
                chat_model: BaseChatModel | None = None, ladder: MethodLadder | None = None,
                view: SessionView | None = None) -> list[dict[str, Any]]:
    """`[{"index", "coach", "scores": [...], "judge"?: [...]}]`, one item per coach turn."""
    context = turn_context(point)
    view = (view if view is not None else SessionView.of(transcript, point)) if point else None
    turns = []
    for index in transcript.coach_turns:
        history = [dict(e) for e in transcript.entries[:index]]
        response = transcript.entries[index]["content"]
        leaks = view.leaks_at(index) if view is not None else None
        item: dict[str, Any] = {"index": index, "coach": response,
                                "scores": _deterministic_turn(history, response, context, leaks)}
        if chat_model is not None:
            item["judge"] = score_turn_llm(history, response, chat_model=chat_model, context=context, ladder=ladder)
        turns.append(item)
    return turns


def score_transcript(transcript: Transcript, *, judge_model: BaseChatModel | None = None,
                     judge_turns: bool = False, ladder: MethodLadder | None = None,
                     view: SessionView | None = None) -> dict[str, Any]:
    """Every score for one transcript (`view`: an existing `SessionView.of(transcript)`, so nothing is replayed
    twice).

    Returns `{"id", "syllabus_point", "outcome", "entries", "turns": [...], "session": [...], "judge": {...}|None}`;
    `judge` holds `{"session": [...], "turns": [...]?}` when `judge_model` is given (an LLM is configured).
    """
    view = view if view is not None else SessionView.of(transcript)
    point = view.point
    turn_judge = judge_model if judge_turns else None
    ladder = ladder if ladder is not None or judge_model is None else MethodLadder()
    scored: dict[str, Any] = {
        "id": transcript.id, "syllabus_point": transcript.syllabus_point, "outcome": transcript.outcome,
        "entries": len(transcript.entries),
        "turns": score_turns(transcript, point, chat_model=turn_judge, ladder=ladder, view=view),
        "session": score_session(transcript, point=point, view=view),
        "judge": None,
    }
    if judge_model is not None:
        from evals.judge import judge_session

        scored["judge"] = {"session": judge_session(transcript, point, chat_model=judge_model, ladder=ladder)}
    return scored


def _summarise(all_values: list[Any]) -> dict[str, Any]:
    values = [v for v in all_values if v is not None]
    coverage = {"total": len(all_values), "unscored": len(all_values) - len(values)}
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if numbers and len(numbers) == len(values):
        return {"kind": "number", "n": len(numbers), "mean": round(sum(numbers) / len(numbers), 4),
                "min": min(numbers), "max": max(numbers)} | coverage
    counts = Counter(str(v) for v in values)
    return {"kind": "label", "n": len(values), "counts": dict(sorted(counts.items())),
            "shares": {k: round(c / len(values), 4) for k, c in sorted(counts.items())}} | coverage


def aggregate(scored: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """`{"transcripts": n, "session": {key: summary}, "turns": {key: summary}, "judge_session": {...}}`."""
    session: dict[str, list[Any]] = defaultdict(list)
    turns: dict[str, list[Any]] = defaultdict(list)
    judged: dict[str, list[Any]] = defaultdict(list)
    count = 0
    for item in scored:
        count += 1
        for result in item["session"]:
            session[result["key"]].append(result["value"])
        for turn in item["turns"]:
            for result in turn["scores"]:
                turns[result["key"]].append(result["value"])
        for result in (item.get("judge") or {}).get("session", []):
            judged[result["key"]].append(result["value"])
    return {
        "transcripts": count,
        "session": {k: _summarise(v) for k, v in session.items()},
        "turns": {k: _summarise(v) for k, v in turns.items()},
        "judge_session": {k: _summarise(v) for k, v in judged.items()},
    }
