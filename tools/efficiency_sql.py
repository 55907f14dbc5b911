"""The one set-based statement behind coaching efficiency: every (session, criterion) row with its windows.

Shape of `EFFICIENCY_ROWS_SQL`:

1. `crows` — the (session, criterion) pairs of `director.coaching_session_criteria` (migration 010's view:
   the session's `focus_criteria_ids`, or its plan's targets when that array is empty — the Hilton case)
   under the seed's session filters: tenancy (customer, profile), submitted, not soft-deleted, `session_at`
   in [start, end), optional usecase ids, optional users (a user matches as the coached agent or as the
   submitting coach). `old_enough` marks sessions at least the minimum age old (younger ones are kept, so
   they are counted, but their windows are not read). Each pair is joined to its criterion's properties
   from the tenancy's `scorecard_templates.template -> criteria[]`: `auto_qa` present → auto;
   `exclude_from_qa_scores`; `is_outcome_criterion`. Malformed JSON is treated as absent, never as an error.
2. The windows: a hash join on (agent, template, criterion, session_at) to the tenancy's
   `director.criterion_windows` in the request's time range (its primary key leads with tenancy and time,
   so other schools and months need not be read), which migration 010's triggers keep equal to `director.criterion_window_stats(...)` — AVG of the numeric
   scores and COUNT(DISTINCT conversation) in the half-open before window [session_at − 8 d, session_at − 1 d)
   and after window [session_at − 1 d, session_at + 6 d). A scorecard at exactly −1 d is "after" only; an
   N/A score is evidence of nothing. Rows that are too young or not evaluable skip the windows (their
   aggregates would be discarded anyway).
3. A window that is not stored (say, data restored with triggers disabled) is computed on the spot by the
   same function, so a missing window costs time, never a wrong answer.

Why materialised windows: computed at read time, each of the ~15k (session, criterion) rows of a
10k-session request costs an index range scan plus two DISTINCT aggregates (~15 µs), ~250 ms on one core
whatever the index (PostgreSQL 16 does not run a LATERAL with outer references in parallel). Joined, the
whole statement takes ~40 ms (`python -m evals.benchmarks.efficiency`), and writes pay for the windows they
touch instead (migration 010 explains the triggers and their locking).
`tools.efficiency_groups_sql` groups these rows in the database for the API; `fetch_criterion_rows` returns
them row by row (tests pin the window rules on it; the benchmark's baseline starts from its pairs).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tools.efficiency_stats import CriterionRow

# The (session, criterion) rows of a request with their criterion's properties, before any window is read.
CRITERION_ROWS_CTE = """
WITH crit AS (
  SELECT DISTINCT ON (st.resource_id, c.value->>'identifier')
         st.resource_id AS template_id, c.value->>'identifier' AS criterion_id,
         COALESCE(c.value->'auto_qa', 'null'::jsonb) NOT IN ('null'::jsonb, 'false'::jsonb) AS is_auto,
         COALESCE(c.value->'exclude_from_qa_scores' = 'true'::jsonb, false) AS excluded,
         COALESCE(c.value->'is_outcome_criterion' = 'true'::jsonb, false) AS is_outcome
  FROM director.scorecard_templates st
  CROSS JOIN LATERAL jsonb_array_elements(
      CASE jsonb_typeof(st.template->'criteria') WHEN 'array' THEN st.template->'criteria' ELSE '[]'::jsonb END) c
  WHERE st.customer = :customer AND st.profile = :profile AND jsonb_typeof(c.value) = 'object'
  ORDER BY st.resource_id, c.value->>'identifier'
),
crows AS (
  SELECT v.session_id, v.agent_user_id AS agent_id, v.manager_submitter_user_id AS coach_id, v.session_at,
         v.template_id, v.criterion_identifier AS criterion_id,
         v.session_at <= CAST(:age_cutoff AS timestamptz) AS old_enough,
         c.criterion_id IS NOT NULL AS known, COALESCE(c.is_auto, false) AS is_auto,
         COALESCE(c.excluded, false) AS excluded, COALESCE(c.is_outcome, false) AS is_outcome
  FROM director.coaching_session_criteria v
  LEFT JOIN crit c ON c.template_id = v.template_id AND c.criterion_id = v.criterion_identifier
  WHERE v.customer = :customer AND v.profile = :profile
    AND v.manager_submitted_at IS NOT NULL AND v.deleted_at IS NULL
    AND v.session_at >= CAST(:start AS timestamptz) AND v.session_at < CAST(:end AS timestamptz)
    AND (CAST(:usecase_ids AS text[]) IS NULL OR v.usecase_id = ANY (CAST(:usecase_ids AS text[])))
    AND (CAST(:users AS text[]) IS NULL OR v.agent_user_id = ANY (CAST(:users AS text[]))
         OR v.manager_submitter_user_id = ANY (CAST(:users AS text[])))
)
"""

EFFICIENCY_ROWS_SQL = CRITERION_ROWS_CTE + """
SELECT r.session_id, r.agent_id, r.coach_id, r.template_id, r.criterion_id, r.old_enough,
       r.known, r.is_auto, r.excluded, r.is_outcome,
       COALESCE(w.before_avg, f.before_avg) AS before_avg, COALESCE(w.before_n, f.before_n, 0) AS before_n,
       COALESCE(w.after_avg, f.after_avg) AS after_avg, COALESCE(w.after_n, f.after_n, 0) AS after_n
FROM crows r
LEFT JOIN director.criterion_windows w
       ON r.old_enough AND r.known AND NOT r.excluded
      AND w.customer = :customer AND w.profile = :profile
      AND w.session_at >= CAST(:start AS timestamptz) AND w.session_at < CAST(:end AS timestamptz)
      AND w.agent_user_id = r.agent_id AND w.template_id = r.template_id
      AND w.criterion_identifier = r.criterion_id AND w.session_at = r.session_at
LEFT JOIN LATERAL (
  SELECT * FROM director.criterion_window_stats(r.agent_id, r.template_id, r.criterion_id, r.session_at)
  WHERE w.session_at IS NULL AND r.old_enough AND r.known AND NOT r.excluded
  OFFSET 0
) f ON true
"""


@dataclass(frozen=True)
class RowsRequest:
    """Which (session, criterion) rows to read: one tenancy, sessions with `start <= session_at < end`,
    optional usecase ids and users (None = no filter), and the age cutoff (younger sessions are counted but
    not scored)."""

    customer: str
    profile: str
    start: datetime
    end: datetime
    usecase_ids: list[str] | None
    users: list[str] | None
    age_cutoff: datetime

    def params(self) -> dict[str, object]:
        """The statement's bind parameters (an empty users list means no filter, like None)."""
        return {**asdict(self), "users": self.users or None}


async def fetch_criterion_rows(session: AsyncSession, request: RowsRequest) -> list[CriterionRow]:
    """All (session, criterion) rows of the request with their before/after aggregates, in one statement."""
    params = request.params()
    driver = await prepare_statement(session)
    if isinstance(driver, asyncpg.Connection):
        # Same connection and transaction; skips SQLAlchemy's per-row processing (~70 ms at 15k rows).
        records = await driver.fetch(_ASYNCPG_SQL, *[params[n] for n in _ASYNCPG_PARAMS])
        return [CriterionRow._make(r) for r in records]
    result = await (await session.connection()).execute(text(EFFICIENCY_ROWS_SQL), params)
    return [CriterionRow._make(r) for r in result.all()]


async def prepare_statement(session: AsyncSession) -> object:
    """Transaction-local settings for the efficiency statements; returns the session's driver connection.

    JIT off: at these cost estimates it would compile for ~50–100 ms to save a few. A custom plan each
    time: the optional filters (`x IS NULL OR …`) make a cached generic plan a poor fit.
    """
    await session.execute(text("SET LOCAL jit = off"))
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    conn = await session.connection()
    return (await conn.get_raw_connection()).driver_connection


def to_asyncpg_placeholders(sql: str) -> tuple[str, list[str]]:
    """`:name` placeholders → asyncpg's `$n`; returns the SQL and the parameter order."""
    names: list[str] = []

    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in names:
            names.append(m.group(1))
        return f"${names.index(m.group(1)) + 1}"

    return re.sub(r"(?<!:):(\w+)", sub, sql), names


_ASYNCPG_SQL, _ASYNCPG_PARAMS = to_asyncpg_placeholders(EFFICIENCY_ROWS_SQL)
