"""SM-2 study schedule up to an exam date within a daily hours budget, and re-planning after a completed day.

Output: the seed's day objects `{day, date, topics, interval, activities, hours_allocated, ef, completed}`,
one per date that has something scheduled; `day` counts from the plan's start (day 1).

The rules (each one property-tested in tests/unit/test_schedule.py):
- Window: study days are the dates from `start` up to the exam; the last F of them are the final days
  (F = 1 under 14 days, 2 under 60, else 3; none when the window is a single day that must introduce topics).
  Each final day covers every topic as `mixed_review` and the very last adds `practice_exam`; a final day
  uses the whole `hours_per_day`. The day before the final days is the last study day L.
- Order: topics are ranked weakest first, by (EF, code), so the output does not depend on input order.
- First study ("study", "practice"): weakest first, so weak topics get the longest runway of reviews;
  spread evenly at about half a day's capacity of new topics per day, but over no more than the first half
  of the study days unless the capacity needs more.
- Sessions: every study or review session lasts `session_hours` (shortened to `hours_per_day` if longer);
  a day holds floor(hours_per_day / session length) sessions.
- Repeats ("review"): each topic runs its own SM-2 chain with an assumed quality per session — 4 for a
  topic with EF ≥ 2.3 (EF holds, intervals 1, 6, 15, 38…) and 3 for a weaker one (EF drops 0.14 a session,
  so intervals stay short). A review is due at previous session + interval, capped at L, so no interval
  reaches past the last study day; the chain ends on L.
- Overflow (deterministic, smooths load): topics are placed weakest first; a review whose due day is full
  goes to the nearest earlier day with room that is still after the topic's previous session (reviewing
  early never breaks spacing), else the nearest later day with room up to L; if no day has room the
  topic's chain ends there (a tight budget thins the reviews of the strongest topics first; it never
  drops a topic). Nothing piles up on the eve of the exam: that is a final day, and L only fills to capacity.
- Fairness: a topic never gets more sessions than any strictly weaker topic (its chain stops at that count).
- If the first study sessions alone do not fit, `ScheduleInputError` names `hours_per_day` (when more
  hours, ≤ 24, would fit them) or `exam_date`.
- A day's `interval` is the longest gap among its sessions since that topic's previous session (a first
  study counts as 1, SM-2's first interval); its `ef` is the lowest planned EF among its sessions.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tools.sm2 import EF_MAX, EF_MIN, SM2State, review

MAX_WINDOW_DAYS = 3660  # ten years; longer is a typo, not a study plan
STRONG_EF = 2.3  # topics at or above this are assumed to be reviewed with quality 4, others with 3


class ScheduleInputError(ValueError):
    """Bad input to the scheduler; `.field` names the offending field (e.g. `easiness_factors.9708.2.1`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class TopicEF:
    """A syllabus point code and its current easiness factor."""

    code: str
    ef: float


@dataclass(frozen=True)
class _Topic:
    """A topic as the planner sees it: `state` is its SM-2 state after its last session (None = never
    studied) and `last` that session's index relative to the window start (negative = before it)."""

    code: str
    ef: float
    state: SM2State | None = None
    last: int | None = None


def assumed_quality(ef: float) -> int:
    """The quality the planner assumes for a topic's future sessions: 4 if EF ≥ 2.3, else 3."""
    return 4 if ef >= STRONG_EF else 3


def final_day_count(window_days: int, *, must_introduce: bool = True) -> int:
    """How many of the window's last days are mixed-review / practice-exam days."""
    wanted = 1 if window_days < 14 else 2 if window_days < 60 else 3
    return min(wanted, window_days - 1 if must_introduce else window_days)


# ---------------------------------------------------------------- validation


def _as_date(value: object, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()  # a datetime counts by its date
    if isinstance(value, date):
        return value
    raise ScheduleInputError(field, f"must be a date (YYYY-MM-DD), got {value!r}")


def _check_ef(code: str, ef: object) -> float:
    field = f"easiness_factors.{code}"
    if isinstance(ef, bool) or not isinstance(ef, (int, float)) or not math.isfinite(ef):
        raise ScheduleInputError(field, f"must be a number between {EF_MIN} and {EF_MAX}, got {ef!r}")
    if not EF_MIN <= ef <= EF_MAX:
        raise ScheduleInputError(field, f"must be between {EF_MIN} and {EF_MAX}, got {ef}")
    return float(ef)


def _check_hours(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ScheduleInputError(field, f"must be a number of hours, 0 < hours ≤ 24, got {value!r}")
    if not 0 < value <= 24:
        raise ScheduleInputError(field, f"must be 0 < hours ≤ 24, got {value}")
    return float(value)


def _check_window(start: object, exam_date: object) -> tuple[date, date]:
    start_d, exam_d = _as_date(start, "start"), _as_date(exam_date, "exam_date")
    if exam_d <= start_d:
        raise ScheduleInputError("exam_date", f"must be after the start date {start_d.isoformat()}")
    if (exam_d - start_d).days > MAX_WINDOW_DAYS:
        raise ScheduleInputError("exam_date", f"must be within {MAX_WINDOW_DAYS} days of the start date")
    return start_d, exam_d


def _normalise_topics(topics: object) -> list[TopicEF]:
    if isinstance(topics, Mapping):
        topics = list(topics.items())
    if isinstance(topics, (str, bytes)) or not isinstance(topics, Iterable):
        raise ScheduleInputError("topics", "must be a list of (code, ef) pairs")
    out: list[TopicEF] = []
    seen: set[str] = set()
    for item in topics:
        if isinstance(item, TopicEF):
            code, ef = item.code, item.ef
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            code, ef = item
        else:
            raise ScheduleInputError("topics", f"each topic must be a (code, ef) pair, got {item!r}")
        if not isinstance(code, str) or not code.strip():
            raise ScheduleInputError("topics", "a topic code is empty")
        if code in seen:
            raise ScheduleInputError("topics", f"topic {code!r} appears twice")
        seen.add(code)
        out.append(TopicEF(code, _check_ef(code, ef)))
    if not out:
        raise ScheduleInputError("topics", "at least one topic is required")
    return out


def _rank(topics: Iterable[_Topic]) -> list[_Topic]:
    return sorted(topics, key=lambda t: (t.ef, t.code))


# ---------------------------------------------------------------- planning core


class _FreeDays:
    """Nearest day with spare capacity to the left / right of a day, with path compression: days only ever
    fill up, so each lookup is near O(1) and a whole schedule stays linear in its number of sessions."""

    def __init__(self, n: int, capacity: int) -> None:
        self.load = [0] * n
        self.capacity = capacity
        self._left = list(range(n))  # _left[d] == d while d has room, else points further left
        self._right = list(range(n))

    def _find(self, parent: list[int], d: int, lo: int, hi: int) -> int:
        root = d
        while lo <= root <= hi and parent[root] != root:
            root = parent[root]
        while lo <= d <= hi and parent[d] != root and parent[d] != d:
            parent[d], d = root, parent[d]
        return root

    def left(self, d: int) -> int:
        """Largest day ≤ d with room, or -1."""
        return -1 if d < 0 else self._find(self._left, d, 0, len(self.load) - 1)

    def right(self, d: int) -> int:
        """Smallest day ≥ d with room, or the number of days."""
        return len(self.load) if d >= len(self.load) else self._find(self._right, d, 0, len(self.load) - 1)

    def take(self, d: int) -> None:
        self.load[d] += 1
        if self.load[d] >= self.capacity:
            self._left[d], self._right[d] = d - 1, d + 1


def _study_days_error(unstudied: int, study_days: int, per_day: int, session_len: float,
                      session_hours: float, hours_per_day: float) -> ScheduleInputError:
    needed_sessions = math.ceil(unstudied / max(study_days, 1))
    needed_hours = needed_sessions * max(session_hours, session_len)
    if study_days >= 1 and needed_hours <= 24:
        return ScheduleInputError(
            "hours_per_day",
            f"{hours_per_day} h/day fits {per_day * study_days} first study sessions in {study_days} study "
            f"day(s) but {unstudied} topics need one each; allow at least {needed_hours:g} h/day",
        )
    return ScheduleInputError(
        "exam_date",
        f"{unstudied} topics need at least {math.ceil(unstudied / per_day)} study day(s) at {hours_per_day} h/day "
        f"before the final review day(s), but the window has {study_days}; choose a later exam_date",
    )


def _plan(topics: list[_Topic], start: date, n_days: int, hours_per_day: float, session_hours: float,
          day_offset: int) -> list[dict]:
    """Schedule the window [start, start + n_days) for ranked topics; see the module docstring."""
    session_len = min(session_hours, hours_per_day)
    capacity = max(1, int(hours_per_day / session_len + 1e-9))
    unstudied = [t for t in topics if t.state is None]
    finals = final_day_count(n_days, must_introduce=bool(unstudied))
    study_days = n_days - finals
    last_study = study_days - 1
    if len(unstudied) > capacity * study_days:
        raise _study_days_error(len(unstudied), study_days, capacity, session_len, session_hours, hours_per_day)

    free = _FreeDays(max(study_days, 0), capacity)
    sessions: list[list[tuple[int, str, int, float]]] = [[] for _ in range(max(study_days, 0))]
    # New topics take about half of each day's capacity, over at most the first half of the study days
    # unless the capacity needs longer, so reviews of earlier topics still have room alongside.
    quickest = math.ceil(len(unstudied) / max(1, capacity // 2))
    intro_window = min(study_days, quickest, max(math.ceil(study_days / 2), math.ceil(len(unstudied) / capacity)))
    first_day = {t.code: j * intro_window // len(unstudied) for j, t in enumerate(unstudied)}
    for t in unstudied:
        free.take(first_day[t.code])

    # Topics with equal EFs walk identical SM-2 chains; memoising the pure step keeps big plans fast.
    step = functools.lru_cache(maxsize=None)(review)
    last_seen: dict[str, int] = {}
    current_ef: dict[str, float] = {}
    weaker_min = math.inf  # fewest sessions among topics with a strictly lower EF
    group_ef, group_min = None, math.inf
    for rank, t in enumerate(topics):
        if t.ef != group_ef:
            weaker_min, group_ef, group_min = min(weaker_min, group_min), t.ef, math.inf
        quality = assumed_quality(t.ef)
        if t.state is None:
            prev = first_day[t.code]
            sessions[prev].append((rank, "study", 1, t.ef))
            state, count = step(SM2State(ef=t.ef), quality), 1
        else:
            prev, state, count = t.last if t.last is not None else -1, t.state, 0
        while count < weaker_min and 0 <= last_study and prev < last_study:
            due = max(0, min(prev + state.interval, last_study))
            day = due if free.load[due] < capacity else free.left(due - 1)
            if day <= max(prev, -1):  # no room after the previous session and before the due day
                day = free.right(due + 1)
                if day > last_study:
                    break
            free.take(day)
            sessions[day].append((rank, "review", day - prev, state.ef))
            state, prev, count = step(state, quality), day, count + 1
        last_seen[t.code], current_ef[t.code] = prev, state.ef
        group_min = min(group_min, count)

    days: list[dict] = []
    for d, todays in enumerate(sessions):
        if not todays:
            continue
        todays.sort()
        kinds = {kind for _, kind, _, _ in todays}
        activities = (["study", "practice"] if "study" in kinds else []) + (["review"] if "review" in kinds else [])
        days.append(_day(day_offset + d + 1, start + timedelta(days=d), [topics[r].code for r, *_ in todays],
                         max(gap for _, _, gap, _ in todays), activities,
                         min(round(len(todays) * session_len, 2), hours_per_day),
                         min(ef for *_, ef in todays)))
    codes = [t.code for t in topics]
    for k in range(finals):
        d = study_days + k
        gap = max((d - last_seen[c] for c in codes), default=1)
        activities = ["mixed_review", "practice_exam"] if k == finals - 1 else ["mixed_review"]
        days.append(_day(day_offset + d + 1, start + timedelta(days=d), list(codes), gap, activities,
                         hours_per_day, min(current_ef.values())))
        last_seen = dict.fromkeys(codes, d)
    return days


def _day(day: int, on: date, topics: list[str], interval: int, activities: list[str], hours: float,
         ef: float) -> dict:
    return {"day": day, "date": on.isoformat(), "topics": topics, "interval": int(interval),
            "activities": activities, "hours_allocated": hours, "ef": round(ef, 2), "completed": False}


# ---------------------------------------------------------------- public API


def build_schedule(topics: Iterable[tuple[str, float] | TopicEF] | Mapping[str, float], start: date,
                   exam_date: date, hours_per_day: float, *, session_hours: float = 1.0) -> list[dict]:
    """Build an SM-2 study schedule from `start` up to (not including) `exam_date`.

    `topics` are (code, EF) pairs, `TopicEF`s or a {code: EF} mapping. Returns the seed's day objects, only
    for dates with something scheduled. Raises `ScheduleInputError` naming the field: `topics` (empty,
    duplicate or blank code), `easiness_factors.<code>` (EF outside 1.3..2.5), `hours_per_day` (not
    0 < h ≤ 24, or too few hours for every topic's first study), `exam_date` (not after start, or too soon),
    `session_hours`. The rules are in the module docstring.
    """
    ranked = _rank(_Topic(t.code, t.ef) for t in _normalise_topics(topics))
    hours = _check_hours(hours_per_day, "hours_per_day")
    session = _check_hours(session_hours, "session_hours")
    start_d, exam_d = _check_window(start, exam_date)
    return _plan(ranked, start_d, (exam_d - start_d).days, hours, session, day_offset=0)
