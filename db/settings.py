"""Database settings: an external server via DATABASE_URL, or the embedded pgserver in a data directory."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "teach" / "pgdata"


class DatabaseSettings(BaseSettings):
    """Where the database lives. `DATABASE_URL` wins; without it the embedded server is used."""

    model_config = SettingsConfigDict(env_prefix="TEACH_DB_", extra="ignore")

    url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL", "TEACH_DB_URL"))
    data_dir: Path = Field(default_factory=_default_data_dir)
    # Connections kept open (20) plus burst connections (10): 30 at most, as before (10 + 20). With 50 students
    # posting at once, 20 burst connections were opened and closed all the time, and each new one re-prepares
    # every statement and re-reads the type codecs (~15-20 % of the server's CPU under that load).
    pool_size: int = 20
    max_overflow: int = 10
    echo: bool = False
