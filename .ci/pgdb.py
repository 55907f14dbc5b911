"""CI helper: `pgdb.py create|drop|version SERVER_URL [NAME]` on a PostgreSQL server (libpq URL)."""

import sys

import psycopg

action, server = sys.argv[1], sys.argv[2]
with psycopg.connect(server, autocommit=True) as conn:
    if action == "version":
        print(conn.info.server_version // 10000)
    elif action == "create":
        conn.execute(f'CREATE DATABASE "{sys.argv[3]}"')  # type: ignore[arg-type]
    elif action == "drop":
        conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[3]}" WITH (FORCE)')  # type: ignore[arg-type]
    else:
        raise SystemExit(f"unknown action {action!r}")
