"""Per-student and per-class limits: chat turns per minute, sessions opened per hour, LLM tokens per day.

Counts live in PostgreSQL (`quota_usage`, `llm_calls`), so they hold across API instances and restarts. A
request over a limit is answered 429 with `Retry-After` and a message a student understands; nothing is
taken from the quota by a request that is refused. When a token budget is spent, the school may choose
(`TEACH_QUOTA_OFFLINE_WHEN_SPENT`) that the offline model answers instead of refusing the turn.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import TooManyRequests
from db import clock
from db.repo import quotas as repo


class QuotaSettings(BaseSettings):
    """Limits (env TEACH_QUOTA_…); 0 turns a limit off."""

    model_config = SettingsConfigDict(env_prefix="TEACH_QUOTA_", extra="ignore")

    student_turns_per_minute: int = Field(default=20, ge=0)
    class_turns_per_minute: int = Field(default=400, ge=0)
    student_sessions_per_hour: int = Field(default=30, ge=0)
    student_tokens_per_day: int = Field(default=200_000, ge=0)
    class_tokens_per_day: int = Field(default=3_000_000, ge=0)
    # When a token budget is spent: True = the offline model answers; False = 429 until tomorrow (UTC).
    offline_when_spent: bool = True


def _wait(seconds: float) -> int:
    return max(1, math.ceil(seconds))


def _day_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


async def take_turn(db: AsyncSession, settings: QuotaSettings, *, student_id: uuid.UUID) -> bool:
    """Count one chat turn against the student and their classes (429 when over).

    Returns True when the turn may use the configured LLM, False when a token budget is spent and the offline
    model should answer.
    """
    now = clock.now()
    classes = await repo.classes_of(db, student_id=student_id)
    if settings.student_turns_per_minute:
        wait = await repo.consume(db, kind="turns_minute", owner_id=student_id, now=now, window_seconds=60,
                                  limit=settings.student_turns_per_minute)
        if wait is not None:
            raise TooManyRequests(f"you have sent {settings.student_turns_per_minute} messages this minute; "
                                  f"please wait {_wait(wait)} seconds and try again", retry_after=_wait(wait))
    for class_id in classes if settings.class_turns_per_minute else ():
        wait = await repo.consume(db, kind="class_turns_minute", owner_id=class_id, now=now, window_seconds=60,
                                  limit=settings.class_turns_per_minute)
        if wait is not None:
            raise TooManyRequests(f"your class is sending a lot of messages right now; please wait {_wait(wait)} "
                                  "seconds and try again", retry_after=_wait(wait))
    return await _tokens_left(db, settings, student_id=student_id, classes=classes, now=now)


async def _tokens_left(db: AsyncSession, settings: QuotaSettings, *, student_id: uuid.UUID,
                       classes: list[uuid.UUID], now: datetime) -> bool:
    day = _day_start(now)
    tomorrow = _wait((day + timedelta(days=1) - now).total_seconds())
    spent = bool(settings.student_tokens_per_day) and await repo.tokens_since(
        db, student_ids=[student_id], since=day) >= settings.student_tokens_per_day
    for class_id in classes if settings.class_tokens_per_day and not spent else ():
        spent = await repo.class_tokens_since(db, class_id=class_id, since=day) >= settings.class_tokens_per_day
        if spent:
            break
    if not spent:
        return True
    if settings.offline_when_spent:
        return False
    raise TooManyRequests("today's AI tutoring budget is used up; it renews at midnight UTC", retry_after=tomorrow)


async def take_session(db: AsyncSession, settings: QuotaSettings, *, student_id: uuid.UUID) -> None:
    """Count one opened session against the student (429 when over)."""
    if not settings.student_sessions_per_hour:
        return
    wait = await repo.consume(db, kind="sessions_hour", owner_id=student_id, now=clock.now(), window_seconds=3600,
                              limit=settings.student_sessions_per_hour)
    if wait is not None:
        raise TooManyRequests(f"you have opened {settings.student_sessions_per_hour} sessions this hour; please "
                              f"continue one of them or wait {_wait(wait) // 60 + 1} minutes",
                              retry_after=_wait(wait))
