"""Password hashing with argon2id (argon2-cffi's maintained defaults), off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from api.auth.settings import auth_settings
from api.errors import InvalidInput

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
# Verified when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY = _hasher.hash("not a real password, only here to spend the same time")


def check_password_policy(password: str, *, field: str = "password") -> None:
    """Long enough and not absurdly long (argon2 is fine with it; the request limit is not the place)."""
    minimum = auth_settings().min_password_length
    if len(password) < minimum:
        raise InvalidInput(f"{field}: use at least {minimum} characters", field=field)
    if len(password) > 1024:
        raise InvalidInput(f"{field}: at most 1024 characters", field=field)


async def hash_password(password: str) -> str:
    """The PHC string of an argon2id hash (computed in a thread: ~50 ms of CPU)."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; a missing hash still costs one verification."""

    def _verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(_verify)
