"""Coaching efficiency on real PostgreSQL: window edges, conversation counting, filters, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.db.efficiency_builders import Director, criterion
from tools.efficiency import InvalidEfficiencyQuery, retrieve_efficiency_stats
from tools.efficiency_sql import RowsRequest, fetch_criterion_rows

NOW = datetime(2026, 1, 9, 12, 0, tzinfo=UTC)
TPL = "tpl-windows"
AT = datetime(2025, 12, 10, 15, 30, tzinfo=UTC)
START, END = datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
async def d(session) -> Director:
    director = Director(session, customer="school", profile="9708")
    await director.template(TPL, [criterion("9708.2.1"), criterion("9708.2.2")])
    return director


async def rows(session, **kw):
    args = {"customer": "school", "profile": "9708", "start": START, "end": END, "usecase_ids": None, "users": None,
            "age_cutoff": NOW - timedelta(days=7)}
    args.update(kw)
    return await fetch_criterion_rows(session, RowsRequest(**args))


async def stats(session, group_by, **kw):
    args = {"customer": "school", "profile": "9708", "start": START, "end": END, "usecase_ids": None, "users": None,
            "group_by": group_by, "now": NOW}
    args.update(kw)
    return await retrieve_efficiency_stats(session, **args)


async def test_window_edges_are_half_open(session, d: Director) -> None:
    await d.session(agent="s", coach="c", at=AT, focus=[f"{TPL}/9708.2.1"])
    card = lambda at, v: d.scorecard(agent="s", template=TPL, at=at, values={"9708.2.1": v})
    await card(AT - timedelta(days=8), 0.2)                            # first instant of before: in
    await card(AT - timedelta(days=8, microseconds=1), 0.0)            # just before it: out
    await card(AT - timedelta(days=1, microseconds=1), 0.4)            # last instant of before: in
    await card(AT - timedelta(days=1), 1.0)                            # exactly −1 d: after only
    await card(AT + timedelta(days=6, microseconds=-1), 0.6)           # last instant of after: in
    await card(AT + timedelta(days=6), 0.0)                            # exactly +6 d: out
    await card(None, 0.0)                                              # never submitted: out
    [r] = await rows(session)
    assert (r.before_n, r.after_n) == (2, 2)
    assert r.before_avg == pytest.approx(0.3) and r.after_avg == pytest.approx(0.8)


async def test_conversations_are_counted_once_and_na_scores_ignored(session, d: Director) -> None:
    await d.session(agent="s", coach="c", at=AT, focus=[f"{TPL}/9708.2.1"])
    await d.scorecard(agent="s", template=TPL, at=AT - timedelta(days=3), values={"9708.2.1": 0.5})
    for h, v in ((1, 0.4), (30, 0.8)):  # one conversation scored twice after the session
        await d.scorecard(agent="s", template=TPL, at=AT + timedelta(hours=h), values={"9708.2.1": v},
                          conversation="conv-rescored")
    await d.scorecard(agent="s", template=TPL, at=AT + timedelta(hours=2), values={"9708.2.1": None})
    await d.scorecard(agent="s", template=TPL, at=AT + timedelta(hours=3), values={"9708.2.2": 0.0})
    await d.scorecard(agent="other", template=TPL, at=AT + timedelta(hours=3), values={"9708.2.1": 0.0})
    [r] = await rows(session)
    assert (r.before_n, r.after_n) == (1, 1)
    assert r.after_avg == pytest.approx(0.6)  # both scores of the conversation average in


async def test_filters_time_range_usecase_users_and_tenancy(session, d: Director) -> None:
    await d.session(agent="s1", coach="c1", at=START, focus=[f"{TPL}/9708.2.1"], usecase="class-a")
    await d.session(agent="s2", coach="c2", at=AT, focus=[f"{TPL}/9708.2.1"], usecase="class-b")
    await d.session(agent="s3", coach="c1", at=END, focus=[f"{TPL}/9708.2.1"], usecase="class-a")  # end: out
    other = Director(session, customer="school", profile="other-subject")
    await other.session(agent="s1", coach="c1", at=AT, focus=[f"{TPL}/9708.2.1"])
    other_org = Director(session, customer="other-school", profile="9708")
    await other_org.session(agent="s1", coach="c1", at=AT, focus=[f"{TPL}/9708.2.1"])

    agents = lambda rs: sorted(r.agent_id for r in rs)
    assert agents(await rows(session)) == ["s1", "s2"]
    assert agents(await rows(session, usecase_ids=["class-a"])) == ["s1"]
    assert agents(await rows(session, users=["c2"])) == ["s2"]       # as coach
    assert agents(await rows(session, users=["s1", "s3"])) == ["s1"]  # as agent
    assert agents(await rows(session, start=AT)) == ["s2"]
    [g] = await stats(session, ["COACHING_SESSION_SUBMITTER"], users=["c1"])
    assert g.key == {"COACHING_SESSION_SUBMITTER": "c1"} and g.total_sessions == 1


async def test_template_of_another_tenancy_is_not_evaluable(session, d: Director) -> None:
    await d.template("tpl-foreign", [criterion("9708.2.1")], customer="other-school")
    await d.session(agent="s", coach="c", at=AT, focus=["tpl-foreign/9708.2.1"])
    await d.windows(agent="s", template="tpl-foreign", criterion_id="9708.2.1", session_at=AT, before=[0.1],
                    after=[0.9] * 8)
    [r] = await rows(session)
    assert not r.known and r.after_n == 0  # its scorecards are never read
    [g] = await stats(session, [])
    assert g.is_efficiency_score_invalid and g.total_sessions == 1


async def test_grouping_by_two_dimensions(session, d: Director) -> None:
    for agent, coach in (("s1", "c1"), ("s2", "c1"), ("s3", "c2")):
        await d.session(agent=agent, coach=coach, at=AT, focus=[f"{TPL}/9708.2.1", f"{TPL}/9708.2.2"])
    groups = await stats(session, ["COACHING_SESSION_SUBMITTER", "CRITERION"])
    assert [(g.key["COACHING_SESSION_SUBMITTER"], g.key["CRITERION"], g.total_sessions) for g in groups] == [
        ("c1", f"{TPL}/9708.2.1", 2), ("c1", f"{TPL}/9708.2.2", 2),
        ("c2", f"{TPL}/9708.2.1", 1), ("c2", f"{TPL}/9708.2.2", 1)]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"group_by": ["TEAM"]}, "group_by"),
    ({"group_by": ["AGENT", "AGENT"]}, "group_by"),
    ({"end": START}, "end"),
    ({"start": datetime(2025, 12, 1)}, "start"),
    ({"users": ["has space"]}, "users"),
    ({"usecase_ids": [""]}, "usecase_ids"),
])
async def test_bad_input_names_the_field(session, kwargs, field) -> None:
    args = {"group_by": ["AGENT"]}
    args.update(kwargs)
    with pytest.raises(InvalidEfficiencyQuery) as err:
        await stats(session, **args)
    assert err.value.field == field
