"""Realistic `director` data for the efficiency benchmark, bulk-loaded with COPY.

Shape (for `sessions` = 10,000): 500 students ("agents") in 25 classes, 40 coaches plus the AI coach, four
scorecard templates of ten criteria each (auto, manual, one excluded from QA scores, one outcome), every agent
scored on two of them; ~150k scorecards / ~1.5M scores spread over ~10 months, rates varying per agent
(log-normal) so keys are spread, not piled on one agent; ~3% of conversations re-scored (so distinct
conversation counts matter); ~4% of scores without a numeric value. Sessions: 1–3 focus criteria, ~10% with
an empty array resolved through the plan's targets, a few soft-deleted, drafts and too-recent ones.

Ids are ULID-shaped (time-ordered prefix) and rows are loaded in time order, as a live system writes them.
Everything derives from one seed, so two runs build the same database.
"""

from __future__ import annotations

import io
import json
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg

CUSTOMER = "bench-school"
PROFILE = "9708"
ANCHOR = datetime(2026, 1, 9, 12, 0, tzinfo=UTC)  # the benchmark's "now"
SPAN_DAYS = 300
CRITERIA_PER_TEMPLATE = 10
SCORES_PER_SESSION = 150  # ~1.5M scores for 10k sessions
# criterion_scores and criterion_windows are filled by migrations 009/010's triggers as rows load; they
# need the VACUUM too.
TABLES = ("scorecard_templates", "scorecards", "scores", "criterion_scores", "coaching_plans", "targets",
          "coaching_sessions", "criterion_windows")


@dataclass
class Plan:
    """How much of everything to generate for a given number of sessions."""

    sessions: int
    agents: int = field(init=False)
    scorecards: int = field(init=False)

    def __post_init__(self) -> None:
        self.agents = max(20, self.sessions // 20)
        self.scorecards = self.sessions * SCORES_PER_SESSION // CRITERIA_PER_TEMPLATE


def _ts(t: datetime) -> str:
    return t.isoformat()


class _Ids:
    """ULID-shaped ids: 12 hex digits of milliseconds, then a per-kind counter (sortable by time)."""

    def __init__(self) -> None:
        self.n = 0

    def at(self, t: datetime) -> str:
        self.n += 1
        return f"{int(t.timestamp() * 1000):012x}{self.n:014x}"


def _templates() -> list[tuple[str, list[dict]]]:
    out = []
    for k in range(4):
        criteria = []
        for j in range(CRITERIA_PER_TEMPLATE):
            c: dict = {"identifier": f"t{k}c{j:02d}", "name": f"Criterion {k}.{j}", "weight": 1.0}
            if j < 6:
                c["auto_qa"] = {"triggers": [f"kw{j}"]}
            c["exclude_from_qa_scores"] = j == 8
            c["is_outcome_criterion"] = j == 9
            criteria.append(c)
        out.append((f"tpl{k:02d}0000000000000000000", criteria))
    return out


def _tsv(rows: list[tuple]) -> str:
    def cell(v: object) -> str:
        if v is None:
            return r"\N"
        if isinstance(v, bool):
            return "t" if v else "f"
        if isinstance(v, list):
            return "{" + ",".join(v) + "}"
        return str(v)

    return "".join("\t".join(cell(v) for v in r) + "\n" for r in rows)


def _copy(conn: psycopg.Connection, table: str, columns: str, rows: list[tuple]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY director.{table} ({columns}) FROM STDIN") as cp:
        buf = io.StringIO()
        for i in range(0, len(rows), 50_000):
            buf.seek(0)
            buf.truncate()
            buf.write(_tsv(rows[i:i + 50_000]))
            cp.write(buf.getvalue())


def generate(conn: psycopg.Connection, *, sessions: int, seed: int = 4) -> dict[str, int]:
    """Fill an empty, migrated database; returns row counts. The caller's connection must be autocommit."""
    rnd = random.Random(seed)
    plan = Plan(sessions)
    ids = _Ids()
    start = ANCHOR - timedelta(days=SPAN_DAYS)
    templates = _templates()
    # (No `synchronous_commit = off`: VACUUM cannot mark pages of an asynchronously committed insert
    # all-visible, and index-only scans need that.)
    # Autovacuum's ANALYZE of one table holds a snapshot while the next table loads, which stops our VACUUM
    # from marking those pages all-visible (no index-only scans). Pause it during the load.
    for table in TABLES:
        conn.execute(f"ALTER TABLE director.{table} SET (autovacuum_enabled = false)")
    _copy(conn, "scorecard_templates", "resource_id, customer, profile, revision, title, template, status", [
        (tid, CUSTOMER, PROFILE, "1", f"Template {tid[:5]}", json.dumps({"criteria": crit, "chapters": []}), 1)
        for tid, crit in templates
    ])

    agents = [f"agent-{i:05d}" for i in range(plan.agents)]
    agent_templates = {a: rnd.sample(range(len(templates)), 2) for a in agents}
    agent_class = {a: f"class-{rnd.randrange(25):02d}" for a in agents}
    agent_skill = {a: rnd.uniform(0.45, 0.85) for a in agents}
    weights = [rnd.lognormvariate(0, 0.6) for _ in agents]
    total_w = sum(weights)

    # Scorecards and scores, in submission order.
    events: list[tuple[datetime, str, int]] = []
    for a, w in zip(agents, weights):
        for _ in range(round(plan.scorecards * w / total_w)):
            t = start + timedelta(seconds=rnd.uniform(0, SPAN_DAYS * 86400))
            events.append((t, a, rnd.choice(agent_templates[a])))
    events.sort()
    cards, scores, recent_conv = [], [], {}
    for t, a, k in events:
        tid, crit = templates[k]
        prior = recent_conv.get((a, k))
        conv = prior if prior and rnd.random() < 0.03 else ids.at(t)
        recent_conv[(a, k)] = conv
        cid = ids.at(t)
        manual = rnd.random() < 0.2
        drift = 0.1 * math.sin((t - start).days / 40 + int(a[-5:]) % 7)
        cards.append((cid, CUSTOMER, PROFILE, conv, a, tid, "1", "marker", _ts(t), _ts(t), manual, agent_class[a]))
        for c in crit:
            v = None if rnd.random() < 0.04 else round(min(1.0, max(0.0, agent_skill[a] + drift + rnd.gauss(0, 0.15))), 3)
            scores.append((ids.at(t), CUSTOMER, PROFILE, cid, c["identifier"], v, not manual, agent_class[a]))
    _copy(conn, "scorecards", "resource_id, customer, profile, conversation_id, agent_user_id, template_id, "
          "template_revision, creator_user_id, submitted_at, ai_scored_at, manually_scored, usecase_id", cards)
    _copy(conn, "scores", "resource_id, customer, profile, scorecard_id, criterion_identifier, numeric_value, "
          "ai_scored, usecase_id", scores)

    # Coaching plans with targets, then sessions.
    coaches = [f"teacher-{i:03d}" for i in range(40)] + ["coach-agent"]
    plans, targets, agent_plan = [], [], {}
    for a in agents:
        if rnd.random() < 0.6:
            pid = ids.at(start)
            k = agent_templates[a][0]
            picked = rnd.sample(templates[k][1][:8], rnd.randint(1, 2))
            fc = [f"{templates[k][0]}/{c['identifier']}" for c in picked]
            plans.append((pid, CUSTOMER, PROFILE, a, rnd.choice(coaches), fc, True, agent_class[a]))
            targets += [(ids.at(start), CUSTOMER, PROFILE, pid, templates[k][0], c["identifier"], 0.8, agent_class[a])
                        for c in picked]
            agent_plan[a] = pid
    _copy(conn, "coaching_plans", "resource_id, customer, profile, agent_user_id, creator_user_id, "
          "focus_criteria_ids, is_active, usecase_id", plans)
    _copy(conn, "targets", "target_id, customer, profile, coaching_plan_id, scorecard_template_id, "
          "criterion_or_chapter_id, target, usecase_id", targets)

    rows = []
    for _ in range(sessions):
        a = rnd.choices(agents, weights)[0]
        t = start + timedelta(days=10) + timedelta(seconds=rnd.uniform(0, (SPAN_DAYS - 12) * 86400))
        k = rnd.choice(agent_templates[a])
        pid = agent_plan.get(a)
        if pid and rnd.random() < 0.12:
            focus: list[str] = []
        else:
            picked = rnd.sample(templates[k][1], rnd.choice([1, 1, 1, 2, 2, 3]))
            focus = [f"{templates[k][0]}/{c['identifier']}" for c in picked]
        r = rnd.random()
        submitted = None if r < 0.03 else _ts(t + timedelta(hours=1))
        deleted = _ts(t + timedelta(days=2)) if 0.03 <= r < 0.06 else None
        rows.append((ids.at(t), CUSTOMER, PROFILE, a, rnd.choice(coaches), pid, focus, _ts(t), submitted,
                     deleted, agent_class[a]))
    _copy(conn, "coaching_sessions", "resource_id, customer, profile, agent_user_id, manager_submitter_user_id, "
          "coaching_plan_id, focus_criteria_ids, session_at, manager_submitted_at, deleted_at, usecase_id", rows)
    for table in TABLES:
        conn.execute(f"VACUUM (ANALYZE) director.{table}")  # visibility map too: index-only scans need it
        conn.execute(f"ALTER TABLE director.{table} RESET (autovacuum_enabled)")
    return {"sessions": len(rows), "scorecards": len(cards), "scores": len(scores), "agents": len(agents),
            "plans": len(plans)}
