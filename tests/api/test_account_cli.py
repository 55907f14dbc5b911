"""`teach users create --password`, `teach users reset-link`, `teach tokens list|revoke` on a real database."""

from __future__ import annotations

import re

import pytest

from api.cli import main


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # noqa: ANN201
    monkeypatch.setenv("DATABASE_URL", db_url)

    def run(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def test_create_with_password_reset_link_and_tokens(cli) -> None:  # noqa: ANN001
    code, out = cli("users", "create", "--role", "teacher", "--email", "T@Example.org",
                    "--password", "a long enough password")
    assert code == 0 and "password set" in out
    code, out = cli("users", "create", "--role", "student", "--email", "s@example.org", "--password", "short")
    assert code == 2 and "at least" in out
    code, out = cli("users", "reset-link", "t@example.org")
    assert code == 0 and re.search(r"http://127\.0\.0\.1:8000/reset-password/[\w-]{30,}", out)
    assert cli("users", "reset-link", "ghost@example.org")[0] == 2

    code, out = cli("tokens", "list", "--email", "t@example.org")
    assert code == 0 and "live" in out and "1 token(s)" in out
    token_id = re.search(r"^([0-9a-f-]{36})", out.splitlines()[1]).group(1)
    assert cli("tokens", "revoke", token_id)[0] == 0
    code, out = cli("tokens", "list")
    assert "revoked" in out
    assert cli("tokens", "revoke", token_id)[0] == 2  # no live token with that id any more
