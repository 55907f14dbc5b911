"""Coaching efficiency (seed 004, DESIGN.md §4.3): did coaching raise the coached criterion's QA scores?

For every submitted, live coaching session in the request and every criterion it focused on (its
`focus_criteria_ids`, or its plan's targets when that array is empty), compare the average score of that
criterion over the student's conversations in the week before the session ([−8 d, −1 d)) with the week
after ([−1 d, +6 d)); weight the change by the number of conversations after; sum per group.

`retrieve_efficiency_stats` is the entry point: one SQL statement computes the windows of all rows at once
(`tools.efficiency_sql`) and groups them (`tools.efficiency_groups_sql`); `tools.efficiency_stats` states
the grouping rules and implements them in Python too. Thresholds and the minimum
session age are `EfficiencySettings` (env prefix TEACH_EFFICIENCY_). `now` is injectable so results are
reproducible.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db import clock
from tools.efficiency_groups_sql import fetch_group_stats
from tools.efficiency_settings import EfficiencySettings
from tools.efficiency_sql import RowsRequest
from tools.efficiency_stats import ConfidenceInterval, CriterionRow, GroupBy, GroupStats

__all__ = [
    "ID_PATTERN",
    "ConfidenceInterval",
    "CriterionRow",
    "EfficiencySettings",
    "GroupBy",
    "GroupStats",
    "InvalidEfficiencyQuery",
    "parse_group_by",
    "retrieve_efficiency_stats",
]

# Ids we accept in filters: ULIDs, UUIDs, hex ids, slugs such as `coach-agent`. No spaces, no slashes.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")
MAX_FILTER_VALUES = 1000


class InvalidEfficiencyQuery(ValueError):
    """A request the calculation cannot answer; `field` names the offending parameter."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def parse_group_by(values: Sequence[str]) -> list[GroupBy]:
    """Validate grouping dimension names (unknown or repeated → InvalidEfficiencyQuery on `group_by`)."""
    out: list[GroupBy] = []
    for v in values:
        try:
            dim = GroupBy(v)
        except ValueError:
            allowed = ", ".join(g.value for g in GroupBy)
            raise InvalidEfficiencyQuery(f"unknown group type {v!r}; allowed: {allowed}", field="group_by") from None
        if dim in out:
            raise InvalidEfficiencyQuery(f"group type {v!r} given twice", field="group_by")
        out.append(dim)
    return out


def _check_ids(values: list[str] | None, field: str, *, empty_matches_nothing: bool = False) -> list[str] | None:
    if values is None or (not values and not empty_matches_nothing):
        return None
    if len(values) > MAX_FILTER_VALUES:
        raise InvalidEfficiencyQuery(f"at most {MAX_FILTER_VALUES} values", field=field)
    for v in values:
        if not isinstance(v, str) or not ID_PATTERN.match(v):
            raise InvalidEfficiencyQuery(f"{v!r} is not a valid id", field=field)
    return sorted(set(values))


def _check_time(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidEfficiencyQuery("timestamp needs a time zone", field=field)
    return value


async def retrieve_efficiency_stats(
    session: AsyncSession,
    *,
    customer: str,
    profile: str,
    start: datetime,
    end: datetime,
    usecase_ids: list[str] | None,
    users: list[str] | None,
    group_by: list[str],
    now: datetime | None = None,
    settings: EfficiencySettings | None = None,
) -> list[GroupStats]:
    """Coaching efficiency per group for sessions with `start <= session_at < end`.

    `usecase_ids`: None = no filter, an empty list matches nothing (a teacher without classes); `users`: None or
    empty = no filter, and a user matches as the coached agent or the coach.
    `group_by` takes `GroupBy` names (several = their combination; none = one overall group). Raises
    `InvalidEfficiencyQuery` (with the parameter name in `.field`) on bad input; reads only.
    """
    settings = settings or EfficiencySettings()
    dims = parse_group_by(group_by)
    start, end = _check_time(start, "start"), _check_time(end, "end")
    if end <= start:
        raise InvalidEfficiencyQuery("end must be after start", field="end")
    now = _check_time(now, "now") if now is not None else clock.now()
    request = RowsRequest(
        customer=customer,
        profile=profile,
        start=start,
        end=end,
        usecase_ids=_check_ids(usecase_ids, "usecase_ids", empty_matches_nothing=True),
        users=_check_ids(users, "users"),
        age_cutoff=now - timedelta(days=settings.min_session_age_days),
    )
    return await fetch_group_stats(
        session, request, group_by=dims,
        auto_min=settings.auto_min_conversations, manual_min=settings.manual_min_conversations,
    )
