"""Sign-in settings (env prefix TEACH_AUTH_), read once per process."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AuthSettings(BaseSettings):
    """How long credentials live, where reset links point, and how they are delivered."""

    model_config = SettingsConfigDict(env_prefix="TEACH_AUTH_", extra="ignore")

    token_ttl_days: float = Field(default=90, gt=0)  # API tokens expire; `teach tokens` lists and revokes
    session_ttl_hours: float = Field(default=24 * 14, gt=0)  # a browser stays signed in this long
    reset_ttl_minutes: float = Field(default=60, gt=0)  # a password-reset link works once, this long
    min_password_length: int = Field(default=10, ge=8)
    base_url: str = "http://127.0.0.1:8000"  # how reset and invite links start
    # Secure cookies: "auto" sets the flag when the request came over https (or X-Forwarded-Proto says so).
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    # Where "forgot your password?" links go: nowhere (an admin runs `teach users reset-link`), or the log.
    mail_backend: Literal["none", "console"] = "none"


@lru_cache(maxsize=1)
def auth_settings() -> AuthSettings:
    """The process's auth settings."""
    return AuthSettings()
