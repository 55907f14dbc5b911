"""`director.criterion_windows`: the before/after aggregates of every coached window, kept current by triggers.

Coaching efficiency compares, per (agent, template, criterion, session_at), the criterion's scores in the
week before a session with the week after. Computing those windows at read time costs one index range scan
and two DISTINCT aggregates per (session, criterion) — ~15k of each at 10k sessions, ~250 ms on one core —
whatever the index. The windows only change when a score or a session changes, so this migration keeps
them materialised and the read becomes a join (measured ~250 ms → ~40 ms; `evals.benchmarks.efficiency`).

Three definitions live here, once each, and are used by both the triggers and tools/efficiency_sql.py:

- `director.coaching_session_criteria` (view): the (session, template, criterion) pairs a session coaches —
  its `focus_criteria_ids` ("template/criterion"), or, only when that array is empty or NULL (the seed's
  Hilton case), its coaching plan's targets. Each pair once: a criterion listed twice is coached once.
- `director.criterion_window_stats(agent, template, criterion, at)` (inlinable SQL function): AVG of the
  numeric scores and COUNT(DISTINCT conversation) in the half-open before window [at − 8 d, at − 1 d) and
  after window [at − 1 d, at + 6 d), read from `criterion_scores` (migration 009).
- `director.criterion_windows` (table): that function's result for every window a submitted, live session
  needs, keyed by the session's tenancy (customer, profile) and (agent_user_id, template_id,
  criterion_identifier, session_at); the tenancy only narrows a read to its own windows, the content
  depends on the key alone.

Maintenance, in the writer's transaction (statement-level triggers with transition tables, so a COPY of a
million scores is one set-based statement):
- `criterion_scores` INSERT/UPDATE/DELETE (which 009's triggers drive from scores and scorecards): every
  stored window whose range holds a changed score is recomputed from scratch; TRUNCATE empties them all.
- `coaching_sessions` INSERT/UPDATE, `targets` INSERT/UPDATE, `coaching_plans` INSERT/UPDATE: windows the
  affected sessions need and that are not stored yet are computed and inserted.
Windows no session needs any more (a session moved or deleted) are left in place: the read joins on the
exact key, so they are never read, and they cost only their share of score-trigger probes.

Concurrency. A window recomputed from a snapshot can miss a concurrent, uncommitted score (and a new window
can miss one the same way), and the last writer would then store a stale aggregate for good. So every
maintaining statement first takes a transaction-level advisory lock on the agent's bucket
(`pg_advisory_xact_lock(20264, hashtext(agent) & 63)`, in bucket order), then recomputes in a new statement
— which in READ COMMITTED takes a fresh snapshot that sees everything committed by the bucket's previous
holders. The last holder therefore computes from every committed change. 64 buckets bound the locks a bulk
load takes; two agents sharing a bucket only wait for each other's commit. Under REPEATABLE READ or
SERIALIZABLE the write fails with a serialization error instead of storing a stale window.

Revision ID: 010_criterion_windows
Revises: 009_criterion_scores
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "010_criterion_windows"
down_revision = "009_criterion_scores"
branch_labels = None
depends_on = None

S = "director"
BEFORE, SPLIT, AFTER = "8 days", "1 day", "6 days"  # [at − 8 d, at − 1 d) and [at − 1 d, at + 6 d)
KEY = ("agent_user_id", "template_id", "criterion_identifier", "session_at")


def _cols(alias: str = "") -> str:
    """The window key's columns, optionally qualified: `w.agent_user_id, w.template_id, …`."""
    return ", ".join(f"{alias}.{c}" if alias else c for c in KEY)


_VIEW = f"""
CREATE VIEW {S}.coaching_session_criteria AS
SELECT cs.resource_id AS session_id, cs.customer, cs.profile, cs.usecase_id, cs.agent_user_id,
       cs.manager_submitter_user_id, cs.session_at, cs.manager_submitted_at, cs.deleted_at,
       COALESCE(NULLIF(split_part(f.fc, '/', 1), ''), t.scorecard_template_id) AS template_id,
       COALESCE(NULLIF(split_part(f.fc, '/', 2), ''), t.criterion_or_chapter_id) AS criterion_identifier
FROM {S}.coaching_sessions cs
LEFT JOIN LATERAL (SELECT DISTINCT u.fc FROM unnest(cs.focus_criteria_ids) AS u(fc)) AS f ON true
LEFT JOIN {S}.coaching_plans cp
       ON f.fc IS NULL AND cp.resource_id = cs.coaching_plan_id AND cp.customer = cs.customer
      AND cp.profile = cs.profile
LEFT JOIN (SELECT DISTINCT coaching_plan_id, customer, profile, scorecard_template_id, criterion_or_chapter_id
           FROM {S}.targets) AS t
       ON t.coaching_plan_id = cp.resource_id AND t.customer = cp.customer AND t.profile = cp.profile
"""

_STATS_FUNCTION = f"""
CREATE FUNCTION {S}.criterion_window_stats(p_agent text, p_template text, p_criterion text, p_at timestamptz)
RETURNS TABLE (before_avg double precision, before_n bigint, after_avg double precision, after_n bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT avg(x.numeric_value) FILTER (WHERE x.submitted_at < p_at - interval '{SPLIT}'),
         count(DISTINCT x.conversation_id) FILTER (WHERE x.submitted_at < p_at - interval '{SPLIT}'),
         avg(x.numeric_value) FILTER (WHERE x.submitted_at >= p_at - interval '{SPLIT}'),
         count(DISTINCT x.conversation_id) FILTER (WHERE x.submitted_at >= p_at - interval '{SPLIT}')
  FROM {S}.criterion_scores x
  WHERE x.agent_user_id = p_agent AND x.template_id = p_template AND x.criterion_identifier = p_criterion
    AND x.submitted_at >= p_at - interval '{BEFORE}' AND x.submitted_at < p_at + interval '{AFTER}'
$$
"""


def _lock(agents_sql: str) -> str:
    """Advisory locks on the buckets of the agents `agents_sql` selects (one column), in bucket order."""
    return (f"PERFORM pg_advisory_xact_lock(20264, b) FROM (SELECT DISTINCT hashtext(a) & 63 AS b "
            f"FROM ({agents_sql}) AS agents(a) ORDER BY 1) AS buckets;")


def _refresh(changed: str) -> str:
    """Lock, then recompute every stored window whose range holds a row of `changed` (criterion_scores rows)."""
    # `changed` may be a subquery: alias it, as PostgreSQL before 16 requires of every subquery in FROM.
    return f"""
        {_lock(f"SELECT c.agent_user_id FROM {changed} AS c")}
        UPDATE {S}.criterion_windows w
           SET before_avg = s.before_avg, before_n = s.before_n, after_avg = s.after_avg, after_n = s.after_n
          FROM (SELECT DISTINCT w2.agent_user_id, w2.template_id, w2.criterion_identifier, w2.session_at
                  FROM {changed} n JOIN {S}.criterion_windows w2
                    ON w2.agent_user_id = n.agent_user_id AND w2.template_id = n.template_id
                   AND w2.criterion_identifier = n.criterion_identifier
                   AND w2.session_at > n.submitted_at - interval '{AFTER}'
                   AND w2.session_at <= n.submitted_at + interval '{BEFORE}') a
          CROSS JOIN LATERAL {S}.criterion_window_stats(a.agent_user_id, a.template_id, a.criterion_identifier,
                                                         a.session_at) s
         WHERE ({_cols("w")}) = ({_cols("a")});"""


def _ensure(session_ids: str) -> str:
    """Lock, then insert the missing windows of the submitted, live sessions whose ids `session_ids` selects."""
    return f"""
        {_lock(f"SELECT agent_user_id FROM {S}.coaching_sessions WHERE resource_id IN ({session_ids})")}
        INSERT INTO {S}.criterion_windows (customer, profile, {_cols()}, before_avg, before_n, after_avg, after_n)
        SELECT k.customer, k.profile, k.agent_user_id, k.template_id, k.criterion_identifier, k.session_at,
               s.before_avg, s.before_n, s.after_avg, s.after_n
          FROM (SELECT DISTINCT v.customer, v.profile, v.agent_user_id, v.template_id, v.criterion_identifier,
                       v.session_at
                  FROM {S}.coaching_session_criteria v
                 WHERE v.session_id IN ({session_ids})
                   AND v.manager_submitted_at IS NOT NULL AND v.deleted_at IS NULL AND v.session_at IS NOT NULL
                   AND v.template_id IS NOT NULL AND v.criterion_identifier IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM {S}.criterion_windows w
                                    WHERE w.customer = v.customer AND w.profile = v.profile
                                      AND w.agent_user_id = v.agent_user_id AND w.template_id = v.template_id
                                      AND w.criterion_identifier = v.criterion_identifier
                                      AND w.session_at = v.session_at)) k
          CROSS JOIN LATERAL {S}.criterion_window_stats(k.agent_user_id, k.template_id, k.criterion_identifier,
                                                         k.session_at) s
        ON CONFLICT DO NOTHING;"""


_FUNCTIONS = {
    "criterion_windows_on_scores_insert": _refresh("new_rows"),
    "criterion_windows_on_scores_update": _refresh("(SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows)"),
    "criterion_windows_on_scores_delete": _refresh("old_rows"),
    "criterion_windows_on_scores_truncate": f"""
        UPDATE {S}.criterion_windows SET before_avg = NULL, before_n = 0, after_avg = NULL, after_n = 0;""",
    "criterion_windows_on_sessions_change": _ensure("SELECT resource_id FROM new_rows"),
    "criterion_windows_on_targets_change": _ensure(
        f"SELECT cs.resource_id FROM {S}.coaching_sessions cs "
        "WHERE cs.coaching_plan_id IN (SELECT coaching_plan_id FROM new_rows)"),
    "criterion_windows_on_plans_change": _ensure(
        f"SELECT cs.resource_id FROM {S}.coaching_sessions cs "
        "WHERE cs.coaching_plan_id IN (SELECT resource_id FROM new_rows)"),
}

_NEW = "REFERENCING NEW TABLE AS new_rows"
_TRIGGERS = [  # (trigger, table, event, transition clause, function)
    ("trg_criterion_windows_scores_insert", "criterion_scores", "INSERT", _NEW,
     "criterion_windows_on_scores_insert"),
    ("trg_criterion_windows_scores_update", "criterion_scores", "UPDATE",
     "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", "criterion_windows_on_scores_update"),
    ("trg_criterion_windows_scores_delete", "criterion_scores", "DELETE", "REFERENCING OLD TABLE AS old_rows",
     "criterion_windows_on_scores_delete"),
    ("trg_criterion_windows_scores_truncate", "criterion_scores", "TRUNCATE", "",
     "criterion_windows_on_scores_truncate"),
    *[(f"trg_criterion_windows_{table}_{event.lower()}", table, event, _NEW, f"criterion_windows_on_{short}_change")
      for table, short in (("coaching_sessions", "sessions"), ("targets", "targets"), ("coaching_plans", "plans"))
      for event in ("INSERT", "UPDATE")],
]


def upgrade() -> None:
    op.execute(_VIEW)
    op.execute(_STATS_FUNCTION)
    op.create_table(
        "criterion_windows",
        sa.Column("customer", sa.String(), nullable=False),
        sa.Column("profile", sa.String(), nullable=False),
        sa.Column("session_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent_user_id", sa.String(), nullable=False),
        sa.Column("template_id", sa.String(), nullable=False),
        sa.Column("criterion_identifier", sa.String(), nullable=False),
        sa.Column("before_avg", sa.Float(), nullable=True),
        sa.Column("before_n", sa.Integer(), nullable=False),
        sa.Column("after_avg", sa.Float(), nullable=True),
        sa.Column("after_n", sa.Integer(), nullable=False),
        # The read's order: one tenancy's windows by time, then the key it joins on.
        sa.PrimaryKeyConstraint("customer", "profile", "session_at", "agent_user_id", "template_id",
                                "criterion_identifier", name="pk_criterion_windows"),
        schema=S,
    )
    # The triggers' order: a changed score finds the windows whose range holds it.
    op.create_index("idx_criterion_windows_key", "criterion_windows", list(KEY), schema=S)
    for name, body in _FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {S}.{name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}\n"
                   "RETURN NULL;\nEND\n$$")
    for trigger, table, event, transition, function in _TRIGGERS:
        op.execute(f"CREATE TRIGGER {trigger} AFTER {event} ON {S}.{table} {transition} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {S}.{function}()")
    # Existing data: every window existing sessions need.
    op.execute(f"DO $$BEGIN {_ensure(f'SELECT resource_id FROM {S}.coaching_sessions')} END$$")


def downgrade() -> None:
    for trigger, table, *_ in _TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON {S}.{table}")
    for name in _FUNCTIONS:
        op.execute(f"DROP FUNCTION {S}.{name}()")
    op.drop_index("idx_criterion_windows_key", table_name="criterion_windows", schema=S)
    op.drop_table("criterion_windows", schema=S)
    op.execute(f"DROP FUNCTION {S}.criterion_window_stats(text, text, text, timestamptz)")
    op.execute(f"DROP VIEW {S}.coaching_session_criteria")
