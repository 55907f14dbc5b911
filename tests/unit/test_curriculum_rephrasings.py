"""Every ladder step carries at least two rephrasings, and a rephrasing that repeats the step or gives the
answer away is rejected with a message naming the file, the point and the field."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from curriculum import Curriculum, load_curriculum
from curriculum.matching import normalise
from evals.leakage import scaffolding_texts
from tests.unit.test_curriculum_data import POINT, load_error

ENTRY = "curriculum/9708/points/demand.yaml: point 9708.2.1"


def with_rephrasings(index: int, *texts: str) -> dict:
    point = copy.deepcopy(POINT)
    point["ladder"][index]["rephrasings"] = list(texts)
    return point


def test_every_shipped_step_has_two_distinct_rephrasings() -> None:
    shipped: Curriculum = load_curriculum()
    steps = [(point.code, step) for point in shipped.points.values() for step in point.ladder]
    assert len(steps) >= 150
    for code, step in steps:
        texts = {normalise(text) for text in step.rephrasings}
        assert len(step.rephrasings) >= 2 and len(texts) == len(step.rephrasings), code
        assert normalise(step.question) not in texts and normalise(step.hint) not in texts, code
        assert all(text.endswith("?") for text in step.rephrasings), code


def test_shipped_rephrasings_count_as_vetted_scaffolding() -> None:
    point = load_curriculum().point("9708.1.1")
    scaffolding = scaffolding_texts("9708.1.1")
    for text in point.ladder[2].rephrasings:
        assert f" {normalise(text)} " in scaffolding


def test_missing_rephrasings(tmp_path: Path) -> None:
    point = copy.deepcopy(POINT)
    del point["ladder"][2]["rephrasings"]
    assert f"{ENTRY}: ladder[2].rephrasings: Field required" in load_error(tmp_path, points=[point])


def test_a_single_rephrasing_is_not_enough(tmp_path: Path) -> None:
    message = load_error(tmp_path, points=[with_rephrasings(0, "what else?")])
    assert f"{ENTRY}: ladder[0].rephrasings: List should have at least 2 items" in message


def test_rephrasing_with_an_answer_phrase(tmp_path: Path) -> None:
    point = with_rephrasings(1, "why do buyers drop out?", "Is a buyer Willing and able, whatever the price?")
    message = load_error(tmp_path, points=[point])
    assert (f"{ENTRY}: ladder[1].rephrasings[1]: gives the answer away: contains answer phrase "
            "'willing and able'") in message


def test_rephrasing_that_repeats_the_question_or_the_hint(tmp_path: Path) -> None:
    point = with_rephrasings(0, "Question 1?", "think")
    message = load_error(tmp_path, points=[point])
    assert f"{ENTRY}: ladder[0].rephrasings[0]: repeats the question" in message
    assert f"{ENTRY}: ladder[0].rephrasings[1]: repeats the hint" in message


def test_rephrasings_that_repeat_each_other(tmp_path: Path) -> None:
    message = load_error(tmp_path, points=[with_rephrasings(3, "what now?", "What now?")])
    assert f"{ENTRY}: ladder[3].rephrasings[1]: repeats rephrasings[0]" in message


def test_rephrasing_that_is_not_a_question(tmp_path: Path) -> None:
    message = load_error(tmp_path, points=[with_rephrasings(0, "what now?", "Think about the price.")])
    assert f"{ENTRY}: ladder[0].rephrasings[1]: must be a question ending in '?'" in message


def test_rephrasing_that_copies_seven_words_of_a_key_idea(tmp_path: Path) -> None:
    point = with_rephrasings(0, "what now?", "Do people buy less of a good when its price rises, you think?")
    point["expectations"][0]["idea"] = "People buy less of a good when its price rises"
    message = load_error(tmp_path, points=[point])
    assert (f"{ENTRY}: ladder[0].rephrasings[1]: gives the answer away: copies seven consecutive words "
            "of expectations[0].idea") in message


def test_rephrasing_that_defines_a_key_term(tmp_path: Path) -> None:
    point = with_rephrasings(2, "what now?", "So supply is what sellers are willing to sell, right?")
    point["answer_phrases"] = ["downward sloping", "market clears"]
    message = load_error(tmp_path, points=[point])
    assert f"{ENTRY}: ladder[2].rephrasings[1]: gives the answer away: defines key term 'supply'" in message


@pytest.mark.parametrize("field", ["question", "hint"])
def test_question_and_hint_are_still_checked_for_answer_phrases(tmp_path: Path, field: str) -> None:
    point = copy.deepcopy(POINT)
    point["ladder"][0][field] = "Is it downward sloping?"
    assert f"{ENTRY}: ladder[0].{field}: gives the answer away" in load_error(tmp_path, points=[point])
