"""Browser tests: Debian's Chromium driven by Playwright against a real uvicorn process (tests/live_server.py)
on a database holding the demo school (built through the API with the offline model).

Chromium missing: skipped locally with the reason, a failure in CI (CI=1), where .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM = os.environ.get("TEACH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PASSWORD = "browser test password"
SHOTS = os.environ.get("TEACH_SCREENSHOTS")  # a folder: take the README's screenshots while testing


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: .ci/run installs Debian's chromium package; in CI the "
                    "browser tests must run, not skip")
    pytest.skip(f"Chromium is not installed ({CHROMIUM}); `apt-get install chromium` to run the browser tests")


@dataclass
class Site:
    url: str
    class_id: str
    passwords: dict[str, str]  # short name -> password
    ids: dict[str, str]


async def _account(app, email: str, role: str, password: str) -> str:  # noqa: ANN001
    from api.auth.passwords import hash_password
    from db.repo.accounts import create_account, set_password_hash

    async with app.state.sessionmaker() as db:
        acct = await create_account(db, email=email, display_name=email.split("@")[0].title(), role=role)
        await set_password_hash(db, account_id=acct.id, password_hash=await hash_password(password))
        await db.commit()
    return str(acct.id)


@pytest.fixture(scope="module")
async def site(pg_server_url: str, pg_template: str):  # noqa: ANN201
    """The demo school on its own database (plus a new student and a teacher of another class), served by a
    real uvicorn process with the offline model."""
    _require_chromium()
    from api.app import create_app
    from api.services.demo_school import DemoSchool, build_history, email, issue_demo_tokens
    from tests import pg
    from tests.live_server import LiveServer

    name = pg.clone_database(pg_server_url, pg_template)
    db_url = pg.with_database(pg_server_url, name)
    offline = pytest.MonkeyPatch()
    offline.setenv("TEACH_LLM_OFFLINE", "1")  # the school is built with the offline model, as served
    app = create_app(database_url=db_url)
    try:
        async with app.router.lifespan_context(app):
            demo = DemoSchool()
            await issue_demo_tokens(app.state, demo)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://build",
                                         timeout=300) as client:
                await build_history(app.state, client, demo)
            tag = uuid.uuid4().hex[:6]
            extra = {"newbie": await _account(app, f"newbie-{tag}@example.org", "student", PASSWORD),
                     "stranger": await _account(app, f"stranger-{tag}@example.org", "teacher", PASSWORD)}
        passwords = {short: demo.passwords[email(short)] for short in ("ada", "rivera", "okafor", "ben")}
        passwords |= {"newbie": PASSWORD, "stranger": PASSWORD}
        emails = {short: email(short) for short in ("ada", "rivera", "okafor", "ben")}
        emails |= {"newbie": f"newbie-{tag}@example.org", "stranger": f"stranger-{tag}@example.org"}
        server = LiveServer(db_url, env={"TEACH_LLM_OFFLINE": "1"}).start()
        try:
            yield Site(url=server.url, class_id=demo.class_id or "", passwords=passwords,
                       ids={**demo.ids, **extra, **{f"{k}_email": v for k, v in emails.items()}})
        finally:
            server.terminate()
    finally:
        offline.undo()
        pg.drop_database(pg_server_url, name)


@pytest.fixture(scope="module")
async def browser(site):  # noqa: ANN001, ANN201
    """One headless Chromium for the module."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            await b.close()
