"""Graph fixtures: the compiled workflow (in-memory checkpointer) on the test's database, and a student."""

from __future__ import annotations

import uuid

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from db.engine import session_factory
from db.repo.accounts import create_account


@pytest.fixture
def graph():  # noqa: ANN201
    """`build_graph()` compiled with an in-memory saver."""
    from graph.build import build_graph

    return build_graph().compile(checkpointer=InMemorySaver())


@pytest.fixture
def sessionmaker(engine):  # noqa: ANN001, ANN201
    return session_factory(engine)


@pytest.fixture
async def student(sessionmaker):  # noqa: ANN001, ANN201
    async with sessionmaker() as s:
        acct = await create_account(s, email=f"s-{uuid.uuid4().hex[:6]}@x.org", display_name="Sam", role="student")
        await s.commit()
    return acct
