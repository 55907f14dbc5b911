"""`teach users create|reset-link|set-password`: accounts from the command line."""

from __future__ import annotations

import argparse
import getpass

from api.cli import UserError
from api.commands.common import database_url, migrate, run_in_session
from db.models import ROLES
from db.repo.accounts import create_account, get_account_by_email, set_password_hash

PROMPT = object()  # `--password` given without a value: ask for it


def _read_password(value: object) -> str | None:
    if value is None:
        return None
    if value is PROMPT:
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise UserError("the two passwords differ")
        return first
    return str(value)


async def _hashed(password: str) -> str:
    from api.auth.passwords import check_password_policy, hash_password
    from api.errors import InvalidInput

    try:
        check_password_policy(password)
    except InvalidInput as exc:
        raise UserError(exc.message) from None
    return await hash_password(password)


def _create(args: argparse.Namespace) -> int:
    from api.auth.tokens import issue_api_token

    password = _read_password(args.password)
    url = database_url()
    migrate(url)

    async def work(session):  # noqa: ANN001, ANN202
        if await get_account_by_email(session, email=args.email) is not None:
            raise UserError(f"an account with email {args.email!r} already exists")
        acct = await create_account(
            session, email=args.email, display_name=args.name or args.email.split("@")[0], role=args.role
        )
        if password is not None:
            await set_password_hash(session, account_id=acct.id, password_hash=await _hashed(password))
        return acct, await issue_api_token(session, account_id=acct.id, name="teach users create")

    acct, token = run_in_session(url, work)
    print(f"created {acct.role} {acct.email} id={acct.id}")
    print("password set: sign in at /sign-in" if password is not None else
          "no password: run `teach users reset-link EMAIL` to let them choose one")
    print(f"token (shown once): {token}")
    return 0


def _account_or_fail(session, email: str):  # noqa: ANN001, ANN202
    async def get():  # noqa: ANN202
        acct = await get_account_by_email(session, email=email)
        if acct is None:
            raise UserError(f"no account with email {email!r}")
        return acct

    return get()


def _reset_link(args: argparse.Namespace) -> int:
    from api.auth.resets import reset_link

    url = database_url()
    migrate(url)

    async def work(session):  # noqa: ANN001, ANN202
        return await reset_link(session, account=await _account_or_fail(session, args.email))

    print(run_in_session(url, work))
    return 0


def _set_password(args: argparse.Namespace) -> int:
    password = _read_password(args.password if args.password is not None else PROMPT)
    url = database_url()
    migrate(url)

    async def work(session):  # noqa: ANN001, ANN202
        from db.repo.auth import end_all_web_sessions

        acct = await _account_or_fail(session, args.email)
        await set_password_hash(session, account_id=acct.id, password_hash=await _hashed(password or ""))
        await end_all_web_sessions(session, account_id=acct.id)

    run_in_session(url, work)
    print(f"password set for {args.email}; its browsers were signed out")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Mount `users create|reset-link|set-password`."""
    p = sub.add_parser("users", help="accounts")
    psub = p.add_subparsers(dest="action", required=True)
    c = psub.add_parser("create", help="create an account and print its API token")
    c.add_argument("--role", required=True, choices=ROLES)
    c.add_argument("--email", required=True)
    c.add_argument("--name", default=None, help="display name (default: the email's local part)")
    c.add_argument("--password", nargs="?", const=PROMPT, default=None,
                   help="set a sign-in password (without a value: prompt for it)")
    c.set_defaults(func=_create)
    r = psub.add_parser("reset-link", help="print a one-time link that lets the account choose a new password")
    r.add_argument("email")
    r.set_defaults(func=_reset_link)
    s = psub.add_parser("set-password", help="set an account's password (prompts unless --password is given)")
    s.add_argument("email")
    s.add_argument("--password", default=None)
    s.set_defaults(func=_set_password)
