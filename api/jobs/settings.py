"""Job-queue settings (env prefix TEACH_JOBS_)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class JobSettings(BaseSettings):
    """How workers run jobs and how a dead worker's job is found again."""

    model_config = SettingsConfigDict(env_prefix="TEACH_JOBS_", extra="ignore")

    # `teach serve` also runs a worker, so one machine needs one command; several instances can turn it off.
    in_process_worker: bool = True
    worker_concurrency: int = 2  # jobs one worker runs at once
    item_concurrency: int = 4  # items of one job run at once (students planned, attempts marked)
    item_attempts: int = 3  # tries of one item (exponential backoff) before it is recorded as failed
    item_backoff_seconds: float = 0.5
    job_attempts: int = 5  # tries of a whole run that failed outside any item (database away, …)
    job_backoff_seconds: int = 2
    heartbeat_seconds: float = 5.0
    # A job whose worker sent no heartbeat for this long is taken to be dead and is run again elsewhere.
    stalled_after_seconds: float = 20.0
    recover_every_seconds: float = 5.0
    poll_seconds: float = 1.0  # fallback when LISTEN/NOTIFY is unavailable
