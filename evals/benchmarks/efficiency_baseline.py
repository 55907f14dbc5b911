"""A faithful re-creation of the seed's RetrieveCoachingEfficiencyStats, to time against the set-based query.

Seed 004, "Data Flow in API": Phase 1 is one query for the (session, criterion) rows; Phase 2 calls
RetrieveQAScoreStats once per unique (agent, criterion, session date) and window — before and after —
with up to 15 calls in flight; Phases 3–4 compute and group in code. Here each call is the seed's QA query
itself (no HTTP hop, which would only slow the baseline further), through an asyncpg pool of 15 with a
semaphore of 15, with prepared statements. It uses our half-open windows relative to `session_at`, and
skips too-young and non-evaluable rows as the set-based query does, so both must return identical numbers
(checked by the benchmark), and the baseline is not charged for work the new code avoids.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import asyncpg

from tools.efficiency_sql import CRITERION_ROWS_CTE, to_asyncpg_placeholders
from tools.efficiency_stats import CriterionRow, GroupStats, group_stats

# Phase 1: the set-based statement's criterion rows, without any window.
_PHASE1_SQL = CRITERION_ROWS_CTE + """
SELECT r.session_id, r.agent_id, r.coach_id, r.template_id, r.criterion_id, r.old_enough,
       r.known, r.is_auto, r.excluded, r.is_outcome, r.session_at
FROM crows r
"""

# Phase 2: the seed's RetrieveQAScoreStats query, one window.
QA_SCORE_SQL = """
SELECT AVG(s.numeric_value) AS score, COUNT(DISTINCT sc.conversation_id) AS conv_count
FROM director.scorecards sc
JOIN director.scores s ON s.scorecard_id = sc.resource_id
WHERE sc.agent_user_id = $1 AND sc.template_id = $2 AND s.criterion_identifier = $3
  AND sc.submitted_at >= $4 AND sc.submitted_at < $5 AND sc.submitted_at IS NOT NULL
  AND s.numeric_value IS NOT NULL
GROUP BY sc.agent_user_id, s.criterion_identifier
"""


async def seed_approach(
    pool: asyncpg.Pool, *, customer: str, profile: str, start: datetime, end: datetime, now: datetime,
    group_by: list, auto_min: int, manual_min: int, min_age_days: int = 7, concurrency: int = 15,
) -> tuple[list[GroupStats], int]:
    """Run the seed's approach; returns the groups and how many QA queries it issued."""
    sql, names = to_asyncpg_placeholders(_PHASE1_SQL)
    params = {"customer": customer, "profile": profile, "start": start, "end": end, "usecase_ids": None,
              "users": None, "age_cutoff": now - timedelta(days=min_age_days)}
    async with pool.acquire() as conn:
        phase1 = await conn.fetch(sql, *[params[n] for n in names])

    windows: dict[tuple, tuple] = {}
    for r in phase1:
        if r["old_enough"] and r["known"] and not r["excluded"]:
            windows[(r["agent_id"], r["template_id"], r["criterion_id"], r["session_at"])] = ()
    sem = asyncio.Semaphore(concurrency)

    async def qa_stats(agent: str, tpl: str, crit: str, lo: datetime, hi: datetime) -> tuple[float | None, int]:
        async with sem, pool.acquire() as conn:
            got = await conn.fetchrow(QA_SCORE_SQL, agent, tpl, crit, lo, hi)
        return (got["score"], got["conv_count"]) if got else (None, 0)

    async def both(key: tuple) -> None:
        agent, tpl, crit, at = key
        before, after = await asyncio.gather(
            qa_stats(agent, tpl, crit, at - timedelta(days=8), at - timedelta(days=1)),
            qa_stats(agent, tpl, crit, at - timedelta(days=1), at + timedelta(days=6)),
        )
        windows[key] = (*before, *after)

    await asyncio.gather(*(both(k) for k in list(windows)))

    rows = []
    for r in phase1:
        w = windows.get((r["agent_id"], r["template_id"], r["criterion_id"], r["session_at"]))
        before_avg, before_n, after_avg, after_n = w if w else (None, 0, None, 0)
        rows.append(CriterionRow(
            session_id=r["session_id"], agent_id=r["agent_id"], coach_id=r["coach_id"],
            template_id=r["template_id"], criterion_id=r["criterion_id"], old_enough=r["old_enough"],
            known=r["known"], is_auto=r["is_auto"], excluded=r["excluded"], is_outcome=r["is_outcome"],
            before_avg=before_avg, before_n=before_n, after_avg=after_avg, after_n=after_n,
        ))
    return group_stats(rows, group_by=group_by, auto_min=auto_min, manual_min=manual_min), 2 * len(windows)
