"""The API's grouping in SQL (`tools.efficiency_groups_sql`) agrees with the Python rules (`group_stats`) on
generated data — duplicates, Hilton sessions, drafts, deletions, too-young sessions, excluded and outcome
criteria, re-scored conversations — for every grouping dimension and some combinations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import create_engine, session_factory
from evals.benchmarks.efficiency_data import ANCHOR, CUSTOMER, PROFILE, generate
from tests import pg
from tools.efficiency_groups_sql import fetch_group_stats
from tools.efficiency_sql import RowsRequest, fetch_criterion_rows
from tools.efficiency_stats import GroupBy, GroupStats, group_stats, is_valid

DIMENSION_SETS = [
    (), *[(d,) for d in GroupBy],
    (GroupBy.COACHING_SESSION_SUBMITTER, GroupBy.CRITERION),
    (GroupBy.CRITERION_CATEGORY, GroupBy.AGENT),
    (GroupBy.SCORECARD_TEMPLATE, GroupBy.CRITERION_CATEGORY, GroupBy.COACHING_SESSION_SUBMITTER),
]


@pytest.fixture(scope="module")
def generated_url(pg_server_url: str, pg_template: str) -> Iterator[str]:
    """One database with generated data for the whole module (the tests only read)."""
    name = pg.clone_database(pg_server_url, pg_template)
    url = pg.with_database(pg_server_url, name)
    with psycopg.connect(url, autocommit=True) as conn:
        generate(conn, sessions=300)
    yield url
    pg.drop_database(pg_server_url, name)


@pytest.fixture
async def loaded(generated_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(generated_url)
    async with session_factory(engine)() as s:
        yield s
    await engine.dispose()


def _assert_same(sql: list[GroupStats], python: list[GroupStats]) -> None:
    assert [g.key for g in sql] == [g.key for g in python]
    for a, b in zip(sql, python):
        assert (a.total_sessions, a.sessions_with_efficiency, a.valid_rows, a.before_conversations,
                a.after_conversations) == (b.total_sessions, b.sessions_with_efficiency, b.valid_rows,
                                           b.before_conversations, b.after_conversations), a.key
        assert a.coaching_efficiency == pytest.approx(b.coaching_efficiency, abs=1e-12)
        if b.confidence_interval is None:
            assert a.confidence_interval is None
        else:
            assert (a.confidence_interval.lower, a.confidence_interval.upper) == pytest.approx(
                (b.confidence_interval.lower, b.confidence_interval.upper), abs=1e-9)


@pytest.mark.parametrize("dims", DIMENSION_SETS, ids=lambda d: "+".join(x.value for x in d) or "none")
async def test_sql_grouping_matches_the_python_rules(loaded, dims) -> None:
    request = {"customer": CUSTOMER, "profile": PROFILE, "start": ANCHOR - timedelta(days=365), "end": ANCHOR,
               "usecase_ids": None, "users": None, "age_cutoff": ANCHOR - timedelta(days=7)}
    rows = await fetch_criterion_rows(loaded, RowsRequest(**request))
    python = group_stats(rows, group_by=dims, auto_min=5, manual_min=2)
    sql = await fetch_group_stats(loaded, RowsRequest(**request), group_by=dims, auto_min=5, manual_min=2)
    valid = sum(is_valid(r, auto_min=5, manual_min=2) for r in rows)
    assert 50 < valid < len(rows)  # the data exercises both sides of the rules
    _assert_same(sql, python)


async def test_sql_grouping_matches_with_filters_and_other_thresholds(loaded) -> None:
    rows_all = await fetch_criterion_rows(loaded, RowsRequest(
        customer=CUSTOMER, profile=PROFILE, start=ANCHOR - timedelta(days=365), end=ANCHOR,
        usecase_ids=None, users=None, age_cutoff=ANCHOR))
    coaches = sorted({r.coach_id for r in rows_all if r.coach_id})[:3]
    request = {"customer": CUSTOMER, "profile": PROFILE, "start": ANCHOR - timedelta(days=120),
               "end": ANCHOR - timedelta(days=2), "usecase_ids": None, "users": coaches, "age_cutoff": ANCHOR}
    dims = (GroupBy.COACHING_SESSION_SUBMITTER, GroupBy.CRITERION_CATEGORY)
    python = group_stats(await fetch_criterion_rows(loaded, RowsRequest(**request)), group_by=dims, auto_min=2, manual_min=1)
    sql = await fetch_group_stats(loaded, RowsRequest(**request), group_by=dims, auto_min=2, manual_min=1)
    assert {g.key[GroupBy.COACHING_SESSION_SUBMITTER] for g in sql} <= set(coaches)
    _assert_same(sql, python)
