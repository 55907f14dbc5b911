"""`teach migrate`: apply database migrations (and `teach curriculum load`)."""

from __future__ import annotations

import argparse

from api.commands.common import database_url, migrate, run_in_session
from tools.tenancy import organisation


def load_curriculum(url: str) -> str:
    """Upsert the bundled curriculum; returns a one-line report."""
    from curriculum.sync import sync_curriculum

    org = organisation()
    report = run_in_session(url, lambda s: sync_curriculum(s, organisation=org))
    return f"curriculum: {report.subjects} subject(s), {report.points} syllabus points, {report.questions} questions"


def _migrate(args: argparse.Namespace) -> int:
    url = database_url()
    migrate(url)
    print("database migrated to head")
    return 0


def _curriculum(args: argparse.Namespace) -> int:
    url = database_url()
    migrate(url)
    print(load_curriculum(url))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Mount `migrate` and `curriculum load`."""
    p = sub.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=_migrate)
    c = sub.add_parser("curriculum", help="curriculum data")
    csub = c.add_subparsers(dest="action", required=True)
    load = csub.add_parser("load", help="load the bundled curriculum into the database (idempotent)")
    load.set_defaults(func=_curriculum)
