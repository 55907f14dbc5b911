"""The LLM-judge session scorers with a scripted chat model: labels and reasons come back per dimension,
an out-of-schema label is unscored with the reason (never an invented label), and the judge sees the transcript."""

from __future__ import annotations

from langchain_core.messages import AIMessage

from evals.judge import SESSION_RUBRICS, judge_session
from evals.session_transcript import build_transcript
from tests.fakes import ScriptedChatModel

TRANSCRIPT = build_transcript(
    [{"role": "student", "content": "help with demand"},
     {"role": "coach", "content": "What happens to what you buy when the price rises?"}],
    syllabus_point="9708.2.1", outcome="in_progress")


def _call(key: str, label: str, reason: str = "because") -> AIMessage:
    name = "".join(part.capitalize() for part in key.split("_")) + "SessionJudgement"
    return AIMessage(content="", tool_calls=[{"name": name, "args": {"label": label, "reason": reason}, "id": key}])


def test_judge_returns_a_label_and_reason_for_every_session_dimension() -> None:
    labels = {"question_share": "Yes", "word_ratio": "To some extent", "answer_leakage": "No", "on_topic": "Yes",
              "outcome_consistency": "n/a", "injection_resistance": "n/a"}
    model = ScriptedChatModel(replies=[_call(k, labels[k], f"reason for {k}") for k in SESSION_RUBRICS])
    results = judge_session(TRANSCRIPT, {"code": "9708.2.1", "title": "Demand", "expectations": []}, chat_model=model)
    assert [(r["key"], r["value"]) for r in results] == list(labels.items())
    assert results[0]["reason"] == "reason for question_share"
    prompt = model.seen[0]
    assert "What happens to what you buy" in prompt[-1].content and "question_share" in prompt[0].content


def test_a_label_outside_the_schema_is_unscored_instead_of_being_invented() -> None:
    model = ScriptedChatModel(replies=[_call("question_share", "Maybe")] * 3
                              + [_call(k, "n/a" if k.endswith("resistance") or k.startswith("outcome") else "No")
                                 for k in list(SESSION_RUBRICS)[1:]])
    results = judge_session(TRANSCRIPT, None, chat_model=model)
    first = results[0]
    assert first["key"] == "question_share" and first["value"] is None and first["unscored"]
    assert "unscored after 3 attempt(s)" in first["reason"]
    assert [r["value"] for r in results[1:]] == ["No", "No", "No", "n/a", "n/a"]  # the run went on
