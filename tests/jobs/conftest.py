"""Job fixtures: the app with its in-process worker (fast heartbeats), a school, a poller for job ends."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.api.conftest import Account, make_account  # noqa: F401  (shared API fixtures)
from tests.planning.conftest import School, exam_date, make_school  # noqa: F401


@pytest.fixture
def fast_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Quick retries and stall detection, so tests see recovery within seconds."""
    for name, value in {"ITEM_BACKOFF_SECONDS": "0.05", "HEARTBEAT_SECONDS": "0.5",
                        "STALLED_AFTER_SECONDS": "2", "RECOVER_EVERY_SECONDS": "0.5",
                        "POLL_SECONDS": "0.2", "JOB_BACKOFF_SECONDS": "0"}.items():
        monkeypatch.setenv(f"TEACH_JOBS_{name}", value)


@pytest.fixture
async def app(db_url: str, fast_jobs):  # noqa: ANN001, ANN201
    """The real app on this test's database, with a job worker inside it."""
    from api.app import create_app

    application = create_app(database_url=db_url, run_worker=True)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app):  # noqa: ANN001, ANN201
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def wait_job(client):  # noqa: ANN001, ANN201
    """`await wait_job(job_id, headers)`: poll until the job is finished; returns its last JSON."""

    async def _wait(job_id: str, headers: dict, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            r = await client.get(f"/v1/jobs/{job_id}", headers=headers)
            assert r.status_code == 200, r.text
            body = r.json()
            if body["status"] in ("succeeded", "failed", "cancelled"):
                return body
            assert time.monotonic() < deadline, f"job still {body['status']}: {body['progress']}"
            await asyncio.sleep(0.1)

    return _wait
