"""Planning fixtures: a teacher with a 9708 class of students (API accounts with tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from api.schemas_planning import utc_today
from tests.api.conftest import Account, app, client, join_class, make_account  # noqa: E402, F401  (shared API fixtures)
from tests.graph.conftest import graph, sessionmaker, student  # noqa: F401  (shared graph fixtures)


@dataclass
class School:
    teacher: object
    class_id: str
    students: list


@pytest.fixture
def exam_date() -> str:
    """An exam eight weeks away."""
    return (utc_today() + timedelta(days=56)).isoformat()


@pytest.fixture
def make_school(client, make_account):  # noqa: F811  (the imported fixtures)
    """`await make_school(n)`: a teacher, a 9708 class, n students in it."""

    async def _make(n: int) -> School:
        teacher = await make_account("teacher")
        r = await client.post("/v1/classes", json={"name": "A2 Economics", "subject_code": "9708"},
                              headers=teacher.headers)
        assert r.status_code == 201, r.text
        class_id = r.json()["id"]
        students = []
        for _ in range(n):
            s = await make_account("student")
            await join_class(client, teacher, class_id, s)
            students.append(s)
        return School(teacher=teacher, class_id=class_id, students=students)

    return _make
