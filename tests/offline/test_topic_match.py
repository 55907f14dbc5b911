"""Matching a student's free-text topic to a syllabus point code."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.topic_match import resolve_syllabus_point
from curriculum.loader import get_curriculum

ALL_POINTS = {code: p.model_dump() for code, p in get_curriculum().points.items()}


@pytest.fixture
def points() -> dict[str, dict]:
    return ALL_POINTS


@pytest.mark.parametrize(("topic", "struggle", "code"), [
    ("I don't get elasticity", None, "9708.2.2"),
    ("price elasticity of demand", "how to calculate it", "9708.2.2"),
    ("elasticity of supply", None, "9708.2.4"),
    ("income elasticity", None, "9708.2.3"),
    ("opportunity cost", None, "9708.1.1"),
    ("public goods and free riders", None, "9708.3.1"),
    ("market failure", None, "9708.3.1"),
    ("inflation", "what a price index is", "9708.4.5"),
    ("how do interest rates control inflation", None, "9708.5.2"),
    ("FISCAL POLICY!!", None, "9708.5.1"),
    ("balance of payments", None, "9708.6.3"),
    ("comparative advantage", None, "9708.6.1"),
    ("the Phillips curve", None, "9708.10.1"),
    ("can we do 9708.5.3", None, "9708.5.3"),
])
def test_phrasings_resolve_to_the_right_point(points, topic, struggle, code):
    assert resolve_syllabus_point(topic, struggle, points) == code


@pytest.mark.parametrize(("topic", "struggle"), [
    ("photosynthesis", None),
    ("the French revolution", "I can't remember the dates"),
    ("help", None),
    ("economics", "I don't get any of it"),
    ("", None),
])
def test_topics_outside_the_curriculum_or_too_vague_give_none(points, topic, struggle):
    assert resolve_syllabus_point(topic, struggle, points) is None


def test_an_unknown_explicit_code_is_not_trusted(points):
    assert resolve_syllabus_point("9708.99.9", None, points) is None


def test_works_on_db_content_without_titles(points):
    untitled = {code: {k: v for k, v in p.items() if k != "title"} for code, p in points.items()}
    assert resolve_syllabus_point("price elasticity of demand", None, untitled) == "9708.2.2"


@given(st.text(max_size=80), st.none() | st.text(max_size=80))
def test_any_text_gives_a_known_code_or_none(topic, struggle):
    assert resolve_syllabus_point(topic, struggle, ALL_POINTS) in {None, *ALL_POINTS}
