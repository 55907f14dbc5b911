"""`director.criterion_windows` (migration 010) stays equal to its definition whatever is written, in any order,
also when two transactions write at once; a window that is missing is computed on read."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from db.engine import session_factory
from tests.db.efficiency_builders import Director, criterion
from tools.efficiency_sql import RowsRequest, fetch_criterion_rows

TPL = "tpl-win"
AT = datetime(2025, 12, 10, 15, 30, tzinfo=UTC)
NOW = datetime(2026, 1, 9, 12, 0, tzinfo=UTC)

# Every window a submitted, live session needs, computed from scratch by the definition.
EXPECTED = """
SELECT k.agent_user_id, k.template_id, k.criterion_identifier, k.session_at,
       s.before_avg, s.before_n, s.after_avg, s.after_n
FROM (SELECT DISTINCT agent_user_id, template_id, criterion_identifier, session_at
      FROM director.coaching_session_criteria
      WHERE manager_submitted_at IS NOT NULL AND deleted_at IS NULL AND session_at IS NOT NULL
        AND template_id IS NOT NULL AND criterion_identifier IS NOT NULL) k
CROSS JOIN LATERAL director.criterion_window_stats(k.agent_user_id, k.template_id, k.criterion_identifier,
                                                   k.session_at) s
ORDER BY 1, 2, 3, 4
"""
STORED = """
SELECT w.agent_user_id, w.template_id, w.criterion_identifier, w.session_at,
       w.before_avg, w.before_n, w.after_avg, w.after_n
FROM director.criterion_windows w
WHERE EXISTS (SELECT 1 FROM director.coaching_session_criteria v
              WHERE v.manager_submitted_at IS NOT NULL AND v.deleted_at IS NULL
                AND (v.agent_user_id, v.template_id, v.criterion_identifier, v.session_at)
                  = (w.agent_user_id, w.template_id, w.criterion_identifier, w.session_at))
ORDER BY 1, 2, 3, 4
"""


async def _assert_current(session) -> list:
    """The stored windows equal the definition; returns them."""
    expected = (await session.execute(text(EXPECTED))).all()
    assert (await session.execute(text(STORED))).all() == expected
    return expected


async def _window(session, agent: str = "s", crit: str = "c1", at: datetime = AT) -> tuple:
    row = (await session.execute(text(
        "SELECT before_avg, before_n, after_avg, after_n FROM director.criterion_windows "
        "WHERE agent_user_id = :a AND template_id = :t AND criterion_identifier = :c AND session_at = :at"),
        {"a": agent, "t": TPL, "c": crit, "at": at})).first()
    return tuple(row) if row else ()


@pytest.fixture
async def d(session) -> Director:
    director = Director(session, customer="school", profile="9708")
    await director.template(TPL, [criterion("c1"), criterion("c2")])
    return director


async def test_windows_follow_every_kind_of_score_write(session, d: Director) -> None:
    await d.session(agent="s", coach="c", at=AT, focus=[f"{TPL}/c1", f"{TPL}/c2"])
    assert await _window(session) == (None, 0, None, 0)
    before = await d.scorecard(agent="s", template=TPL, at=AT - timedelta(days=3), values={"c1": 0.4, "c2": 0.2})
    after = await d.scorecard(agent="s", template=TPL, at=AT + timedelta(days=1), values={"c1": 0.8, "c2": None})
    await d.scorecard(agent="s", template=TPL, at=AT + timedelta(days=2), values={"c1": 0.6}, conversation="cv")
    await d.scorecard(agent="s", template=TPL, at=AT + timedelta(days=3), values={"c1": 1.0}, conversation="cv")
    await d.scorecard(agent="s", template=TPL, at=AT + timedelta(days=9), values={"c1": 0.0})  # outside
    await _assert_current(session)
    assert await _window(session) == (pytest.approx(0.4), 1, pytest.approx(0.8), 2)  # "cv" counted once
    await session.execute(text("UPDATE director.scores SET numeric_value = 0.5 WHERE scorecard_id = :a "
                               "AND criterion_identifier = 'c2'"), {"a": after})  # N/A became numeric
    await _assert_current(session)
    assert await _window(session, crit="c2") == (pytest.approx(0.2), 1, pytest.approx(0.5), 1)
    await session.execute(text("UPDATE director.scorecards SET submitted_at = :t WHERE resource_id = :b"),
                          {"b": before, "t": AT - timedelta(days=20)})  # moved out of the before window
    await _assert_current(session)
    assert (await _window(session))[:2] == (None, 0)
    await session.execute(text("UPDATE director.scorecards SET submitted_at = NULL WHERE resource_id = :a"),
                          {"a": after})  # withdrawn
    await _assert_current(session)
    await session.execute(text("DELETE FROM director.scorecards WHERE conversation_id = 'cv'"))
    await _assert_current(session)
    assert await _window(session) == (None, 0, None, 0)
    await d.scorecard(agent="s", template=TPL, at=AT, values={"c1": 0.9})
    await session.execute(text("TRUNCATE director.scores"))
    assert await _window(session) == (None, 0, None, 0)
    await _assert_current(session)


async def test_windows_appear_for_sessions_plans_and_targets(session, d: Director) -> None:
    await d.windows(agent="s", template=TPL, criterion_id="c1", session_at=AT, before=[0.2, 0.4], after=[0.9])
    await d.windows(agent="s", template=TPL, criterion_id="c2", session_at=AT, before=[0.5], after=[0.5])
    draft = await d.session(agent="s", coach="c", at=AT, focus=[f"{TPL}/c1"], submitted=False)
    assert await _window(session) == ()  # drafts need no window
    await session.execute(text("UPDATE director.coaching_sessions SET manager_submitted_at = :t "
                               "WHERE resource_id = :s"), {"s": draft, "t": AT})
    assert await _window(session) == (pytest.approx(0.3), 2, pytest.approx(0.9), 1)
    plan = await d.plan(agent="s", targets=[])
    await d.session(agent="s", coach="c", at=AT + timedelta(hours=2), focus=[], plan_id=plan)  # Hilton case
    assert await _window(session, crit="c2", at=AT + timedelta(hours=2)) == ()
    await d.s.execute(text(
        "INSERT INTO director.targets (target_id, customer, profile, coaching_plan_id, scorecard_template_id, "
        "criterion_or_chapter_id) VALUES ('t1', 'school', '9708', :p, :tpl, 'c2')"), {"p": plan, "tpl": TPL})
    assert (await _window(session, crit="c2", at=AT + timedelta(hours=2)))[1:4:2] == (1, 1)
    await session.execute(text("UPDATE director.coaching_sessions SET session_at = :t, focus_criteria_ids = :f "
                               "WHERE resource_id = :s"),
                          {"s": draft, "t": AT - timedelta(days=5), "f": [f"{TPL}/c2"]})
    assert await _window(session, crit="c2", at=AT - timedelta(days=5)) != ()
    await _assert_current(session)


async def test_a_missing_window_is_computed_on_read(session, d: Director) -> None:
    await d.windows(agent="s", template=TPL, criterion_id="c1", session_at=AT, before=[0.2, 0.4], after=[0.9, 0.7])
    await d.session(agent="s", coach="c", at=AT, focus=[f"{TPL}/c1", f"{TPL}/c2"])

    async def rows() -> list:
        return await fetch_criterion_rows(session, RowsRequest(
            customer="school", profile="9708", start=AT - timedelta(days=1), end=AT + timedelta(days=1),
            usecase_ids=None, users=None, age_cutoff=NOW - timedelta(days=7)))

    stored = await rows()
    assert [(r.criterion_id, r.before_n, r.after_n) for r in stored] == [("c1", 2, 2), ("c2", 0, 0)]
    await session.execute(text("DELETE FROM director.criterion_windows"))
    assert await rows() == stored


@pytest.mark.parametrize("session_first", [True, False], ids=["session-then-score", "score-then-session"])
async def test_concurrent_session_and_score_writes_both_count(engine, session_first: bool) -> None:
    """A session's new window and a score in it, written by two open transactions at once: whichever commits
    first, the stored window ends up holding the score (the second writer waits for the first)."""
    make = session_factory(engine)
    async with make() as setup:
        await Director(setup, customer="school", profile="9708").template(TPL, [criterion("c1")])
        await setup.commit()
    async with make() as s1, make() as s2:
        coach, scorer = Director(s1, customer="school", profile="9708"), Director(s2, customer="school",
                                                                                  profile="9708")
        first, second = (
            (lambda: coach.session(agent="s", coach="c", at=AT, focus=[f"{TPL}/c1"]),
             lambda: scorer.scorecard(agent="s", template=TPL, at=AT + timedelta(days=1), values={"c1": 0.7}))
        )
        if not session_first:
            first, second = second, first
        firsts, seconds = (s1, s2) if session_first else (s2, s1)
        await first()
        blocked = asyncio.ensure_future(second())
        await asyncio.sleep(0.3)
        assert not blocked.done()  # waiting for the first writer's bucket lock
        await firsts.commit()
        await asyncio.wait_for(blocked, 10)
        await seconds.commit()
    async with make() as check:
        assert await _window(check) == (None, 0, pytest.approx(0.7), 1)
        await _assert_current(check)
