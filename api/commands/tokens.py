"""`teach tokens list|create|revoke`: API tokens from the command line (the admin's view: everyone's)."""

from __future__ import annotations

import argparse
import uuid

from api.cli import UserError
from api.commands.common import database_url, migrate, run_in_session
from db import clock
from db.repo import accounts as repo


def _list(args: argparse.Namespace) -> int:
    url = database_url()
    migrate(url)

    async def work(session):  # noqa: ANN001, ANN202
        owner = None
        if args.email:
            acct = await repo.get_account_by_email(session, email=args.email)
            if acct is None:
                raise UserError(f"no account with email {args.email!r}")
            owner = acct.id
        return await repo.list_tokens(session, account_id=owner)

    now = clock.now()
    rows = run_in_session(url, work)
    print(f"{'id':<36}  {'owner':<32} {'name':<20} {'state':<8} expires")
    for t, o in rows:
        state = "revoked" if t.revoked_at else "expired" if t.expires_at and t.expires_at <= now else "live"
        print(f"{t.id!s:<36}  {o.email:<32} {t.name[:20]:<20} {state:<8} "
              f"{t.expires_at.isoformat(timespec='minutes') if t.expires_at else 'never'}")
    print(f"{len(rows)} token(s)")
    return 0


def _create(args: argparse.Namespace) -> int:
    from api.auth.tokens import issue_api_token

    url = database_url()
    migrate(url)

    async def work(session):  # noqa: ANN001, ANN202
        acct = await repo.get_account_by_email(session, email=args.email)
        if acct is None:
            raise UserError(f"no account with email {args.email!r}")
        return await issue_api_token(session, account_id=acct.id, name=args.name)

    print(f"token (shown once): {run_in_session(url, work)}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    try:
        token_id = uuid.UUID(args.token_id)
    except ValueError:
        raise UserError(f"{args.token_id!r} is not a token id (see `teach tokens list`)") from None
    url = database_url()
    migrate(url)

    async def work(session):  # noqa: ANN001, ANN202
        return await repo.revoke_tokens(session, token_ids=[token_id])

    if not run_in_session(url, work):
        raise UserError(f"no live token with id {token_id}")
    print(f"revoked {token_id}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Mount `tokens list|create|revoke`."""
    p = sub.add_parser("tokens", help="API tokens: list, create, revoke")
    psub = p.add_subparsers(dest="action", required=True)
    ls = psub.add_parser("list", help="every token (or one account's), never the secrets")
    ls.add_argument("--email", default=None)
    ls.set_defaults(func=_list)
    c = psub.add_parser("create", help="issue a token for an account (printed once)")
    c.add_argument("--email", required=True)
    c.add_argument("--name", default="teach tokens create")
    c.set_defaults(func=_create)
    r = psub.add_parser("revoke", help="revoke a token by id")
    r.add_argument("token_id")
    r.set_defaults(func=_revoke)
