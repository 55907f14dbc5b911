"""`teach chat`: talk to the Coach in the terminal, replies streamed as they are written.

With `--url` and `--token` it talks to a running server; otherwise it runs the service in-process on the
configured database (embedded by default) as a local student account, through the same HTTP code path.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

import httpx

from api.commands.common import prepare_database

LOCAL_EMAIL = "terminal-student@local"


async def _local_token(app: Any) -> str:
    from db.repo.accounts import create_account, get_account_by_email, issue_token

    async with app.state.sessionmaker() as s:
        acct = await get_account_by_email(s, email=LOCAL_EMAIL) or await create_account(
            s, email=LOCAL_EMAIL, display_name="Terminal student", role="student")
        token = await issue_token(s, account_id=acct.id, name="teach chat")
        await s.commit()
    return token


async def _stream_reply(client: httpx.AsyncClient, url: str, headers: dict[str, str], content: str) -> dict:
    done: dict = {}
    async with client.stream("POST", url, json={"content": content},
                             headers={**headers, "Accept": "text/event-stream"}) as r:
        if r.status_code != 200:
            body = json.loads(await r.aread())
            raise RuntimeError(body.get("error", {}).get("message", r.text))
        event = ""
        async for line in r.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                if event == "token":
                    print(data["text"], end="", flush=True)
                elif event == "done":
                    done = data
                elif event == "error":
                    raise RuntimeError(data["message"])
    print()
    return done


async def _converse(client: httpx.AsyncClient, headers: dict[str, str], topic: str, point: str | None) -> None:
    body: dict[str, Any] = {"topic": topic}
    if point:
        body["syllabus_point"] = point
    r = await client.post("/v1/coaching-sessions", json=body, headers=headers)
    if r.status_code != 201:
        raise RuntimeError(r.json()["error"]["message"])
    session = r.json()
    print(f"session {session['id']} on {session['syllabus_point'] or 'an unmatched topic'} — type /quit to leave\n")
    url = f"/v1/coaching-sessions/{session['id']}/messages"
    first = input("you> ").strip() or topic
    while True:
        if first in ("/quit", "/exit"):
            return
        print("coach> ", end="", flush=True)
        done = await _stream_reply(client, url, headers, first)
        if done.get("outcome") not in (None, "in_progress"):
            print(f"\n[session closed: {done['outcome']} · model: {done.get('model')}]")
            return
        try:
            first = input("you> ").strip()
        except EOFError:
            return
        while not first:
            first = input("you> ").strip()


async def _run(args: argparse.Namespace) -> None:
    if args.url:
        if not args.token:
            raise SystemExit("teach chat: --token is required with --url")
        async with httpx.AsyncClient(base_url=args.url, timeout=120) as client:
            await _converse(client, {"Authorization": f"Bearer {args.token}"}, args.topic, args.syllabus_point)
        return
    from api.app import create_app

    app = create_app(database_url=args.database_url)
    async with app.router.lifespan_context(app):
        token = await _local_token(app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://local", timeout=120) as client:
            await _converse(client, {"Authorization": f"Bearer {token}"}, args.topic, args.syllabus_point)


def _chat(args: argparse.Namespace) -> int:
    if not args.topic:
        args.topic = input("What topic are you struggling with? ").strip() or "price elasticity of demand"
    try:
        if not getattr(args, "url", None):
            args.database_url = prepare_database()  # before the event loop: migrations run synchronously
        asyncio.run(_run(args))
    except RuntimeError as exc:
        print(f"teach chat: {exc}", file=sys.stderr)
        return 1
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Mount `chat`."""
    p = sub.add_parser("chat", help="chat with the Coach in the terminal")
    p.add_argument("--topic", default=None, help="what you are struggling with (asked if omitted)")
    p.add_argument("--syllabus-point", default=None, help="a syllabus code such as 9708.2.2")
    p.add_argument("--url", default=None, help="a running server, e.g. http://127.0.0.1:8000")
    p.add_argument("--token", default=None, help="your API token (with --url)")
    p.set_defaults(func=_chat)
