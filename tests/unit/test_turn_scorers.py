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
from evals.scorers.turn_llm import judge_dimension, score_turn_llm

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
    assert (result["key"], result["value"], result["reason"]) == (
        "Revealing_of_the_Answer", "Yes (and the answer is correct)", "It says 12.")


def test_llm_judge_per_dimension_makes_one_call_each():
    judge = ScriptedJudge(replies=[{"label": "Yes", "reason": "ok"}, {"label": "Yes", "reason": "ok"},
                                   {"label": "No", "reason": "ok"}, {"label": "Yes", "reason": "ok"},
                                   {"label": "Yes", "reason": "ok"}, {"label": "Yes", "reason": "ok"},
                                   {"label": "Neutral", "reason": "ok"}, {"label": "Yes", "reason": "ok"}])
    results = score_turn_llm(HISTORY, "How many apples are in 3 bags of 4?", chat_model=judge, calls="per_dimension")
    assert judge.calls == 8
    assert [r["key"] for r in results] == list(DIMENSIONS)
    assert labels_of(results)["Tutor_Tone"] == "Neutral"


def test_llm_judge_per_response_gets_all_eight_labels_in_one_call():
    reply = {key: labels[-1] for key, labels in DIMENSIONS.items()} | {"reason": "one line"}
    judge = ScriptedJudge(replies=[reply])
    results = score_turn_llm(HISTORY, "How many apples are in 3 bags of 4?", chat_model=judge)
    assert judge.calls == 1
    assert labels_of(results) == {key: labels[-1] for key, labels in DIMENSIONS.items()}


def test_a_label_outside_the_dimension_is_unscored_with_the_reason_never_invented():
    judge = ScriptedJudge(replies=[{"label": "Maybe", "reason": "unsure"}])
    result = judge_dimension(judge, "Providing_Guidance", HISTORY, "Try again.")
    assert result["value"] is None and result["unscored"]
    assert "unscored after 3 attempt(s)" in result["reason"] and "Maybe" not in DIMENSIONS["Providing_Guidance"]
    assert judge.calls == 3  # bounded retries, then the item is recorded and the caller goes on


def test_a_plain_reply_is_read_tolerantly():
    judge = ScriptedJudge(replies=["I would say To some extent, because the hint is vague."])
    assert judge_dimension(judge, "Coherence", HISTORY, "Try again.")["value"] == "To some extent"
    judge = ScriptedJudge(replies=['Sure! {"Coherence": "No", "reason": "ignores the student"} hope this helps'])
    result = judge_dimension(judge, "Coherence", HISTORY, "Try again.")
    assert (result["value"], result["reason"]) == ("No", "ignores the student")
    cut = '{"Mistake_Identification": "Yes", "Mistake_Location": "To some extent", "Revealing_of_the_Answer": "No", "rea'
    judge = ScriptedJudge(replies=[cut])
    labels = labels_of(score_turn_llm(HISTORY, "Check 3 x 4 again?", chat_model=judge))
    assert labels["Mistake_Location"] == "To some extent" and labels["Coherence"] is None  # truncated: partial


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
