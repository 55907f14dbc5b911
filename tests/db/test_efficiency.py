"""Coaching efficiency on real PostgreSQL: the seed's worked example and its special cases 1–5."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.db.efficiency_builders import Director, criterion
from tools.efficiency import EfficiencySettings, retrieve_efficiency_stats

NOW = datetime(2026, 1, 9, 12, 0, tzinfo=UTC)
TPL = "c76cbabf-ef55-446e-b08a-fb3a5060168b"
COACH = "32b969442598f06"
DEC = lambda d, h=10: datetime(2025, 12, d, h, 0, tzinfo=UTC)


@pytest.fixture
async def d(session) -> Director:
    director = Director(session, customer="hilton", profile="voice")
    await director.template(TPL, [
        criterion("f4533ce1"), criterion("c2"), criterion("c3"),
        criterion("manual1", auto=False), criterion("excluded1", excluded=True),
        criterion("outcome1", outcome=True),
    ])
    return director


async def stats(session, group_by, **kw):
    args = {"customer": "hilton", "profile": "voice", "start": DEC(1, 0), "end": datetime(2026, 1, 1, tzinfo=UTC),
            "usecase_ids": None, "users": None, "group_by": group_by, "now": NOW}
    args.update(kw)
    return await retrieve_efficiency_stats(session, **args)


async def seed_coach_example(d: Director) -> list[str]:
    """The seed's Phase 4: four sessions (three dates) of one coach, 10 conversations after each,
    efficiencies +0.48, −2.02, +0.31, +0.15 → −1.08 / 40 = −0.027."""
    sessions = []
    for i, (day, delta) in enumerate([(1, 0.048), (2, -0.202), (2, 0.031), (4, 0.015)]):
        agent, at = f"agent{i}", DEC(day, 9 + i)
        sessions.append(await d.session(agent=agent, coach=COACH, at=at, focus=[f"{TPL}/f4533ce1"]))
        await d.windows(agent=agent, template=TPL, criterion_id="f4533ce1", session_at=at,
                        before=[0.5] * 5, after=[0.5 + delta] * 10)
    return sessions


async def test_seed_coach_example(session, d: Director) -> None:
    await seed_coach_example(d)
    [g] = await stats(session, ["COACHING_SESSION_SUBMITTER"])
    assert g.key == {"COACHING_SESSION_SUBMITTER": COACH}
    assert g.coaching_efficiency == pytest.approx(-1.08 / 40)
    assert g.coaching_efficiency == pytest.approx(-0.027)
    assert (g.total_sessions, g.is_efficiency_score_invalid) == (4, False)
    assert (g.valid_rows, g.before_conversations, g.after_conversations) == (4, 20, 40)
    assert g.confidence_interval is not None
    assert g.confidence_interval.lower < -0.027 < g.confidence_interval.upper


async def test_hilton_empty_focus_uses_plan_targets(session, d: Director) -> None:
    at = DEC(2, 22)
    plan = await d.plan(agent="49e2249fad1a2d54", targets=[(TPL, "f4533ce1")], focus=[f"{TPL}/f4533ce1"])
    await d.session(agent="49e2249fad1a2d54", coach=COACH, at=at, focus=[], plan_id=plan)
    await d.windows(agent="49e2249fad1a2d54", template=TPL, criterion_id="f4533ce1", session_at=at,
                    before=[0.8] * 3, after=[0.6] * 10)
    [g] = await stats(session, ["CRITERION"])
    assert g.key == {"CRITERION": f"{TPL}/f4533ce1"}
    assert g.coaching_efficiency == pytest.approx(-0.2)  # the seed's Phase 3: (0.60 − 0.80) × 10 / 10
    [c] = await stats(session, ["COACHING_SESSION_SUBMITTER"])
    assert (c.total_sessions, c.is_efficiency_score_invalid) == (1, False)


async def test_null_focus_and_no_plan_is_counted_but_has_no_criterion(session, d: Director) -> None:
    await d.session(agent="a9", coach=COACH, at=DEC(3), focus=None)
    [g] = await stats(session, ["COACHING_SESSION_SUBMITTER"])
    assert (g.total_sessions, g.is_efficiency_score_invalid, g.coaching_efficiency) == (1, True, None)
    assert await stats(session, ["CRITERION"]) == []


async def test_focus_criteria_do_not_multiply_by_plan_targets(session, d: Director) -> None:
    plan = await d.plan(agent="a1", targets=[(TPL, "c2"), (TPL, "c3")])
    at = DEC(5)
    await d.session(agent="a1", coach=COACH, at=at, focus=[f"{TPL}/f4533ce1"], plan_id=plan)
    await d.windows(agent="a1", template=TPL, criterion_id="f4533ce1", session_at=at, before=[0.5], after=[0.7] * 5)
    groups = await stats(session, ["CRITERION"])
    assert [g.key["CRITERION"] for g in groups] == [f"{TPL}/f4533ce1"]
    assert groups[0].valid_rows == 1 and groups[0].after_conversations == 5


async def test_soft_deleted_and_draft_sessions_are_excluded_everywhere(session, d: Director) -> None:
    await seed_coach_example(d)
    for kind in ({"deleted": True}, {"submitted": False}):
        at = DEC(6)
        await d.session(agent="x", coach=COACH, at=at, focus=[f"{TPL}/f4533ce1"], **kind)
        await d.windows(agent="x", template=TPL, criterion_id="f4533ce1", session_at=at, before=[0.0], after=[1.0] * 9)
    for group_by in (["COACHING_SESSION_SUBMITTER"], ["COACHING_SESSION"], ["AGENT"], ["CRITERION"], []):
        groups = await stats(session, group_by)
        assert sum(g.total_sessions for g in groups) == 4, group_by
        assert all(g.key.get("AGENT") != "x" for g in groups)
    [g] = await stats(session, [])
    assert g.coaching_efficiency == pytest.approx(-0.027)


async def test_too_recent_session_is_counted_but_invalid(session, d: Director) -> None:
    await seed_coach_example(d)
    recent = NOW - timedelta(days=2)
    sid = await d.session(agent="r", coach=COACH, at=recent, focus=[f"{TPL}/f4533ce1"])
    await d.windows(agent="r", template=TPL, criterion_id="f4533ce1", session_at=recent, before=[0.1] * 5,
                    after=[0.9] * 6)
    end = NOW + timedelta(days=1)
    [g] = await stats(session, ["COACHING_SESSION_SUBMITTER"], end=end)
    assert g.total_sessions == 5
    assert g.coaching_efficiency == pytest.approx(-0.027)  # the recent session's big lift is not read
    by_session = {g.key["COACHING_SESSION"]: g for g in await stats(session, ["COACHING_SESSION"], end=end)}
    assert by_session[sid].is_efficiency_score_invalid and by_session[sid].total_sessions == 1
    # A week later the same session is old enough and counts.
    [later] = await stats(session, ["COACHING_SESSION"], end=end, users=["r"], now=NOW + timedelta(days=6))
    assert later.coaching_efficiency == pytest.approx(0.8)


async def test_multi_criteria_session_counts_once_per_session_and_once_per_criterion(session, d: Director) -> None:
    at = DEC(10)
    await d.session(agent="m", coach=COACH, at=at, focus=[f"{TPL}/f4533ce1", f"{TPL}/c2", f"{TPL}/c3"])
    for crit, (b, a, n) in {"f4533ce1": (0.5, 0.6, 5), "c2": (0.5, 0.4, 6), "c3": (0.2, 0.5, 7)}.items():
        await d.windows(agent="m", template=TPL, criterion_id=crit, session_at=at, before=[b], after=[a] * n)
    expected = (0.1 * 5 - 0.1 * 6 + 0.3 * 7) / 18
    for group_by in (["COACHING_SESSION"], ["COACHING_SESSION_SUBMITTER"], ["AGENT"]):
        [g] = await stats(session, group_by)
        assert (g.total_sessions, g.valid_rows) == (1, 3)
        assert g.coaching_efficiency == pytest.approx(expected)
        assert g.confidence_interval is None  # one session: no interval
    by_criterion = await stats(session, ["CRITERION"])
    assert [g.total_sessions for g in by_criterion] == [1, 1, 1]
    assert {g.key["CRITERION"].split("/")[1]: round(g.coaching_efficiency, 6) for g in by_criterion} == {
        "f4533ce1": 0.1, "c2": -0.1, "c3": 0.3}


async def test_criterion_excluded_from_qa_scores_is_not_evaluable(session, d: Director) -> None:
    at = DEC(10)
    await d.session(agent="e", coach=COACH, at=at, focus=[f"{TPL}/excluded1"])
    await d.session(agent="u", coach=COACH, at=at, focus=[f"{TPL}/not-in-template"])
    for agent, crit in (("e", "excluded1"), ("u", "not-in-template")):
        await d.windows(agent=agent, template=TPL, criterion_id=crit, session_at=at, before=[0.1] * 3, after=[0.9] * 9)
    groups = await stats(session, ["CRITERION"])
    assert len(groups) == 2 and all(g.is_efficiency_score_invalid and g.total_sessions == 1 for g in groups)
    [coach] = await stats(session, ["COACHING_SESSION_SUBMITTER"])
    assert (coach.total_sessions, coach.is_efficiency_score_invalid) == (2, True)


async def test_auto_and_manual_thresholds(session, d: Director) -> None:
    at = DEC(12)
    await d.session(agent="t", coach=COACH, at=at, focus=[f"{TPL}/f4533ce1", f"{TPL}/manual1"])
    await d.windows(agent="t", template=TPL, criterion_id="f4533ce1", session_at=at, before=[0.5], after=[0.9] * 4)
    await d.windows(agent="t", template=TPL, criterion_id="manual1", session_at=at, before=[0.5], after=[0.7] * 2)
    groups = {g.key["CRITERION"].split("/")[1]: g for g in await stats(session, ["CRITERION"])}
    assert groups["f4533ce1"].is_efficiency_score_invalid  # auto: 4 < 5
    assert groups["manual1"].coaching_efficiency == pytest.approx(0.2)  # manual: 2 >= 2
    lenient = EfficiencySettings(auto_min_conversations=4, manual_min_conversations=3)
    groups = {g.key["CRITERION"].split("/")[1]: g for g in await stats(session, ["CRITERION"], settings=lenient)}
    assert groups["f4533ce1"].coaching_efficiency == pytest.approx(0.4)
    assert groups["manual1"].is_efficiency_score_invalid


async def test_category_split_performance_and_outcome(session, d: Director) -> None:
    at = DEC(12)
    await d.session(agent="k", coach=COACH, at=at, focus=[f"{TPL}/f4533ce1", f"{TPL}/outcome1"])
    await d.windows(agent="k", template=TPL, criterion_id="f4533ce1", session_at=at, before=[0.5], after=[0.6] * 5)
    await d.windows(agent="k", template=TPL, criterion_id="outcome1", session_at=at, before=[0.5], after=[0.3] * 5)
    groups = await stats(session, ["CRITERION_CATEGORY"])
    assert [(g.key["CRITERION_CATEGORY"], round(g.coaching_efficiency, 6)) for g in groups] == [
        ("OUTCOME", -0.2), ("PERFORMANCE", 0.1)]
    [t] = await stats(session, ["SCORECARD_TEMPLATE"])
    assert t.key == {"SCORECARD_TEMPLATE": TPL} and t.coaching_efficiency == pytest.approx(-0.05)
