"""API settings (env prefix TEACH_): request limits, the review threshold."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """Deployment-wide settings of the HTTP service."""

    model_config = SettingsConfigDict(env_prefix="TEACH_", extra="ignore")

    message_max_chars: int = 4000
    answer_max_chars: int = 20000
    max_body_bytes: int = 4_000_000  # a full attempt (50 answers at the limit) fits with room to spare
    host: str = "127.0.0.1"
    port: int = 8000
    class_plan_concurrency: int = 4
