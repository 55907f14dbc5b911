"""The `teach` command line: serve, migrate, users, curriculum, demo, chat, plan, eval.

Each subcommand lives in `api/commands/<name>.py` and registers itself.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
import warnings

import api.commands


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand mounted."""
    parser = argparse.ArgumentParser(prog="teach", description="AI teaching roles service")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(api.commands.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"api.commands.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `teach` console script."""
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(message)s")
    if not args.verbose:  # the embedded server's start-up chatter and per-request HTTP logs are noise here
        for noisy in ("pgserver", "httpx", "alembic"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except UserError as exc:
        print(f"teach: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001  (the CLI boundary: one line for a person, never a traceback)
        logging.getLogger("teach").debug("command failed", exc_info=True)
        print(f"teach {args.command}: failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
              " (rerun with -v for the traceback)", file=sys.stderr)
        return 1


class UserError(Exception):
    """A problem the user can fix (bad argument, missing thing): printed without a traceback."""


if __name__ == "__main__":
    raise SystemExit(main())
