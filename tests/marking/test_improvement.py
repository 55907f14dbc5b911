"""The improvement-plan builder: weaknesses keyed AO1/AO2/AO3 quoting the student, and their action items."""

from __future__ import annotations

from datetime import date

from agents.improvement import MarkedAnswer, PlanResources, build_improvement_plan, severity_for

TODAY = date(2025, 1, 15)
RESOURCES = PlanResources(point_titles={"9708.3.3": "Externalities"},
                          practice_refs={"9708.3.3": ["9708-Q3-04", "9708-Q3-05"]})


def _answer(ao_marks: dict[str, int], missing: list[dict] | None = None) -> MarkedAnswer:
    return MarkedAnswer(
        question_ref="9708-Q3-04", syllabus_points=["9708.3.3"],
        answer="Pollution is bad for people near the factory. A tax will make the firm stop polluting.",
        ao_max={"AO1": 3, "AO2": 5, "AO3": 4}, ao_marks=ao_marks,
        missing=missing or [{"ao": "AO3", "description": "A supported conclusion",
                             "cues": [["conclu", "overall"]]},
                            {"ao": "AO2", "description": "Tax internalises the externality",
                             "cues": [["tax"], ["stop", "internali"]]}],
    )


def test_weak_aos_become_weaknesses_with_quotes_and_actions() -> None:
    weaknesses, actions = build_improvement_plan([_answer({"AO1": 3, "AO2": 1, "AO3": 0})], RESOURCES, today=TODAY)
    assert set(weaknesses) == {"AO1", "AO2", "AO3"}
    assert weaknesses["AO1"] == []  # full AO1 marks: nothing to fix
    ao3 = weaknesses["AO3"][0]
    assert ao3["severity"] == "high" and ao3["syllabus_points"] == ["9708.3.3"]
    assert "A supported conclusion" in ao3["examples"][0]
    ao2 = weaknesses["AO2"][0]
    # the example quotes the student's own sentence about the tax
    assert '"A tax will make the firm stop polluting."' in ao2["examples"][0]
    assert [a["id"] for a in actions] == ["action-1", "action-2"]
    assert actions[0]["target_weakness"].startswith("AO2")
    assert actions[1]["due_date"] == "2025-01-18"  # high severity: 3 days
    assert any(r.startswith("Coach Agent: 9708.3.3") for r in actions[0]["resources"])
    # practice points at other questions on the point, not the one just attempted
    assert "Practice: question 9708-Q3-05" in actions[0]["resources"]
    assert all("9708-Q3-04" not in r for r in actions[0]["resources"])


def test_full_marks_give_an_empty_plan() -> None:
    weaknesses, actions = build_improvement_plan([_answer({"AO1": 3, "AO2": 5, "AO3": 4}, missing=[])],
                                                 RESOURCES, today=TODAY)
    assert weaknesses == {"AO1": [], "AO2": [], "AO3": []} and actions == []


def test_severity_thresholds() -> None:
    assert [severity_for(x) for x in (0.25, 0.3, 0.59, 0.6, 1.0)] == ["low", "medium", "medium", "high", "high"]


def test_an_empty_answer_is_quoted_as_such() -> None:
    blank = MarkedAnswer(question_ref="9708-Q3-01", syllabus_points=["9708.3.1"], answer="  ",
                         ao_max={"AO1": 3, "AO2": 0, "AO3": 0}, ao_marks={"AO1": 0, "AO2": 0, "AO3": 0})
    weaknesses, _ = build_improvement_plan([blank], PlanResources(), today=TODAY)
    assert "(no answer written)" in weaknesses["AO1"][0]["examples"][0]
    assert weaknesses["AO2"] == [] and weaknesses["AO3"] == []  # AOs the question does not assess
