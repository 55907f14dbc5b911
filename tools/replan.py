"""Re-planning a study schedule after the student completes a day (DESIGN.md §4.1).

Completing a day marks it done, applies an SM-2 review with the real grade to each graded topic (updating
its EF) and rebuilds only the days still ahead; every day before the rebuild point stays exactly as it was.

Rebuild point: the later of the day after the completed day, `today`, and the day after the latest
completed day — so past days (done or missed) and any day already completed are never rewritten.

Per-topic SM-2 state carried into the rebuild, from the sessions the kept days hold for that topic:
repetitions = sessions before its latest one, interval = the gap before its latest one, EF = the topic's
current EF. A graded topic's latest session is the completed day and it is reviewed with the real grade
(a failing grade brings it back the next day); an ungraded topic's next interval assumes the planner's
usual quality but keeps its EF. Topics with no kept session are introduced as new. The rebuild then follows
the same rules as `build_schedule` (see tools/schedule.py) over the remaining window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from tools.schedule import (
    ScheduleInputError,
    _as_date,
    _check_ef,
    _check_hours,
    _plan,
    _rank,
    _Topic,
    assumed_quality,
)
from tools.sm2 import SM2State, review

_DAY_KEYS = ("day", "date", "topics", "completed")


def _copy_days(schedule: object) -> list[dict]:
    if not isinstance(schedule, Sequence) or isinstance(schedule, (str, bytes)) or not schedule:
        raise ScheduleInputError("schedule", "must be a non-empty list of day objects")
    days = []
    for i, raw in enumerate(schedule):
        if not isinstance(raw, Mapping) or any(k not in raw for k in _DAY_KEYS):
            raise ScheduleInputError(f"schedule[{i}]", f"must be a day object with {', '.join(_DAY_KEYS)}")
        try:
            date.fromisoformat(raw["date"])
        except (TypeError, ValueError):
            raise ScheduleInputError(f"schedule[{i}].date", f"must be YYYY-MM-DD, got {raw['date']!r}") from None
        if not isinstance(raw["topics"], list) or not isinstance(raw["day"], int):
            raise ScheduleInputError(f"schedule[{i}]", "day must be an integer and topics a list of codes")
        day = dict(raw)
        day["topics"] = list(raw["topics"])
        day["activities"] = list(raw.get("activities", []))
        days.append(day)
    return days


def _check_efs(efs: object) -> dict[str, float]:
    if not isinstance(efs, Mapping) or not efs:
        raise ScheduleInputError("easiness_factors", "must be a non-empty mapping of code to EF")
    out = {}
    for code, ef in efs.items():
        if not isinstance(code, str) or not code.strip():
            raise ScheduleInputError("easiness_factors", "a topic code is empty")
        out[code] = _check_ef(code, ef)
    return out


def _check_grades(grades: object, target: dict, efs: Mapping[str, float]) -> dict[str, int]:
    if not isinstance(grades, Mapping):
        raise ScheduleInputError("grades", "must be a mapping of topic code to quality 0..5")
    for code, grade in grades.items():
        field = f"grades.{code}"
        if code not in efs or code not in target["topics"]:
            raise ScheduleInputError(field, f"is not a topic of day {target['day']}")
        if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade <= 5:
            raise ScheduleInputError(field, f"must be an integer quality 0..5, got {grade!r}")
    return dict(grades)


def complete_day(schedule: Sequence[Mapping], efs: Mapping[str, float], day: int, grades: Mapping[str, int], *,
                 today: date, exam_date: date, hours_per_day: float,
                 session_hours: float = 1.0) -> tuple[list[dict], dict[str, float]]:
    """Mark schedule day `day` completed, apply the SM-2 `grades` (topic code → quality 0..5, topics of
    that day only) and rebuild the remaining future days from the updated EFs.

    Returns (new schedule, new EFs). Inputs are not modified. Days up to and including the completed day
    (and any earlier than `today`) are returned unchanged apart from its `completed` flag. Raises
    `ScheduleInputError` naming the field: `day` (not in the schedule, or already completed),
    `grades.<code>`, `easiness_factors.<code>`, `hours_per_day`, `session_hours`, `exam_date`, `schedule`.
    """
    current = _check_efs(efs)
    hours = _check_hours(hours_per_day, "hours_per_day")
    session = _check_hours(session_hours, "session_hours")
    today_d, exam_d = _as_date(today, "today"), _as_date(exam_date, "exam_date")
    days = _copy_days(schedule)
    target = next((d for d in days if d["day"] == day), None)
    if target is None or isinstance(day, bool):
        raise ScheduleInputError("day", f"day {day!r} is not in the schedule")
    if target["completed"]:
        raise ScheduleInputError("day", f"day {day} is already completed")
    grades = _check_grades(grades, target, current)

    dated = [(date.fromisoformat(d["date"]), d) for d in days]
    plan_start = dated[0][0] - timedelta(days=dated[0][1]["day"] - 1)
    if exam_d <= plan_start:
        raise ScheduleInputError("exam_date", f"must be after the plan's start {plan_start.isoformat()}")
    target_date = date.fromisoformat(target["date"])
    target["completed"] = True
    last_completed = max(on for on, d in dated if d["completed"])
    rebuild_from = max(target_date + timedelta(days=1), today_d, last_completed + timedelta(days=1))
    kept = [d for on, d in dated if on < rebuild_from]

    history: dict[str, list[date]] = {}
    for on, d in sorted(dated, key=lambda pair: pair[0]):
        if on < rebuild_from:
            for code in d["topics"]:
                if code not in grades or on <= target_date:  # a graded topic's latest session is the graded one
                    history.setdefault(code, []).append(on)

    new_efs = dict(current)
    topics = []
    for code, ef in current.items():
        seen = history.get(code)
        if not seen:
            topics.append(_Topic(code, ef))
            continue
        gap = (seen[-1] - seen[-2]).days if len(seen) > 1 else 0
        before = SM2State(ef=ef, interval=gap, repetitions=len(seen) - 1)
        if code in grades:
            after = review(before, grades[code])
            new_efs[code] = after.ef
        else:
            projected = review(before, assumed_quality(ef))
            after = SM2State(ef=ef, interval=projected.interval, repetitions=projected.repetitions)
        topics.append(_Topic(code, after.ef, after, (seen[-1] - rebuild_from).days))

    window = (exam_d - rebuild_from).days
    if window <= 0:
        return [d for _, d in dated], new_efs
    future = _plan(_rank(topics), rebuild_from, window, hours, session,
                   day_offset=(rebuild_from - plan_start).days)
    return kept + future, new_efs
