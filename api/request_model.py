"""The base of every request body the API accepts.

Two rules, so that bad input is refused with the field named instead of silently misread or failing in the
database: an unknown key is an error (a mistyped field such as `grade` for `grades` must not be dropped
while the rest of the request is applied), and text PostgreSQL cannot store — a NUL character or a lone
UTF-16 surrogate, both of which valid JSON can carry — is refused before anything is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator


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


def _whole_number(value: Any) -> Any:
    """JSON's 2.0 is the integer 2 (as JSON Schema says); `true` is not 1 and 2.5 is not a whole number."""
    if isinstance(value, float) and not isinstance(value, bool) and value.is_integer():
        return int(value)
    return value


# A whole number in a request body: strict (no bools, no numeric strings), but 2.0 is accepted as 2.
WholeNumber = Annotated[int, BeforeValidator(_whole_number), Field(strict=True)]


def _iso_datetime(value: Any) -> Any:
    """A date-time is ISO 8601 text: `0.5` or `1700000000` is not one (pydantic reads them as Unix times)."""
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        raise ValueError("must be an ISO 8601 date-time such as 2026-01-31T09:00:00Z")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# A date-time in a query or body: ISO 8601 only.
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]


class RequestModel(BaseModel):
    """A request body: unknown keys are refused, and so is text the database cannot store."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        _check_text(value)
        return value
