"""Evals never touch the analytics: `teach eval run` plays on a scratch database by default; pointed at the
serving database, its simulated students are tagged and their sessions stay out of coaching efficiency and
out of an admin's session list."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from api.cli import main
from tests.api.conftest import app, client, make_account  # noqa: F401  (shared API fixtures)


@pytest.fixture
def on_test_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TEACH_LLM_OFFLINE", "1")
    return db_url


def _counts(url: str) -> tuple[int, int, int]:
    with psycopg.connect(url) as conn:
        return tuple(conn.execute(  # type: ignore[return-value]
            "SELECT (SELECT count(*) FROM coaching_sessions), (SELECT count(*) FROM director.coaching_sessions), "
            "(SELECT count(*) FROM students)").fetchone())


def _databases(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT datname FROM pg_database")}


def test_default_run_leaves_the_configured_database_alone(on_test_db: str, tmp_path: Path) -> None:
    before, dbs = _counts(on_test_db), _databases(on_test_db)
    assert main(["eval", "run", "--points", "9708.2.2", "--personas", "quick_correct", "--out", str(tmp_path),
                 "--format", "md"]) == 0
    assert _counts(on_test_db) == before  # no session, no analytics row, no account
    assert _databases(on_test_db) == dbs  # and its scratch database is gone


async def test_on_the_serving_database_simulated_sessions_stay_out_of_analytics(on_test_db: str, tmp_path: Path,
                                                                                 client, make_account) -> None:  # noqa: ANN001, F811
    import asyncio

    code = await asyncio.to_thread(main, ["eval", "run", "--serving-database", "--points", "9708.2.2",
                                          "--personas", "quick_correct,confused", "--out", str(tmp_path)])
    assert code == 0
    with psycopg.connect(on_test_db) as conn:
        sessions, closed = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE outcome <> 'in_progress') FROM coaching_sessions").fetchone()
        simulated = conn.execute("SELECT bool_and(simulated), count(*) FROM students").fetchone()
        director = conn.execute("SELECT count(*) FROM director.coaching_sessions").fetchone()[0]
    assert sessions == 2 and closed >= 1  # the runs happened here and closed sessions
    assert simulated == (True, 2)
    assert director == 0  # no closed eval session became a coaching session of the analytics
    admin = await make_account("admin")
    listed = (await client.get("/v1/coaching-sessions", headers=admin.headers)).json()
    assert listed["total"] == 0 and listed["items"] == []
