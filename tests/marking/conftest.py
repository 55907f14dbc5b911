"""Marking fixtures: the compiled workflow (in-memory checkpointer), a student and stored attempts."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy import select

from db.engine import session_factory
from db.models import Question
from db.repo.accounts import create_account
from db.repo.attempts import create_attempt


@pytest.fixture(autouse=True)
def _offline_llm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Marking tests never reach a network model: the factory's default is the offline model."""
    monkeypatch.setenv("TEACH_LLM_OFFLINE", "1")


@pytest.fixture
def graph():
    """`build_graph()` compiled with an in-memory saver."""
    from graph.build import build_graph

    return build_graph().compile(checkpointer=InMemorySaver())


@pytest.fixture
def sessionmaker(engine):
    return session_factory(engine)


@pytest.fixture
async def student(sessionmaker):
    async with sessionmaker() as s:
        acct = await create_account(s, email=f"s-{uuid.uuid4().hex[:6]}@x.org", display_name="Sam", role="student")
        await s.commit()
    return acct


@pytest.fixture
def make_attempt(sessionmaker) -> Callable[..., Awaitable[tuple[uuid.UUID, dict[str, uuid.UUID]]]]:
    """`await make_attempt(student_id, [(ref, answer), ...])` → (attempt id, {ref: attempted question id})."""
    from db.repo.attempts import list_answers_with_questions

    async def _make(student_id: uuid.UUID, answers: list[tuple[str, str]]):
        async with sessionmaker() as s:
            refs = [ref for ref, _ in answers]
            questions = {q.ref: q for q in (await s.execute(select(Question).where(Question.ref.in_(refs)))).scalars()}
            attempt = await create_attempt(
                s, student_id=student_id, subject_id=questions[refs[0]].subject_id,
                answers=[(questions[ref].id, text) for ref, text in answers],
                max_marks=sum(questions[ref].max_marks for ref in refs))
            await s.commit()
            rows = await list_answers_with_questions(s, attempt_id=attempt.id)
        return attempt.id, {q.ref: aq.id for aq, q in rows}

    return _make


# The HTTP fixtures (app on this test's database, client, accounts with tokens) are shared with tests/api.
from tests.api.conftest import Account, app, client, join_class, make_account  # noqa: E402, F401


@pytest.fixture
def question_ids(app) -> Callable[..., Awaitable[dict[str, str]]]:  # noqa: F811
    """`await question_ids("9708-Q3-01", ...)` → {ref: question id as str}."""

    async def _ids(*refs: str) -> dict[str, str]:
        async with app.state.sessionmaker() as s:
            rows = (await s.execute(select(Question.ref, Question.id).where(Question.ref.in_(refs)))).all()
        return {ref: str(qid) for ref, qid in rows}

    return _ids


@pytest.fixture
def enrol(client) -> Callable[..., Awaitable[str]]:  # noqa: F811
    """`await enrol(teacher, student)`: the teacher's new 9708 class with the student in it; returns its id."""

    async def _enrol(teacher: Account, student: Account) -> str:
        r = await client.post("/v1/classes", json={"name": "Eco", "subject_code": "9708"}, headers=teacher.headers)
        assert r.status_code == 201, r.text
        class_id = r.json()["id"]
        await join_class(client, teacher, class_id, student)
        return class_id

    return _enrol
