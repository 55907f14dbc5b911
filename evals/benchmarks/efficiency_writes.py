"""What the efficiency triggers cost writers: one submitted scorecard with its scores, timed three ways.

The read is fast because writes keep `criterion_scores` (migration 009) and `criterion_windows` (010)
current. This measures the price: inserting one scorecard and its criterion scores (two statements, as the
analytics bridge writes them), each landing inside a coached window so the window is recomputed, with

- no triggers (`session_replication_role = replica`, superuser only; nan otherwise),
- the mirror only (010's triggers on `criterion_scores` disabled),
- both (the product).

Everything runs in transactions that are rolled back, so the database is left as it was.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import timedelta

import psycopg

from evals.benchmarks.efficiency_data import CUSTOMER, PROFILE


def _targets(conn: psycopg.Connection, n: int) -> list[tuple[str, str, list[str], object]]:
    """`n` stored windows (agent, template, its criteria, a time inside the after window), reproducibly."""
    criteria = {
        tid: [c["identifier"] for c in (tpl if isinstance(tpl, dict) else json.loads(tpl))["criteria"]]
        for tid, tpl in conn.execute("SELECT resource_id, template FROM director.scorecard_templates")
    }
    rows = conn.execute(
        "SELECT agent_user_id, template_id, session_at FROM director.criterion_windows "
        "ORDER BY md5(agent_user_id || template_id || criterion_identifier || session_at::text) LIMIT %s", (n,))
    return [(a, t, criteria.get(t, []), at + timedelta(days=1)) for a, t, at in rows]


def _insert_cards(conn: psycopg.Connection, targets: list, tag: str) -> list[float]:
    times = []
    for i, (agent, template, crits, at) in enumerate(targets):
        card = f"wbench-{tag}-{i}"
        t = time.perf_counter()
        conn.execute(
            "INSERT INTO director.scorecards (resource_id, customer, profile, conversation_id, agent_user_id, "
            "template_id, template_revision, creator_user_id, submitted_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, '1', 'marker-agent', %s)",
            (card, CUSTOMER, PROFILE, f"conv-{card}", agent, template, at))
        values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(crits))
        params = [p for j, c in enumerate(crits) for p in (f"{card}-{j}", CUSTOMER, PROFILE, card, c, 0.5)]
        conn.execute("INSERT INTO director.scores (resource_id, customer, profile, scorecard_id, "
                     f"criterion_identifier, numeric_value) VALUES {values}", params)  # type: ignore[arg-type]
        times.append((time.perf_counter() - t) * 1000)
    return times


def write_cost(url: str, cards: int = 200) -> dict[str, float]:
    """Median ms per scorecard insert with no triggers, the mirror only, and mirror + windows."""
    out: dict[str, float] = {}
    with psycopg.connect(url) as conn:
        targets = _targets(conn, cards)
        conn.rollback()
        if not targets:
            return {"none": float("nan"), "mirror": float("nan"), "both": float("nan"), "cards": 0}
        for label in ("both", "mirror", "none"):
            try:
                if label == "none":
                    conn.execute("SET LOCAL session_replication_role = replica")
                elif label == "mirror":
                    # Every trigger on criterion_scores is 010's window maintenance (009's are on its sources).
                    conn.execute("ALTER TABLE director.criterion_scores DISABLE TRIGGER USER")
                _insert_cards(conn, targets[:10], f"warm-{label}")  # warm caches and plans
                out[label] = statistics.median(_insert_cards(conn, targets, label))
            except psycopg.errors.InsufficientPrivilege:
                out[label] = float("nan")
            finally:
                conn.rollback()
    out["cards"] = len(targets)
    return out
