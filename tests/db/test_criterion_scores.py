"""`director.criterion_scores` (migration 009) mirrors scores ⋈ scorecards whoever writes them, via triggers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.db.efficiency_builders import Director, criterion
from tools.efficiency_sql import RowsRequest, fetch_criterion_rows

TPL = "tpl-mirror"
AT = datetime(2025, 12, 10, 15, 30, tzinfo=UTC)
NOW = datetime(2026, 1, 9, 12, 0, tzinfo=UTC)

# The mirror's definition; after any write the table must equal this, row for row.
EXPECTED = """
SELECT s.resource_id, sc.agent_user_id, sc.template_id, s.criterion_identifier, sc.submitted_at,
       sc.conversation_id, s.numeric_value
FROM director.scores s JOIN director.scorecards sc ON sc.resource_id = s.scorecard_id
WHERE sc.submitted_at IS NOT NULL AND s.numeric_value IS NOT NULL
ORDER BY 1
"""
MIRROR = """
SELECT score_id, agent_user_id, template_id, criterion_identifier, submitted_at, conversation_id, numeric_value
FROM director.criterion_scores ORDER BY 1
"""


async def _assert_mirrored(session) -> list:
    expected = (await session.execute(text(EXPECTED))).all()
    assert (await session.execute(text(MIRROR))).all() == expected
    return expected


@pytest.fixture
async def d(session) -> Director:
    director = Director(session, customer="school", profile="9708")
    await director.template(TPL, [criterion("c1"), criterion("c2")])
    return director


async def _plain_sql_card(session, *, card: str, at: datetime | None, value: float | None) -> None:
    await session.execute(text(
        "INSERT INTO director.scorecards (resource_id, customer, profile, conversation_id, agent_user_id, "
        "template_id, template_revision, creator_user_id, submitted_at) "
        "VALUES (:card, 'school', '9708', :conv, 's', :tpl, '1', 'loader', :at)"),
        {"card": card, "conv": f"conv-{card}", "tpl": TPL, "at": at})
    await session.execute(text(
        "INSERT INTO director.scores (resource_id, customer, profile, scorecard_id, criterion_identifier, "
        "numeric_value) VALUES (:sid, 'school', '9708', :card, 'c1', :v)"), {"sid": f"score-{card}", "card": card,
                                                                              "v": value})


async def test_score_inserted_with_plain_sql_counts_in_the_window(session, d: Director) -> None:
    await d.session(agent="s", coach="c", at=AT, focus=[f"{TPL}/c1"])
    await _plain_sql_card(session, card="k1", at=AT + timedelta(days=1), value=0.75)
    await _plain_sql_card(session, card="k2", at=AT + timedelta(days=2), value=None)   # N/A: not mirrored
    await _plain_sql_card(session, card="k3", at=None, value=0.1)                      # never submitted
    assert len(await _assert_mirrored(session)) == 1
    [r] = await fetch_criterion_rows(session, RowsRequest(
        customer="school", profile="9708", start=AT - timedelta(days=1), end=AT + timedelta(days=1),
        usecase_ids=None, users=None, age_cutoff=NOW - timedelta(days=7)))
    assert (r.after_n, r.after_avg) == (1, pytest.approx(0.75))


async def test_updates_and_deletes_of_scores_and_scorecards_are_followed(session, d: Director) -> None:
    a = await d.scorecard(agent="s", template=TPL, at=AT, values={"c1": 0.5, "c2": None})
    b = await d.scorecard(agent="s", template=TPL, at=None, values={"c1": 0.9})
    assert len(await _assert_mirrored(session)) == 1
    await session.execute(text("UPDATE director.scores SET numeric_value = 0.3 WHERE scorecard_id = :a"), {"a": a})
    await _assert_mirrored(session)                                  # value changed, N/A became numeric
    await session.execute(text("UPDATE director.scorecards SET submitted_at = :t WHERE resource_id = :b"),
                          {"b": b, "t": AT + timedelta(hours=3)})
    assert len(await _assert_mirrored(session)) == 3                 # submitting a scorecard mirrors its scores
    await session.execute(text("UPDATE director.scorecards SET agent_user_id = 'other', conversation_id = 'cx' "
                               "WHERE resource_id = :a"), {"a": a})
    await _assert_mirrored(session)
    await session.execute(text("UPDATE director.scores SET numeric_value = NULL WHERE criterion_identifier = 'c2'"))
    assert len(await _assert_mirrored(session)) == 2
    await session.execute(text("DELETE FROM director.scorecards WHERE resource_id = :a"), {"a": a})  # cascades
    assert len(await _assert_mirrored(session)) == 1
    await session.execute(text("DELETE FROM director.scores"))
    assert await _assert_mirrored(session) == []


async def test_truncate_empties_the_mirror(session, d: Director) -> None:
    await d.scorecard(agent="s", template=TPL, at=AT, values={"c1": 0.5})
    await session.execute(text("TRUNCATE director.scores"))
    assert await _assert_mirrored(session) == []
