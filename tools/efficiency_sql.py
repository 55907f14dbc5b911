"""The one set-based statement behind coaching efficiency: every (session, criterion) row with its windows.

Shape of `EFFICIENCY_ROWS_SQL`:

1. `sess` — the seed's session filters: tenancy (customer, profile), submitted (`manager_submitted_at IS NOT
   NULL`), not soft-deleted, `session_at` in [start, end), optional usecase ids, optional users (a user
   matches as the coached agent or as the submitting coach). `old_enough` marks sessions at least the
   minimum age old (younger ones are kept, so they are counted, but their windows are not read).
2. `pairs` — `LEFT JOIN LATERAL unnest(focus_criteria_ids)`, and, only where that yields nothing (empty or
   NULL array: the Hilton case), the plan's targets; the seed's COALESCE picks `template/criterion` from the
   array element, else from the target. (The seed's literal join would also multiply a session that has
   focus criteria by its plan's target count; joining targets only for empty arrays avoids that.)
3. `crit` — criterion properties from the tenancy's `scorecard_templates.template -> criteria[]`:
   `auto_qa` present → auto; `exclude_from_qa_scores`; `is_outcome_criterion`. Malformed JSON is treated
   as absent, never as an error.
4. One LEFT JOIN LATERAL per row over [session_at − 8 d, session_at + 6 d) of `director.criterion_scores`
   (migration 009): the numeric scores of submitted scorecards, one row per score with its scorecard's
   agent, template, submitted_at and conversation, kept equal to scores ⋈ scorecards by triggers. One
   index-only range scan on (agent_user_id, template_id, criterion_identifier, submitted_at) per row; rows
   split at session_at − 1 d into the half-open before window [−8 d, −1 d) and after window [−1 d, +6 d).
   A scorecard at exactly −1 d is "after" only. AVG(numeric_value) and COUNT(DISTINCT conversation_id)
   per window count only scores with a numeric value (the mirror holds no others): an N/A score is
   evidence of nothing. The lateral is skipped (One-Time Filter) for rows that are too young or not
   evaluable, whose aggregates the calculation would discard anyway.

Why a LATERAL, not a range join: the planner turns a range join on the key into a merge or hash join that
compares every window with every score of the key (measured 2–20× slower), and PostgreSQL 16 does not run
a LATERAL subquery with outer references in parallel workers, so this is one core's work.
Where the time goes (10k-session benchmark, ~15.5k rows, ~142k scores in windows): ~25 ms to build and
return the rows, ~55 ms for ~14k index range scans (~4 µs each, mostly the descent), ~70 ms for the
per-row aggregates (the DISTINCT sorts are a small part: plain count(*) measured only ~10 ms less).
Without that table the same windows read scorecards and then probed scores once per scorecard ×
criterion (~148k probes, ~2 µs each): ~480 ms in all.
JIT is switched off for the statement: at these cost estimates it would compile for ~50–100 ms to save a few.
"""

from __future__ import annotations

import re
from datetime import datetime

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tools.efficiency_stats import CriterionRow

BEFORE_START = "8 days"  # before window: [session_at − 8 d, session_at − 1 d)
SPLIT = "1 day"  # after window: [session_at − 1 d, session_at + 6 d)
AFTER_END = "6 days"

EFFICIENCY_ROWS_SQL = f"""
WITH sess AS (
  SELECT cs.resource_id AS session_id, cs.agent_user_id AS agent_id, cs.manager_submitter_user_id AS coach_id,
         cs.session_at, cs.focus_criteria_ids, cs.coaching_plan_id,
         cs.session_at <= CAST(:age_cutoff AS timestamptz) AS old_enough
  FROM director.coaching_sessions cs
  WHERE cs.customer = :customer AND cs.profile = :profile
    AND cs.manager_submitted_at IS NOT NULL AND cs.deleted_at IS NULL
    AND cs.session_at >= CAST(:start AS timestamptz) AND cs.session_at < CAST(:end AS timestamptz)
    AND (CAST(:usecase_ids AS text[]) IS NULL OR cs.usecase_id = ANY (CAST(:usecase_ids AS text[])))
    AND (CAST(:users AS text[]) IS NULL OR cs.agent_user_id = ANY (CAST(:users AS text[]))
         OR cs.manager_submitter_user_id = ANY (CAST(:users AS text[])))
),
pairs AS (
  SELECT s.session_id, s.agent_id, s.coach_id, s.session_at, s.old_enough,
         COALESCE(NULLIF(split_part(f.fc, '/', 1), ''), t.scorecard_template_id) AS template_id,
         COALESCE(NULLIF(split_part(f.fc, '/', 2), ''), t.criterion_or_chapter_id) AS criterion_id
  FROM sess s
  LEFT JOIN LATERAL unnest(s.focus_criteria_ids) AS f(fc) ON true
  LEFT JOIN director.coaching_plans cp
         ON f.fc IS NULL AND cp.resource_id = s.coaching_plan_id AND cp.customer = :customer AND cp.profile = :profile
  LEFT JOIN director.targets t
         ON t.coaching_plan_id = cp.resource_id AND t.customer = cp.customer AND t.profile = cp.profile
),
crit AS (
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
  SELECT p.*, c.criterion_id IS NOT NULL AS known, COALESCE(c.is_auto, false) AS is_auto,
         COALESCE(c.excluded, false) AS excluded, COALESCE(c.is_outcome, false) AS is_outcome
  FROM pairs p LEFT JOIN crit c ON c.template_id = p.template_id AND c.criterion_id = p.criterion_id
)
SELECT r.session_id, r.agent_id, r.coach_id, r.template_id, r.criterion_id, r.old_enough,
       r.known, r.is_auto, r.excluded, r.is_outcome,
       w.before_avg, COALESCE(w.before_n, 0) AS before_n, w.after_avg, COALESCE(w.after_n, 0) AS after_n
FROM crows r
LEFT JOIN LATERAL (
  SELECT avg(x.numeric_value) FILTER (WHERE x.submitted_at < r.session_at - interval '{SPLIT}') AS before_avg,
         count(DISTINCT x.conversation_id)
             FILTER (WHERE x.submitted_at < r.session_at - interval '{SPLIT}') AS before_n,
         avg(x.numeric_value) FILTER (WHERE x.submitted_at >= r.session_at - interval '{SPLIT}') AS after_avg,
         count(DISTINCT x.conversation_id)
             FILTER (WHERE x.submitted_at >= r.session_at - interval '{SPLIT}') AS after_n
  FROM director.criterion_scores x
  WHERE r.old_enough AND r.known AND NOT r.excluded
    AND x.agent_user_id = r.agent_id AND x.template_id = r.template_id AND x.criterion_identifier = r.criterion_id
    AND x.submitted_at >= r.session_at - interval '{BEFORE_START}'
    AND x.submitted_at < r.session_at + interval '{AFTER_END}'
) w ON true
"""


async def fetch_criterion_rows(
    session: AsyncSession,
    *,
    customer: str,
    profile: str,
    start: datetime,
    end: datetime,
    usecase_ids: list[str] | None,
    users: list[str] | None,
    age_cutoff: datetime,
) -> list[CriterionRow]:
    """All (session, criterion) rows of the request with their before/after aggregates, in one statement."""
    # Both settings are transaction-local. A custom plan each time: the optional filters (`x IS NULL OR …`)
    # make a cached generic plan a poor fit.
    await session.execute(text("SET LOCAL jit = off"))
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    params = {
        "customer": customer, "profile": profile, "start": start, "end": end,
        "usecase_ids": usecase_ids, "users": users or None, "age_cutoff": age_cutoff,
    }
    conn = await session.connection()
    driver = (await conn.get_raw_connection()).driver_connection
    if isinstance(driver, asyncpg.Connection):
        # Same connection and transaction; skips SQLAlchemy's per-row processing (~70 ms at 15k rows).
        records = await driver.fetch(_ASYNCPG_SQL, *[params[n] for n in _ASYNCPG_PARAMS])
        return [CriterionRow._make(r) for r in records]
    result = await conn.execute(text(EFFICIENCY_ROWS_SQL), params)
    return [CriterionRow._make(r) for r in result.all()]


def to_asyncpg_placeholders(sql: str) -> tuple[str, list[str]]:
    """`:name` placeholders → asyncpg's `$n`; returns the SQL and the parameter order."""
    names: list[str] = []

    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in names:
            names.append(m.group(1))
        return f"${names.index(m.group(1)) + 1}"

    return re.sub(r"(?<!:):(\w+)", sub, sql), names


_ASYNCPG_SQL, _ASYNCPG_PARAMS = to_asyncpg_placeholders(EFFICIENCY_ROWS_SQL)
