"""`teach users create --role ROLE --email E`: create an account and print its token once."""

from __future__ import annotations

import argparse

from api.cli import UserError
from api.commands.common import database_url, migrate, run_in_session
from db.models import ROLES
from db.repo.accounts import create_account, get_account_by_email, issue_token


def _create(args: argparse.Namespace) -> int:
    url = database_url()
    migrate(url)

    async def work(session):  # noqa: ANN001, ANN202
        if await get_account_by_email(session, email=args.email) is not None:
            raise UserError(f"an account with email {args.email!r} already exists")
        acct = await create_account(
            session, email=args.email, display_name=args.name or args.email.split("@")[0], role=args.role
        )
        return acct, await issue_token(session, account_id=acct.id)

    acct, token = run_in_session(url, work)
    print(f"created {acct.role} {acct.email} id={acct.id}")
    print(f"token (shown once): {token}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Mount `users create`."""
    p = sub.add_parser("users", help="accounts")
    psub = p.add_subparsers(dest="action", required=True)
    c = psub.add_parser("create", help="create an account and print its API token")
    c.add_argument("--role", required=True, choices=ROLES)
    c.add_argument("--email", required=True)
    c.add_argument("--name", default=None, help="display name (default: the email's local part)")
    c.set_defaults(func=_create)
