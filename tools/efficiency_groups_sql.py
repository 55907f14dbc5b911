"""Coaching efficiency grouped in the database: the request's rows never leave PostgreSQL.

`tools.efficiency_sql` gives every (session, criterion) row with its windows; `tools.efficiency_stats`
states the rules that turn rows into groups and implements them in Python (`group_stats`, used by tests and
by the benchmark's re-creation of the seed). This module applies the same rules in SQL, on top of the same
statement, so a 10k-session request returns a few dozen group rows instead of ~15k rows: shipping and
decoding those rows and grouping them in Python cost ~50 ms, more than the statement itself.

The rules, as SQL:
- one row per (session, template, criterion): the view the rows come from lists each pair once;
- criterion dimensions skip rows without a criterion;
- a row is valid iff old enough, evaluable, before_n > 0, after_n ≥ the auto/manual threshold and both
  averages exist; its efficiency is (after_avg − before_avg) × after_n;
- per (group, session) cluster: Σ efficiency, Σ after_n, Σ before_n, valid rows;
- per group: sessions (valid or not), sessions with a valid row, totals, coachingEfficiency = ΣE / ΣN, and
  Σ(E_j − R·N_j)² for the confidence interval (`efficiency_stats.interval_from_sums`).
The benchmark checks at 10k sessions that this and `group_stats` agree; `tests/db/test_efficiency_groups.py`
checks it on generated data for every dimension.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tools.efficiency_sql import EFFICIENCY_ROWS_SQL, RowsRequest, prepare_statement, to_asyncpg_placeholders
from tools.efficiency_stats import (
    CRITERION_DIMENSIONS,
    GroupBy,
    GroupStats,
    group_order,
    interval_from_sums,
)

# Each dimension's value, as `key_value` computes it in Python. Fixed strings only: never user input.
_DIMENSION_SQL = {
    GroupBy.COACHING_SESSION_SUBMITTER: "coach_id",
    GroupBy.AGENT: "agent_id",
    GroupBy.COACHING_SESSION: "session_id",
    GroupBy.CRITERION: "template_id || '/' || criterion_id",
    GroupBy.SCORECARD_TEMPLATE: "template_id",
    GroupBy.CRITERION_CATEGORY: "CASE WHEN is_outcome THEN 'OUTCOME' ELSE 'PERFORMANCE' END",
}


@cache
def grouped_sql(dims: tuple[GroupBy, ...]) -> str:
    """The grouping statement for these dimensions (`:auto_min`, `:manual_min` plus the rows' parameters)."""
    # Byte-order ("C") grouping keys: under a linguistic collation, sorting 15k rows by (coach, session)
    # cost ~15 ms of strcoll; groups are ordered in Python afterwards anyway.
    values = [f'({_DIMENSION_SQL[d]}) COLLATE "C"' for d in dims] or ["0"]  # none: one constant group
    keys = ", ".join(f"g{i}" for i in range(len(values)))
    selected = ", ".join(f"{v} AS g{i}" for i, v in enumerate(values))
    only_criteria = ("WHERE template_id IS NOT NULL AND criterion_id IS NOT NULL"
                     if any(d in CRITERION_DIMENSIONS for d in dims) else "")
    return f"""
WITH criterion_rows AS ({EFFICIENCY_ROWS_SQL}),
scored AS (
  SELECT {selected}, session_id COLLATE "C" AS session_id, before_n, after_n, (after_avg - before_avg) * after_n AS efficiency,
         (old_enough AND known AND NOT excluded AND before_n > 0
          AND after_n >= CASE WHEN is_auto THEN CAST(:auto_min AS int) ELSE CAST(:manual_min AS int) END
          AND before_avg IS NOT NULL AND after_avg IS NOT NULL) AS valid
  FROM criterion_rows
  {only_criteria}
),
clusters AS (
  SELECT {keys}, session_id, count(*) FILTER (WHERE valid) AS valid_rows,
         sum(efficiency) FILTER (WHERE valid) AS e, sum(after_n) FILTER (WHERE valid) AS n,
         sum(before_n) FILTER (WHERE valid) AS b
  FROM scored GROUP BY {keys}, session_id
),
with_ratio AS (
  SELECT c.*, sum(e) OVER g / sum(n) OVER g AS ratio FROM clusters c WINDOW g AS (PARTITION BY {keys})
)
SELECT {keys}, count(*) AS total_sessions, count(*) FILTER (WHERE valid_rows > 0) AS sessions_with_efficiency,
       CAST(sum(valid_rows) AS bigint) AS valid_rows, CAST(COALESCE(sum(b), 0) AS bigint) AS before_conversations,
       CAST(COALESCE(sum(n), 0) AS bigint) AS after_conversations, sum(e) / sum(n) AS coaching_efficiency,
       sum((e - ratio * n) ^ 2) AS squares
FROM with_ratio GROUP BY {keys}
"""


@cache
def _asyncpg_form(dims: tuple[GroupBy, ...]) -> tuple[str, list[str]]:
    return to_asyncpg_placeholders(grouped_sql(dims))


async def fetch_group_stats(
    session: AsyncSession, request: RowsRequest, *, group_by: Sequence[GroupBy], auto_min: int, manual_min: int
) -> list[GroupStats]:
    """Efficiency per group of the request, in key order (as `group_stats` orders them), in one statement."""
    dims = tuple(group_by)
    sql = grouped_sql(dims)
    params = {**request.params(), "auto_min": auto_min, "manual_min": manual_min}
    driver = await prepare_statement(session)
    if isinstance(driver, asyncpg.Connection):
        asyncpg_sql, names = _asyncpg_form(dims)
        records = await driver.fetch(asyncpg_sql, *[params[n] for n in names])
    else:
        records = (await (await session.connection()).execute(text(sql), params)).all()
    width = len(dims)
    groups = []
    for r in records:
        total_sessions, with_eff, valid_rows, before_n, after_n, efficiency, squares = r[max(width, 1):]
        groups.append(GroupStats(
            key=dict(zip(dims, r[:width])),
            coaching_efficiency=efficiency if valid_rows else None,
            total_sessions=total_sessions, sessions_with_efficiency=with_eff, valid_rows=valid_rows,
            before_conversations=before_n, after_conversations=after_n,
            confidence_interval=interval_from_sums(ratio=efficiency, squares=squares, clusters=with_eff,
                                                   total_n=after_n) if valid_rows else None,
        ))
    return sorted(groups, key=lambda g: group_order(g.key, dims))
