"""Per-turn scorers on clear examples: deterministic labels and the LLM judge's parsing/errors."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from evals.scorers.turn_deterministic import score_turn
from evals.scorers.turn_features import DIMENSIONS, extract_features, parse_history
from evals.scorers.turn_llm import LLMJudgeError, judge_dimension, score_turn_llm

HISTORY = (
    "Tutor: Sam has 3 bags with 4 apples in each bag. How many apples does Sam have?\n"
    "Student: 3 + 4 = 7, so Sam has 7 apples."
)
SOLUTION = {"ground_truth_solution": "Sam has 3 bags of 4 apples: 3 x 4 = 12.\n 12"}


def labels_of(results: list[dict]) -> dict[str, str]:
    return {r["key"]: r["value"] for r in results}


def test_stating_the_final_answer_reveals_it():
    labels = labels_of(score_turn(HISTORY, "Not quite: 3 x 4 = 12, so Sam has 12 apples.", context=SOLUTION))
    assert labels["Revealing_of_the_Answer"] == "Yes (and the answer is correct)"


def test_asking_about_the_answer_does_not_reveal_it():
    labels = labels_of(score_turn(HISTORY, "You added the bags and apples. If each of the 3 bags has 4 apples, "
                                           "how many apples are there altogether?", context=SOLUTION))
    assert labels["Revealing_of_the_Answer"] == "No"


def test_a_guiding_question_provides_guidance():
    response = ("Not quite. You added 3 and 4, but Sam has 3 bags with 4 apples in each bag. "
                "Can you try counting 4 apples three times and tell me what you get?")
    labels = labels_of(score_turn(HISTORY, response, context=SOLUTION))
    assert labels["Providing_Guidance"] == "Yes"
    assert labels["Revealing_of_the_Answer"] == "No"
    assert labels["Mistake_Identification"] == "Yes"


def test_empty_praise_gives_no_guidance():
    labels = labels_of(score_turn(HISTORY, "Great job! Keep up the good work!", context=SOLUTION))
    assert labels["Providing_Guidance"] == "No"
    assert labels["Mistake_Identification"] == "No"
    assert labels["Tutor_Tone"] == "Encouraging"


def test_rude_text_is_offensive():
    labels = labels_of(score_turn(HISTORY, "That is a stupid answer, even a child could do this. Are you lazy?"))
    assert labels["Tutor_Tone"] == "Offensive"


def test_results_carry_reasons_and_message_list_history_works():
    history = [{"role": "assistant", "content": "What is 3 x 4?"}, {"role": "user", "content": "7"}]
    results = score_turn(history, "What does 3 x 4 mean in words?")
    assert [r["key"] for r in results] == list(DIMENSIONS)
    assert all(r["reason"] for r in results)


def test_history_string_is_split_into_turns():
    turns = parse_history("Tutor: Hi\n Student: 2+2=5\n Tutor: Check again?")
    assert [t["role"] for t in turns] == ["tutor", "student", "tutor"]
    assert turns[1]["content"] == "2+2=5"


def test_answer_phrases_context_marks_the_answer():
    features = extract_features("Student: I think price falls", "No: demand rises so price rises.",
                                {"answer_phrases": ["price rises"]})
    assert features["answer_hit"] == 1.0


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=200), st.text(max_size=300))
def test_any_text_gets_a_valid_label_on_every_dimension(history, response):
    for item in score_turn(history, response):
        assert item["value"] in DIMENSIONS[item["key"]]


class ScriptedJudge(BaseChatModel):
    """Replies with scripted tool-call arguments (or plain text) in order, like a function-calling LLM."""

    replies: list[Any]
    calls: int = 0
    tool_name: str = ""

    @property
    def _llm_type(self) -> str:
        return "scripted-judge"

    def bind_tools(self, tools, **kwargs):
        self.tool_name = tools[0].__name__
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        reply = self.replies[self.calls % len(self.replies)]
        self.calls += 1
        if isinstance(reply, str):
            message = AIMessage(content=reply)
        else:
            message = AIMessage(content="", tool_calls=[{"name": self.tool_name, "args": reply, "id": "c1"}])
        return ChatResult(generations=[ChatGeneration(message=message)])


def test_llm_judge_returns_the_structured_label_and_reason():
    judge = ScriptedJudge(replies=[{"label": "Yes (and the answer is correct)", "reason": "It says 12."}])
    result = judge_dimension(judge, "Revealing_of_the_Answer", HISTORY, "It is 12.", context=SOLUTION)
    assert result == {"key": "Revealing_of_the_Answer", "value": "Yes (and the answer is correct)",
                      "reason": "It says 12."}


def test_llm_judge_scores_all_eight_dimensions_with_one_call_each():
    judge = ScriptedJudge(replies=[{"label": "Yes", "reason": "ok"}, {"label": "Yes", "reason": "ok"},
                                   {"label": "No", "reason": "ok"}, {"label": "Yes", "reason": "ok"},
                                   {"label": "Yes", "reason": "ok"}, {"label": "Yes", "reason": "ok"},
                                   {"label": "Neutral", "reason": "ok"}, {"label": "Yes", "reason": "ok"}])
    results = score_turn_llm(HISTORY, "How many apples are in 3 bags of 4?", chat_model=judge)
    assert judge.calls == 8
    assert [r["key"] for r in results] == list(DIMENSIONS)
    assert labels_of(results)["Tutor_Tone"] == "Neutral"


def test_llm_judge_rejects_a_label_outside_the_dimension():
    judge = ScriptedJudge(replies=[{"label": "Maybe", "reason": "unsure"}])
    with pytest.raises(LLMJudgeError, match="Providing_Guidance"):
        judge_dimension(judge, "Providing_Guidance", HISTORY, "Try again.")


def test_llm_judge_without_structured_output_is_an_error():
    judge = ScriptedJudge(replies=["I think the answer is Yes."])
    with pytest.raises(LLMJudgeError, match="Coherence"):
        judge_dimension(judge, "Coherence", HISTORY, "Try again.")


def test_llm_judge_needs_a_model():
    with pytest.raises(ValueError, match="chat_model"):
        score_turn_llm(HISTORY, "Try again.", chat_model=None)


def test_coach_stating_an_answer_phrase_reveals_it() -> None:
    from evals.scorers.turn_deterministic import score_turn

    ctx = {"answer_phrases": ["percentage change in quantity demanded divided by"]}
    history = [{"role": "student", "content": "I don't get how to calculate it"}]
    leak = "It is the percentage change in quantity demanded divided by the percentage change in price."
    ask = "What two changes would you compare to measure how strongly buyers react?"
    by_key = lambda rows: {r["key"]: r["value"] for r in rows}  # noqa: E731
    assert by_key(score_turn(history, leak, context=ctx))["Revealing_of_the_Answer"].startswith("Yes")
    assert by_key(score_turn(history, ask, context=ctx))["Revealing_of_the_Answer"] == "No"
