"""The offline Planner role: template prose over a plan request, labelled offline, never inventing topics."""

from __future__ import annotations

from datetime import date, timedelta

from agents.offline import OfflineChatModel
from agents.planner_prompt import PlanRationale, build_planner_messages, plan_request_payload
from tools.schedule import build_schedule

EFS = {"9708.1.1": 2.5, "9708.2.2": 1.52, "9708.2.3": 2.36, "9708.4.1": 1.8, "9708.3.1": 2.5}
TITLES = {"9708.2.2": "Price elasticity of demand", "9708.4.1": "National income statistics"}


def _payload() -> dict:
    start = date(2026, 5, 4)
    schedule = build_schedule(EFS, start, start + timedelta(days=30), 2)
    return plan_request_payload(subject_code="9708", exam_date="2026-06-03", hours_per_day=2, schedule=schedule,
                                easiness_factors=EFS, titles=TITLES)


def test_payload_lists_the_weakest_topics_first_with_their_session_counts() -> None:
    payload = _payload()
    assert [w["code"] for w in payload["weakest_topics"]] == ["9708.2.2", "9708.4.1", "9708.2.3"]
    assert payload["weakest_topics"][0]["title"] == "Price elasticity of demand"
    assert payload["weakest_topics"][0]["sessions"] >= payload["weakest_topics"][2]["sessions"] >= 1
    assert payload["topics"] == 5 and payload["final_days"]


def test_offline_planner_explains_the_plan_and_says_it_is_offline() -> None:
    model = OfflineChatModel()
    out = model.with_structured_output(PlanRationale, include_raw=True).invoke(build_planner_messages(_payload()))
    note: PlanRationale = out["parsed"]
    assert out["raw"].response_metadata["offline"] is True
    assert note.rationale.startswith("(Offline planner")
    assert "Price elasticity of demand (9708.2.2)" in note.rationale and "2026-06-03" in note.rationale
    assert [s.syllabus_point for s in note.activity_suggestions] == ["9708.2.2", "9708.4.1", "9708.2.3"]
    assert len({s.suggestion for s in note.activity_suggestions}) == 3  # not one sentence repeated
    again = model.with_structured_output(PlanRationale).invoke(build_planner_messages(_payload()))
    assert again == note  # deterministic


def test_offline_planner_without_a_request_says_so() -> None:
    from langchain_core.messages import HumanMessage, SystemMessage

    reply = OfflineChatModel().invoke([SystemMessage("[role: planner]"), HumanMessage("plan my week please")])
    assert "could not find a plan request" in reply.content
