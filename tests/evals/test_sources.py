"""Transcript sources: JSONL files (errors name line and field) and stored sessions by session, student,
class and date range (real PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from db.models import CoachingSession, Subject
from db.repo.accounts import add_class_member, create_account, create_class
from db.repo.coaching import create_session
from evals.session_transcript import TranscriptError
from evals.sources import transcripts_from_db, transcripts_from_jsonl

ENTRIES = [{"role": "student", "content": "help with demand", "timestamp": "2025-01-01T10:00:00Z"},
           {"role": "coach", "content": "What happens when the price rises?", "timestamp": "2025-01-01T10:00:01Z"}]


def test_jsonl_reads_every_line_and_names_ids(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"transcript": ENTRIES, "syllabus_point": "9708.2.1", "outcome": "in_progress"})
                    + "\n\n" + json.dumps({"id": "mine", "session_transcript": ENTRIES}) + "\n")
    first, second = transcripts_from_jsonl(path)
    assert first.id == "t.jsonl:1" and first.syllabus_point == "9708.2.1" and len(first.entries) == 2
    assert second.id == "mine" and second.syllabus_point is None


@pytest.mark.parametrize("lines, field", [
    (["{not json"], "line 1"),
    ([json.dumps({"transcript": ENTRIES}), json.dumps({"transcript": [{"role": "x", "content": "y"}]})],
     "line 2: transcript[0].role"),
    ([json.dumps({"transcript": ENTRIES, "syllabus_point": "nope"})], "line 1: syllabus_point"),
])
def test_jsonl_errors_name_the_line_and_field(tmp_path: Path, lines: list[str], field: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(TranscriptError) as caught:
        transcripts_from_jsonl(path)
    assert caught.value.field == field


async def _student(session, name: str):
    return await create_account(session, email=f"{name}-{uuid.uuid4().hex[:6]}@x.org", display_name=name,
                                role="student")


async def _stored(session, student_id, *, days_ago: int = 0, entries=ENTRIES):
    cs = await create_session(session, student_id=student_id, topic="demand", struggle_description=None,
                              syllabus_point_code="9708.2.1")
    cs.session_transcript = list(entries)
    await session.flush()
    when = datetime.now(UTC) - timedelta(days=days_ago)
    await session.execute(update(CoachingSession).where(CoachingSession.id == cs.id).values(created_at=when))
    return cs.id


async def test_db_source_filters_by_session_student_class_and_dates(session) -> None:
    alice, bob, carol = [await _student(session, n) for n in ("alice", "bob", "carol")]
    teacher = await create_account(session, email=f"t-{uuid.uuid4().hex[:6]}@x.org", display_name="T", role="teacher")
    subject = (await session.execute(select(Subject).where(Subject.code == "9708"))).scalar_one()
    klass = await create_class(session, name="A1", subject_id=subject.id, teacher_id=teacher.id)
    for member in (alice, bob):
        await add_class_member(session, class_id=klass.id, student_id=member.id)
    a_old = await _stored(session, alice.id, days_ago=10)
    a_new = await _stored(session, alice.id)
    b_new = await _stored(session, bob.id)
    c_new = await _stored(session, carol.id)
    empty = await _stored(session, carol.id, entries=[])
    await session.commit()

    by_session = await transcripts_from_db(session, session_id=a_old)
    assert [t.id for t in by_session.transcripts] == [str(a_old)]
    assert by_session.transcripts[0].outcome == "in_progress"
    by_student = await transcripts_from_db(session, student_id=alice.id)
    assert [t.id for t in by_student.transcripts] == [str(a_old), str(a_new)]
    by_class = await transcripts_from_db(session, class_id=klass.id)
    assert {t.id for t in by_class.transcripts} == {str(a_old), str(a_new), str(b_new)}
    recent = await transcripts_from_db(session, since=datetime.now(UTC) - timedelta(days=1))
    assert {t.id for t in recent.transcripts} == {str(a_new), str(b_new), str(c_new)}
    assert [s["id"] for s in recent.skipped] == [str(empty)]  # nothing to score yet: reported, not scored
    older = await transcripts_from_db(session, class_id=klass.id, until=datetime.now(UTC) - timedelta(days=1))
    assert [t.id for t in older.transcripts] == [str(a_old)]


async def test_db_source_refuses_no_filter_and_a_backwards_range(session) -> None:
    with pytest.raises(ValueError, match="filters"):
        await transcripts_from_db(session)
    now = datetime.now(UTC)
    with pytest.raises(ValueError, match="since"):
        await transcripts_from_db(session, since=now, until=now - timedelta(days=1))
