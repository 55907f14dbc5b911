"""`teach demo`: create the demo school (teacher, examiner, a class, five students with four weeks of history)
through the product's own API, and print every demo account's password and token. Rerunning revokes the tokens it issued before,
prints fresh ones and leaves the history as it is."""

from __future__ import annotations

import argparse
import asyncio
import json

import httpx

from api.commands.common import prepare_database
from tools.tenancy import organisation


async def _run(database_url: str) -> None:
    from api.app import create_app
    from api.services.demo_school import DemoSchool, build_history, efficiency_request, issue_demo_tokens

    app = create_app(database_url=database_url)
    school = DemoSchool()
    async with app.router.lifespan_context(app):
        new = await issue_demo_tokens(app.state, school)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://demo", timeout=300) as client:
            if new:
                print("building the demo school's history through the API (about a minute)…")
                await build_history(app.state, client, school)
                for line in school.log:
                    print(f"  {line}")
            else:
                print("the demo school already exists; here are fresh passwords and tokens")
            org = organisation()
            token = school.tokens[f"rivera@{'demo-school.example'}"]
            r = await client.post(f"/v1/customers/{org}/profiles/9708/coachingEfficiencyStats:retrieve",
                                  json=efficiency_request(), headers={"Authorization": f"Bearer {token}"})
    print("\nsign in at http://127.0.0.1:8000/sign-in (these passwords are new on every run):")
    for mail, password in school.passwords.items():
        print(f"  {mail:<32} {password}")
    print("\nAPI tokens (use as `Authorization: Bearer <token>`; earlier demo tokens are now revoked):")
    for mail, tok in school.tokens.items():
        print(f"  {mail:<32} {tok}")
    print("\ndid the Coach's sessions raise marks? (coaching efficiency by coach, the teacher's view)")
    print(json.dumps(r.json(), indent=2))


def _demo(args: argparse.Namespace) -> int:
    asyncio.run(_run(prepare_database()))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Mount `demo`."""
    p = sub.add_parser("demo", help="create the demo school and print its users' tokens")
    p.set_defaults(func=_demo)
