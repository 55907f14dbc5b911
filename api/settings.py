"""API settings (env prefix TEACH_): request limits, the review threshold."""

from __future__ import annotations

from pydantic import Field
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
    # Total seconds a chat turn / a marking run may spend on model calls before the offline model answers.
    turn_deadline_seconds: float = Field(default=20.0, gt=0)
    marking_deadline_seconds: float = Field(default=60.0, gt=0)
    # Seconds between SSE keep-alive comments while a turn runs (proxies cut silent streams at ~60 s).
    sse_keepalive_seconds: float = Field(default=5.0, gt=0)
    # On shutdown (SIGTERM), seconds to wait for in-flight turns to finish and store their replies.
    shutdown_grace_seconds: float = Field(default=30.0, ge=0)
    # Seconds a client may take to send the whole request body (a slow or short body is answered 408).
    body_timeout_seconds: float = Field(default=15.0, gt=0)
    # Scoring one posted transcript: at most this many characters in all, and this many seconds.
    score_max_chars: int = Field(default=200_000, ge=1000)
    score_timeout_seconds: float = Field(default=20.0, gt=0)
