"""`teach eval run` and `teach eval transcripts` end to end on the test's database."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from api.cli import main

ENTRIES = [{"role": "student", "content": "help with demand"},
           {"role": "coach", "content": "What would you do if the price of your snack rose?"}]


@pytest.fixture
def on_test_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI's configured database at this test's database; force the offline model."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TEACH_LLM_OFFLINE", "1")
    return db_url


def test_eval_run_writes_the_report_and_exits_zero(on_test_db: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["eval", "run", "--points", "9708.2.2", "--personas", "quick_correct,injection",
                 "--out", str(tmp_path), "--format", "md"])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"] == {"runs": 2, "passed": 2, "failed": 0, "all_passed": True}
    assert report["meta"]["coach_model"] == "offline"
    assert (tmp_path / "report.md").exists() and (tmp_path / "pass_rate.svg").exists()
    assert "2/2 runs passed" in out.out
    assert "] 2/2 injection 9708.2.2 ok" in out.err  # the progress bar goes to stderr


def test_eval_run_rejects_unknown_personas_and_points(on_test_db: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "run", "--personas", "pirate", "--out", str(tmp_path)]) == 2
    assert "personas: unknown pirate" in capsys.readouterr().err
    assert main(["eval", "run", "--points", "9708.99.1", "--out", str(tmp_path)]) == 2
    assert "points:" in capsys.readouterr().err


def test_eval_transcripts_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"transcript": ENTRIES, "syllabus_point": "9708.2.1"}) + "\n")
    out = tmp_path / "scores.json"
    assert main(["eval", "transcripts", "--file", str(source), "--out", str(out)]) == 0
    payload = json.loads(out.read_text())
    assert payload["summary"]["transcripts"] == 1
    assert {r["key"]: r["value"] for r in payload["transcripts"][0]["session"]}["answer_leakage"] == "No"

    source.write_text(json.dumps({"transcript": [{"role": "coach", "content": 1}]}) + "\n")
    assert main(["eval", "transcripts", "--file", str(source), "--out", str(out)]) == 2
    assert "line 1: transcript[0].content" in capsys.readouterr().err


async def test_eval_transcripts_from_stored_sessions(on_test_db: str, engine, tmp_path: Path) -> None:
    import asyncio

    from db.engine import session_factory
    from db.repo.accounts import create_account
    from db.repo.coaching import create_session

    async with session_factory(engine)() as s:
        student = await create_account(s, email=f"s-{uuid.uuid4().hex[:6]}@x.org", display_name="S", role="student")
        cs = await create_session(s, student_id=student.id, topic="demand", struggle_description=None,
                                  syllabus_point_code="9708.2.1")
        cs.session_transcript = ENTRIES
        await s.commit()
    out = tmp_path / "scores.json"
    # the CLI runs its own event loop, so run it off this test's loop
    code = await asyncio.to_thread(main, ["eval", "transcripts", "--student", str(student.id), "--out", str(out)])
    assert code == 0
    payload = json.loads(out.read_text())
    assert [t["id"] for t in payload["transcripts"]] == [str(cs.id)]
    bad = await asyncio.to_thread(main, ["eval", "transcripts", "--session", "not-a-uuid", "--out", str(out)])
    assert bad == 2
