"""SM-2 study schedule (tools/schedule.py) and re-planning (tools/replan.py): the properties of DESIGN.md §4.1,
each checked with hypothesis over random topic sets, windows and budgets."""

from __future__ import annotations

import copy
import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.replan import complete_day
from tools.schedule import ScheduleInputError, TopicEF, assumed_quality, build_schedule
from tools.sm2 import SM2State, review, updated_ef

START = date(2025, 1, 15)
FINAL = {"mixed_review", "practice_exam"}


@st.composite
def plans(draw: st.DrawFn, max_topics: int = 25, max_days: int = 120) -> dict:
    n = draw(st.integers(1, max_topics))
    efs = draw(st.lists(st.integers(130, 250).map(lambda x: x / 100), min_size=n, max_size=n))
    return {
        "topics": [(f"9708.{i // 9 + 1}.{i % 9 + 1}", ef) for i, ef in enumerate(efs)],
        "start": START + timedelta(days=draw(st.integers(0, 400))),
        "days": draw(st.integers(1, max_days)),
        "hours": draw(st.sampled_from([0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0])),
        "session": draw(st.sampled_from([0.5, 1.0])),
    }


def _build(p: dict) -> list[dict]:
    """Build the plan, or check that a refusal is a genuine shortage of room for first study sessions."""
    session_len = min(p["session"], p["hours"])
    capacity = int(p["hours"] / session_len + 1e-9)
    try:
        return build_schedule(p["topics"], p["start"], p["start"] + timedelta(days=p["days"]), p["hours"],
                              session_hours=p["session"])
    except ScheduleInputError as exc:
        assert exc.field in ("hours_per_day", "exam_date")
        study_days = p["days"] - min(p["days"] - 1, 1 if p["days"] < 14 else 2 if p["days"] < 60 else 3)
        assert len(p["topics"]) > capacity * study_days
        return []


def _index(p: dict, day: dict) -> int:
    return (date.fromisoformat(day["date"]) - p["start"]).days


def _sessions(p: dict, schedule: list[dict]) -> dict[str, list[int]]:
    """Study/review day indices per topic (final mixed-review days excluded)."""
    out: dict[str, list[int]] = {code: [] for code, _ in p["topics"]}
    for day in schedule:
        if not FINAL & set(day["activities"]):
            for code in day["topics"]:
                out[code].append(_index(p, day))
    return out


def _last_study_day(p: dict, schedule: list[dict]) -> int:
    finals = [_index(p, d) for d in schedule if FINAL & set(d["activities"])]
    return min(finals) - 1 if finals else p["days"] - 1


def _capacity(p: dict) -> int:
    return int(p["hours"] / min(p["session"], p["hours"]) + 1e-9)


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(plans())
def test_every_topic_gets_a_first_study_day_before_any_review(p: dict) -> None:
    schedule = _build(p)
    for code, days in _sessions(p, schedule).items():
        if schedule:
            assert days, f"{code} never studied"
            first = next(d for d in schedule if code in d["topics"])
            assert "study" in first["activities"] and _index(p, first) == days[0]


@FAST
@given(plans())
def test_repeats_follow_sm2_intervals_capped_at_last_study_day(p: dict) -> None:
    """Each review is due at previous session + the SM-2 interval (assumed quality 4 if EF ≥ 2.3 else 3),
    capped at the last study day; it may come earlier, and comes later only when every day from the
    previous session to the due day was already full."""
    schedule = _build(p)
    if not schedule:
        return
    last_study = _last_study_day(p, schedule)
    load = {_index(p, d): len(d["topics"]) for d in schedule}
    for code, ef in p["topics"]:
        days = _sessions(p, schedule)[code]
        quality = assumed_quality(ef)
        state, prev = review(SM2State(ef=ef), quality), days[0]
        for day in days[1:]:
            due = min(prev + state.interval, last_study)
            assert prev < day <= last_study
            if day > due:
                assert all(load.get(d, 0) >= _capacity(p) for d in range(prev + 1, due + 1))
            state, prev = review(state, quality), day


@FAST
@given(plans(max_topics=12))
def test_with_room_to_spare_reviews_land_exactly_on_sm2_due_days(p: dict) -> None:
    p = {**p, "hours": 24.0, "session": 0.5}  # 48 slots a day: nothing ever overflows
    schedule = _build(p)
    last_study = _last_study_day(p, schedule)
    for code, ef in p["topics"]:
        days = _sessions(p, schedule)[code]
        state = review(SM2State(ef=ef), assumed_quality(ef))
        expected = [days[0]]
        while expected[-1] < last_study:
            expected.append(min(expected[-1] + state.interval, last_study))
            state = review(state, assumed_quality(ef))
        assert days == expected


@FAST
@given(plans())
def test_weaker_topics_get_at_least_as_many_sessions(p: dict) -> None:
    schedule = _build(p)
    counts = {code: sum(code in d["topics"] for d in schedule) for code, _ in p["topics"]}
    ef = dict(p["topics"])
    for a, count_a in counts.items():
        for b, count_b in counts.items():
            if ef[a] < ef[b]:
                assert count_a >= count_b, (a, ef[a], count_a, b, ef[b], count_b)


@FAST
@given(plans())
def test_daily_hours_never_exceed_budget_and_days_lie_before_the_exam(p: dict) -> None:
    schedule = _build(p)
    exam_index = p["days"]
    indices = [_index(p, d) for d in schedule]
    assert indices == sorted(set(indices))
    for day in schedule:
        assert 0 < day["hours_allocated"] <= p["hours"]
        assert 0 <= _index(p, day) < exam_index
        assert day["day"] == _index(p, day) + 1
        if not FINAL & set(day["activities"]):
            assert len(day["topics"]) <= _capacity(p)
            assert len(set(day["topics"])) == len(day["topics"])


@FAST
@given(plans())
def test_final_days_are_mixed_review_and_a_practice_exam(p: dict) -> None:
    schedule = _build(p)
    if not schedule or p["days"] < 2:
        return
    last = schedule[-1]
    assert _index(p, last) == p["days"] - 1  # the eve of the exam is the practice exam, not a review pile-up
    assert last["activities"] == ["mixed_review", "practice_exam"]
    assert sorted(last["topics"]) == sorted(code for code, _ in p["topics"])
    finals = [d for d in schedule if FINAL & set(d["activities"])]
    assert all(not {"study", "review"} & set(d["activities"]) for d in finals)
    assert [_index(p, d) for d in finals] == list(range(p["days"] - len(finals), p["days"]))


@FAST
@given(plans(), st.randoms(use_true_random=False))
def test_same_input_same_output_whatever_the_topic_order(p: dict, rnd: random.Random) -> None:
    first = _build(p)
    shuffled = list(p["topics"])
    rnd.shuffle(shuffled)
    assert _build({**p, "topics": shuffled}) == first
    assert _build(p) == first


def test_single_strong_topic_follows_1_6_15_then_capped() -> None:
    schedule = build_schedule([("9708.2.1", 2.5)], START, START + timedelta(days=60), 2.0)
    assert [d["day"] for d in schedule] == [1, 2, 8, 23, 57, 58, 59, 60]
    assert [d["interval"] for d in schedule[:5]] == [1, 1, 6, 15, 34]  # 23 + 38 would pass day 57: capped
    assert schedule[0]["activities"] == ["study", "practice"] and schedule[1]["activities"] == ["review"]
    assert schedule[0]["date"] == "2025-01-15" and schedule[0]["completed"] is False


def test_accepts_topic_ef_objects_and_a_mapping() -> None:
    end = START + timedelta(days=30)
    pairs = build_schedule([("9708.1.1", 2.5), ("9708.1.2", 1.9)], START, end, 2.0)
    assert build_schedule([TopicEF("9708.1.1", 2.5), TopicEF("9708.1.2", 1.9)], START, end, 2.0) == pairs
    assert build_schedule({"9708.1.1": 2.5, "9708.1.2": 1.9}, START, end, 2.0) == pairs


def test_overflow_moves_reviews_earlier_rather_than_piling_up() -> None:
    topics = [(f"9708.{i}.1", 2.5) for i in range(1, 9)]
    schedule = build_schedule(topics, START, START + timedelta(days=40), 2.0)
    per_day = [len(d["topics"]) for d in schedule if "review" in d["activities"] or "study" in d["activities"]]
    assert max(per_day) <= 2
    # all eight topics are capped to the last study day; only two fit, the rest review on earlier days
    last_study = [d for d in schedule if "mixed_review" not in d["activities"]][-1]
    assert len(last_study["topics"]) == 2


@pytest.mark.parametrize(
    ("topics", "days", "hours", "field"),
    [
        ([(f"9708.{i}.1", 2.5) for i in range(40)], 1, 0.5, "exam_date"),  # needs 40 h on one day
        ([(f"9708.{i}.1", 2.5) for i in range(10)], 2, 1.0, "hours_per_day"),  # 10 h on the one study day
        ([("9708.1.1", 1.2)], 10, 2.0, "easiness_factors.9708.1.1"),
        ([("9708.1.1", 2.6)], 10, 2.0, "easiness_factors.9708.1.1"),
        ([("9708.1.1", float("nan"))], 10, 2.0, "easiness_factors.9708.1.1"),
        ([("9708.1.1", "2.5")], 10, 2.0, "easiness_factors.9708.1.1"),
        ([("9708.1.1", 2.5)], 10, 0, "hours_per_day"),
        ([("9708.1.1", 2.5)], 10, 24.5, "hours_per_day"),
        ([("9708.1.1", 2.5)], 10, float("inf"), "hours_per_day"),
        ([("9708.1.1", 2.5)], 0, 2.0, "exam_date"),
        ([("9708.1.1", 2.5)], -3, 2.0, "exam_date"),
        ([("9708.1.1", 2.5), ("9708.1.1", 2.0)], 10, 2.0, "topics"),
        ([("", 2.5)], 10, 2.0, "topics"),
        ([("  ", 2.5)], 10, 2.0, "topics"),
        ([], 10, 2.0, "topics"),
        (["9708.1.1"], 10, 2.0, "topics"),
    ],
)
def test_bad_input_names_the_field(topics: list, days: int, hours: float, field: str) -> None:
    with pytest.raises(ScheduleInputError) as err:
        build_schedule(topics, START, START + timedelta(days=days), hours)
    assert err.value.field == field
    assert isinstance(err.value, ValueError) and field in str(err.value)


def test_too_little_time_raises_instead_of_dropping_topics() -> None:
    topics = [(f"9708.{i}.1", 2.0) for i in range(30)]
    with pytest.raises(ScheduleInputError, match="30 topics"):
        build_schedule(topics, START, START + timedelta(days=5), 2.0)


# ---------------------------------------------------------------- re-planning


@st.composite
def replans(draw: st.DrawFn) -> tuple[dict, list[dict], dict, dict]:
    p = draw(plans(max_topics=15, max_days=90))
    schedule = _build(p)
    if not schedule:
        return p, [], {}, {}
    target = draw(st.sampled_from(schedule))
    graded = draw(st.lists(st.sampled_from(target["topics"]), unique=True))
    grades = {code: draw(st.integers(0, 5)) for code in graded}
    late = draw(st.integers(0, 3))
    return p, schedule, target, {"grades": grades, "today": date.fromisoformat(target["date"]) + timedelta(days=late)}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replans())
def test_completing_a_day_keeps_the_past_and_respects_the_budget(case: tuple) -> None:
    p, schedule, target, extra = case
    if not schedule:
        return
    before = copy.deepcopy(schedule)
    efs = dict(p["topics"])
    exam = p["start"] + timedelta(days=p["days"])
    try:
        new, new_efs = complete_day(schedule, efs, target["day"], extra["grades"], today=extra["today"],
                                    exam_date=exam, hours_per_day=p["hours"], session_hours=p["session"])
    except ScheduleInputError as exc:  # only when a failed topic's restart cannot fit — never silently
        assert exc.field in ("hours_per_day", "exam_date")
        return
    assert schedule == before  # inputs untouched
    rebuild_from = max(date.fromisoformat(target["date"]) + timedelta(days=1), extra["today"])
    kept = [d for d in before if date.fromisoformat(d["date"]) < rebuild_from]
    assert new[: len(kept)] == [{**d, "completed": d["completed"] or d["day"] == target["day"]} for d in kept]
    for day in new[len(kept):]:
        assert rebuild_from <= date.fromisoformat(day["date"]) < exam
        assert day["completed"] is False and day["day"] == _index(p, day) + 1
    for day in new:
        assert day["hours_allocated"] <= p["hours"]
    for code, ef in efs.items():
        expected = updated_ef(ef, extra["grades"][code]) if code in extra["grades"] else ef
        assert new_efs[code] == expected


def _one_topic_plan() -> tuple[list[dict], dict]:
    efs = {"9708.3.1": 2.5}
    return build_schedule(efs, START, START + timedelta(days=60), 2.0), efs


def test_a_failed_review_comes_back_sooner_than_a_passed_one() -> None:
    schedule, efs = _one_topic_plan()
    review_day = schedule[2]  # day 8, the interval-6 review
    kwargs = {"today": date.fromisoformat(review_day["date"]), "exam_date": START + timedelta(days=60),
              "hours_per_day": 2.0}
    failed, failed_efs = complete_day(schedule, efs, review_day["day"], {"9708.3.1": 1}, **kwargs)
    passed, passed_efs = complete_day(schedule, efs, review_day["day"], {"9708.3.1": 5}, **kwargs)
    assert failed[3]["day"] == review_day["day"] + 1  # failure: SM-2 restarts at 1 day
    assert passed[3]["day"] == review_day["day"] + 15  # success: ceil(6 × 2.5)
    assert failed_efs["9708.3.1"] == 1.96 and passed_efs["9708.3.1"] == 2.5
    assert failed[2]["completed"] and failed[:2] == schedule[:2]


@pytest.mark.parametrize(
    ("day", "grades", "field"),
    [
        (2, {"9708.9.9": 4}, "grades.9708.9.9"),
        (2, {"9708.3.1": 6}, "grades.9708.3.1"),
        (2, {"9708.3.1": -1}, "grades.9708.3.1"),
        (2, {"9708.3.1": True}, "grades.9708.3.1"),
        (2, {"9708.3.1": 4.0}, "grades.9708.3.1"),
        (3, {}, "day"),  # day 3 has nothing scheduled
    ],
)
def test_complete_day_bad_input_names_the_field(day: int, grades: dict, field: str) -> None:
    schedule, efs = _one_topic_plan()
    with pytest.raises(ScheduleInputError) as err:
        complete_day(schedule, efs, day, grades, today=START, exam_date=START + timedelta(days=60),
                     hours_per_day=2.0)
    assert err.value.field == field


def test_a_day_cannot_be_completed_twice() -> None:
    schedule, efs = _one_topic_plan()
    kwargs = {"today": START, "exam_date": START + timedelta(days=60), "hours_per_day": 2.0}
    once, efs = complete_day(schedule, efs, 1, {"9708.3.1": 4}, **kwargs)
    with pytest.raises(ScheduleInputError) as err:
        complete_day(once, efs, 1, {"9708.3.1": 4}, **kwargs)
    assert err.value.field == "day"


def test_completing_late_when_only_final_days_remain() -> None:
    efs = {"9708.1.1": 1.3, "9708.1.2": 1.3}
    exam = START + timedelta(days=3)
    schedule = build_schedule(efs, START, exam, 0.5, session_hours=0.5)
    new, new_efs = complete_day(schedule, efs, 1, {"9708.1.1": 5}, today=START + timedelta(days=2),
                                exam_date=exam, hours_per_day=0.5, session_hours=0.5)
    assert new[:2] == [{**schedule[0], "completed": True}, schedule[1]]
    assert new[-1]["activities"] == ["mixed_review", "practice_exam"] and new[-1]["day"] == 3
    assert new_efs == {"9708.1.1": 1.4, "9708.1.2": 1.3}
