"""The bundled curriculum validates, meets its size targets, and bad data is rejected with a precise message."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import pytest
import yaml

from curriculum import Curriculum, CurriculumError, get_curriculum, load_curriculum
from curriculum.matching import cue_hits

# ---------------------------------------------------------------------------------------------- shipped data


@pytest.fixture(scope="module")
def shipped() -> Curriculum:
    return load_curriculum()


def test_shipped_curriculum_validates(shipped: Curriculum) -> None:
    assert set(shipped.subjects) == {"9708"}
    assert shipped.subjects["9708"].name == "Economics"


def test_minimum_counts(shipped: Curriculum) -> None:
    assert len(shipped.points) >= 30
    assert len(shipped.questions) >= 40
    kinds = Counter(q.kind for q in shipped.questions.values())
    assert all(kinds[kind] >= 4 for kind in ("define", "explain", "evaluate")), kinds


def test_every_question_has_weak_middling_strong_answers(shipped: Curriculum) -> None:
    for question in shipped.questions.values():
        levels = {answer.level for answer in question.reference_answers}
        assert levels >= {"weak", "middling", "strong"}, question.ref


def test_all_eleven_sections_covered(shipped: Curriculum) -> None:
    assert {point.section for point in shipped.points.values()} == set(range(1, 12))


def test_helpers_find_points_and_questions(shipped: Curriculum) -> None:
    assert shipped.point("9708.2.1").title == "Demand and supply curves"
    assert shipped.point("9708.2.2").title == "Price elasticity of demand"
    refs = [q.ref for q in shipped.questions_for("9708.2.2")]
    assert "9708-Q2-01" in refs and refs == sorted(refs)
    assert all("9708.2.2" in shipped.question(ref).syllabus_points for ref in refs)
    with pytest.raises(KeyError, match="9708.99.1"):
        shipped.point("9708.99.1")


def test_get_curriculum_is_cached() -> None:
    assert get_curriculum() is get_curriculum()


def test_strong_reference_answers_hit_more_rubric_points_than_weak_ones(shipped: Curriculum) -> None:
    """The offline marker scores by cue coverage; our own reference answers must order the same way."""
    def coverage(question, level: str) -> int:
        answer = next(a for a in question.reference_answers if a.level == level)
        return sum(p.marks for p in question.mark_scheme.points if cue_hits(answer.answer, p.cues))

    for question in shipped.questions.values():
        assert coverage(question, "strong") > coverage(question, "weak"), question.ref


@pytest.mark.parametrize(
    ("code", "expectation", "student_text"),
    [
        ("9708.2.2", "e1", "it's how much the quantity demanded changes when the price changes"),
        ("9708.2.2", "e2", "percentage change in quantity over percentage change in price"),
        ("9708.2.2", "e3", "PED of -0.3 is inelastic because it's less than one"),
        ("9708.2.2", "e4", "if demand is elastic, cutting the price increases total revenue"),
        ("9708.2.2", "e5", "if there are lots of substitutes demand is more elastic"),
        ("9708.1.1", "e1", "we want infinite things but resources are finite"),
        ("9708.1.1", "e3", "opportunity cost is the next best alternative given up"),
        ("9708.2.5", "e2", "there would be a shortage so the price would rise"),
        ("9708.7.3", "e2", "firms maximise profit where MC=MR"),
    ],
)
def test_natural_correct_phrasings_reach_expectations(shipped, code, expectation, student_text) -> None:
    assert cue_hits(student_text, shipped.point(code).expectation(expectation).cues)


@pytest.mark.parametrize(
    ("code", "expectation", "student_text"),
    [
        ("9708.2.2", "e2", "change in demand divided by change in price"),
        ("9708.2.2", "e4", "price falls"),
        ("9708.1.1", "e3", "the cost of something"),
        ("9708.2.5", "e2", "demand exceeds supply"),
        ("9708.7.2", "e3", "bigger firms"),
    ],
)
def test_incomplete_phrasings_do_not_reach_expectations(shipped, code, expectation, student_text) -> None:
    assert not cue_hits(student_text, shipped.point(code).expectation(expectation).cues)


# ---------------------------------------------------------------------------------------------- bad data

POINT = {
    "code": "9708.2.1",
    "title": "Demand",
    "section": 2,
    "level": "AS",
    "key_terms": [{"term": "demand", "definition": "willing and able to buy"},
                  {"term": "supply", "definition": "willing and able to sell"}],
    "expectations": [{"id": f"e{i}", "idea": f"idea {i}", "cues": [["alpha"], ["beta"]]} for i in (1, 2, 3)],
    "misconceptions": [{"id": f"m{i}", "statement": "wrong", "cues": [["gamma"]], "correction": "right",
                        "probe": "what if?"} for i in (1, 2, 3)],
    "ladder": [{"question": f"question {i}?", "targets": [f"e{min(i, 3)}"], "hint": "think",
                "rephrasings": [f"another way to ask {i}?", f"a smaller question {i}?"]} for i in (1, 2, 3, 4)],
    "context": "a market",
    "answer_phrases": ["willing and able", "downward sloping"],
}

QUESTION = {
    "ref": "9708-Q2-01",
    "syllabus_points": ["9708.2.1"],
    "kind": "explain",
    "text": "Explain demand.",
    "max_marks": 6,
    "mark_scheme": {
        "ao_marks": {"AO1": 2, "AO2": 4, "AO3": 0},
        "points": [
            {"id": "p1", "ao": "AO1", "marks": 2, "description": "definition", "cues": [["demand"]]},
            {"id": "p2", "ao": "AO2", "marks": 4, "description": "analysis", "cues": [["price"]]},
        ],
        "levels": [{"ao": "AO2", "level": 1, "marks": [1, 2], "descriptor": "weak"},
                   {"ao": "AO2", "level": 2, "marks": [3, 4], "descriptor": "good"}],
    },
    "reference_answers": [
        {"level": level, "answer": "text", "marks": {"AO1": a1, "AO2": a2, "AO3": 0}, "justification": "why"}
        for level, a1, a2 in (("weak", 0, 1), ("middling", 1, 2), ("strong", 2, 4))
    ],
}


def write_curriculum(tmp_path: Path, points: list | None = None, questions: list | None = None) -> Path:
    root = tmp_path / "curriculum"
    subject = root / "9708"
    (subject / "points").mkdir(parents=True)
    (subject / "questions").mkdir()
    (subject / "subject.yaml").write_text(yaml.safe_dump({"code": "9708", "name": "Economics", "level": "AS"}))
    (subject / "points" / "demand.yaml").write_text(yaml.safe_dump(points if points is not None else [POINT]))
    (subject / "questions" / "demand.yaml").write_text(
        yaml.safe_dump(questions if questions is not None else [QUESTION]))
    return root


def load_error(tmp_path: Path, **files) -> str:
    with pytest.raises(CurriculumError) as caught:
        load_curriculum(write_curriculum(tmp_path, **files))
    return str(caught.value)


def test_minimal_valid_files_load(tmp_path: Path) -> None:
    loaded = load_curriculum(write_curriculum(tmp_path))
    assert list(loaded.points) == ["9708.2.1"]
    assert [q.ref for q in loaded.questions_for("9708.2.1")] == ["9708-Q2-01"]


def test_ao_marks_not_summing_to_max_marks(tmp_path: Path) -> None:
    question = copy.deepcopy(QUESTION)
    question["mark_scheme"]["ao_marks"]["AO2"] = 3
    message = load_error(tmp_path, questions=[question])
    assert ("curriculum/9708/questions/demand.yaml: question 9708-Q2-01: mark_scheme.ao_marks: "
            "AO marks sum to 5 but max_marks is 6") in message


def test_unknown_syllabus_code(tmp_path: Path) -> None:
    question = copy.deepcopy(QUESTION)
    question["syllabus_points"] = ["9708.2.1", "9708.9.9"]
    message = load_error(tmp_path, questions=[question])
    assert "questions/demand.yaml: question 9708-Q2-01: syllabus_points: unknown syllabus code 9708.9.9" in message


def test_missing_ladder(tmp_path: Path) -> None:
    point = {key: value for key, value in POINT.items() if key != "ladder"}
    message = load_error(tmp_path, points=[point])
    assert "curriculum/9708/points/demand.yaml: point 9708.2.1: ladder: Field required" in message


def test_too_short_ladder(tmp_path: Path) -> None:
    point = copy.deepcopy(POINT)
    point["ladder"] = point["ladder"][:3]
    message = load_error(tmp_path, points=[point])
    assert "points/demand.yaml: point 9708.2.1: ladder: needs at least 4 entries, found 3" in message


def test_too_few_misconceptions(tmp_path: Path) -> None:
    point = copy.deepcopy(POINT)
    point["misconceptions"] = point["misconceptions"][:2]
    message = load_error(tmp_path, points=[point])
    assert "points/demand.yaml: point 9708.2.1: misconceptions: needs at least 3 entries, found 2" in message


def test_reference_mark_over_ao_maximum(tmp_path: Path) -> None:
    question = copy.deepcopy(QUESTION)
    question["reference_answers"][2]["marks"]["AO2"] = 5
    message = load_error(tmp_path, questions=[question])
    assert ("questions/demand.yaml: question 9708-Q2-01: reference_answers[2].marks.AO2: "
            "5 marks is over the AO2 maximum of 4") in message


def test_ladder_target_to_unknown_expectation(tmp_path: Path) -> None:
    point = copy.deepcopy(POINT)
    point["ladder"][1]["targets"] = ["e9"]
    message = load_error(tmp_path, points=[point])
    assert "points/demand.yaml: point 9708.2.1: ladder[1].targets: unknown expectation id(s) ['e9']" in message


def test_missing_reference_answer_level_and_levels(tmp_path: Path) -> None:
    question = copy.deepcopy(QUESTION)
    question["reference_answers"] = question["reference_answers"][:2]
    question["mark_scheme"]["levels"] = []
    message = load_error(tmp_path, questions=[question])
    assert "question 9708-Q2-01: reference_answers: missing level(s) ['strong']" in message
    assert "question 9708-Q2-01: mark_scheme.levels: an explain question needs level descriptors" in message


def test_kind_and_marks_must_agree(tmp_path: Path) -> None:
    question = copy.deepcopy(QUESTION)
    question["kind"] = "define"
    message = load_error(tmp_path, questions=[question])
    assert "question 9708-Q2-01: max_marks: a define question carries 2-4 marks, not 6" in message


def test_not_enough_creditable_points_for_an_ao(tmp_path: Path) -> None:
    question = copy.deepcopy(QUESTION)
    question["mark_scheme"]["points"][1]["marks"] = 3
    message = load_error(tmp_path, questions=[question])
    assert "mark_scheme.points: creditable AO2 points add up to 3, fewer than the 4 AO2 marks" in message


def test_ladder_that_gives_the_answer_away(tmp_path: Path) -> None:
    point = copy.deepcopy(POINT)
    point["ladder"][0]["hint"] = "Demand means being willing and able to pay."
    message = load_error(tmp_path, points=[point])
    assert "point 9708.2.1: ladder[0].hint: gives the answer away" in message


def test_duplicate_code_across_files(tmp_path: Path) -> None:
    root = write_curriculum(tmp_path)
    (root / "9708" / "points" / "other.yaml").write_text(yaml.safe_dump([POINT]))
    with pytest.raises(CurriculumError, match=r"points/other.yaml: point 9708.2.1: code: duplicate code"):
        load_curriculum(root)


def test_unknown_key_and_bad_type_name_the_field(tmp_path: Path) -> None:
    point = copy.deepcopy(POINT)
    point["expectatons"] = []
    point["section"] = "two"
    message = load_error(tmp_path, points=[point])
    assert "point 9708.2.1: expectatons: Extra inputs are not permitted" in message
    assert "point 9708.2.1: section:" in message


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    root = write_curriculum(tmp_path)
    (root / "9708" / "questions" / "broken.yaml").write_text("- ref: [unclosed\n")
    with pytest.raises(CurriculumError, match=r"questions/broken.yaml: not valid YAML"):
        load_curriculum(root)


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    point = copy.deepcopy(POINT)
    point["misconceptions"] = point["misconceptions"][:1]
    question = copy.deepcopy(QUESTION)
    question["mark_scheme"]["ao_marks"]["AO1"] = 1
    with pytest.raises(CurriculumError) as caught:
        load_curriculum(write_curriculum(tmp_path, points=[point], questions=[question]))
    assert len(caught.value.problems) >= 2
