"""Migrations: full round trip, models agree with the migrated schema, the seed's indexes exist."""

from __future__ import annotations

import psycopg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import db.models  # noqa: F401
from migrations.runner import downgrade, upgrade
from tests import pg


def test_upgrade_downgrade_upgrade_round_trip(pg_server_url: str) -> None:
    name = pg.clone_database(pg_server_url, "template0")
    url = pg.with_database(pg_server_url, name)
    try:
        upgrade(url)
        downgrade(url, "base")
        with psycopg.connect(url) as conn:
            tables = conn.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema IN ('public', 'director') AND table_name <> 'alembic_version'"
            ).fetchall()
            assert tables == []
        upgrade(url)
        with psycopg.connect(url) as conn:
            (n,) = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema IN ('public', 'director') "
                "AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'procrastinate%'"
            ).fetchone()
            assert n == len(SQLModel.metadata.tables) + 1  # + alembic_version
            (queue_tables,) = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'procrastinate%'").fetchone()
            assert queue_tables == 4  # the queue engine's jobs, workers, events, periodic defers
    finally:
        pg.drop_database(pg_server_url, name)


def test_models_and_migrations_agree(db_url: str) -> None:
    eng = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with eng.connect() as conn:
            # The queue engine's tables (procrastinate_*) are its own schema, applied by migration 011.
            ctx = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_schemas": True,
                "include_name": lambda name, type_, _parent: not (type_ == "table" and name.startswith("procrastinate_"))})
            assert compare_metadata(ctx, SQLModel.metadata) == []
    finally:
        eng.dispose()


def test_director_indexes_match_the_seed(db_url: str) -> None:
    expected = {
        "idx_coaching_sessions_lookup": (
            "ON director.coaching_sessions USING btree (customer, profile, usecase_id, agent_user_id, session_at) "
            "WHERE ((manager_submitted_at IS NOT NULL) AND (deleted_at IS NULL))"
        ),
        "idx_scorecards_qa_lookup": (
            "ON director.scorecards USING btree (agent_user_id, template_id, submitted_at) "
            "WHERE (submitted_at IS NOT NULL)"
        ),
        "idx_scores_criterion_lookup": "ON director.scores USING btree (scorecard_id, criterion_identifier)",
        "idx_coaching_plans_lookup": "ON director.coaching_plans USING btree (customer, profile, resource_id)",
        "idx_targets_plan_lookup": "ON director.targets USING btree (customer, profile, coaching_plan_id)",
    }
    with psycopg.connect(db_url) as conn:
        rows = dict(conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'director'").fetchall())
    for name, tail in expected.items():
        assert name in rows, name
        assert rows[name].endswith(tail), rows[name]


def test_seed_000_indexes_exist(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        rows = dict(conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'").fetchall())
    assert rows["idx_coaching_sessions_created"].endswith("USING btree (created_at DESC)")
    for name in [
        "idx_coaching_sessions_student", "idx_study_plans_student", "idx_study_plans_status",
        "idx_study_plans_exam_date", "idx_improvement_plans_student", "idx_improvement_plans_attempt",
    ]:
        assert name in rows
