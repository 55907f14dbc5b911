"""Fixtures for the LLM tests: a real OpenAI-compatible HTTP server per module, reset for every test.

The graph fixtures (compiled workflow, sessionmaker, a student) and the API client fixtures are shared from
their own packages, so Coach turns here run exactly as they do there; a module that needs the app configured
differently overrides `app`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import client, make_account  # noqa: F401 - re-exported fixtures
from tests.graph.conftest import graph, sessionmaker, student  # noqa: F401 - re-exported fixtures
from tests.llm.fake_openai_server import FakeOpenAI


@pytest.fixture(scope="module")
def fake_openai_server() -> Iterator[FakeOpenAI]:
    """One server per test module."""
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_openai(fake_openai_server: FakeOpenAI) -> FakeOpenAI:
    """The module's server with an empty script and no recorded requests (and every breaker closed)."""
    from agents.breaker import reset_breakers

    reset_breakers()
    fake_openai_server.reset()
    return fake_openai_server
