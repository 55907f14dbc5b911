"""API fixtures: the app on the test's database, an HTTP client, and accounts with tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest


@dataclass
class Account:
    id: uuid.UUID
    email: str
    role: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
async def app(db_url: str):  # noqa: ANN201
    """The real app, lifespan started, on this test's database, curriculum loaded when available."""
    from api.app import create_app

    application = create_app(database_url=db_url)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    """HTTP client speaking to the app in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def make_account(app) -> Callable[..., Awaitable[Account]]:  # noqa: ANN001
    """Create an account with a token: `await make_account("teacher")`."""
    from db.repo.accounts import create_account, issue_token

    async def _make(role: str = "student", email: str | None = None) -> Account:
        email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.org"
        async with app.state.sessionmaker() as s:
            acct = await create_account(s, email=email, display_name=email.split("@")[0], role=role)
            token = await issue_token(s, account_id=acct.id)
            await s.commit()
        return Account(id=acct.id, email=acct.email, role=role, token=token)

    return _make


async def join_class(client: httpx.AsyncClient, teacher: Account, class_id: str, student: Account) -> None:
    """Enrol the way the product allows: the teacher's class code, accepted by the signed-in student."""
    r = await client.get(f"/v1/classes/{class_id}", headers=teacher.headers)
    assert r.status_code == 200, r.text
    r = await client.post("/v1/class-invites/accept", json={"code": r.json()["invite_code"]},
                          headers=student.headers)
    assert r.status_code == 200, r.text
