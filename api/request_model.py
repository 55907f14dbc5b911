"""The base of every request body the API accepts.

Two rules, so that bad input is refused with the field named instead of silently misread or failing in the
database: an unknown key is an error (a mistyped field such as `grade` for `grades` must not be dropped
while the rest of the request is applied), and text PostgreSQL cannot store — a NUL character or a lone
UTF-16 surrogate, both of which valid JSON can carry — is refused before anything is written.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


def unstorable_text_problem(value: str) -> str | None:
    """Why PostgreSQL could not store this text, or None when it can."""
    if "\x00" in value:
        return "must not contain a NUL character (\\u0000)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (it contains a lone surrogate such as \\ud800)"
    return None


def _check_text(value: Any) -> None:
    if isinstance(value, str):
        if problem := unstorable_text_problem(value):
            raise ValueError(problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_text(item)


class RequestModel(BaseModel):
    """A request body: unknown keys are refused, and so is text the database cannot store."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        _check_text(value)
        return value
