"""Test suite: unit tests (pure), DB/API/graph tests against real PostgreSQL (one fresh database per test)."""
