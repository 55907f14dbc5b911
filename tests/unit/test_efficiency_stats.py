"""Pure efficiency arithmetic: validity, grouping, session counting, the confidence interval (with hypothesis)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.efficiency_stats import CriterionRow, GroupBy, group_stats, is_valid, ratio_confidence_interval


def row(session="s1", crit="c1", *, before=0.5, after=0.6, bn=3, an=5, coach="k", agent="a", **kw) -> CriterionRow:
    base = {"session_id": session, "agent_id": agent, "coach_id": coach, "template_id": "t", "criterion_id": crit,
            "old_enough": True, "known": True, "is_auto": True, "before_avg": before, "before_n": bn,
            "after_avg": after, "after_n": an}
    base.update(kw)
    return CriterionRow(**base)


def test_validity_rules() -> None:
    ok = {"auto_min": 5, "manual_min": 2}
    assert is_valid(row(), **ok)
    assert not is_valid(row(bn=0, before=None), **ok)
    assert not is_valid(row(an=4), **ok)
    assert is_valid(row(an=2, is_auto=False), **ok)
    assert not is_valid(row(old_enough=False), **ok)
    assert not is_valid(row(excluded=True), **ok)
    assert not is_valid(row(known=False), **ok)


@pytest.mark.parametrize("kw", [
    {}, {"bn": 0}, {"bn": 0, "before": None}, {"before": None}, {"after": None}, {"an": 4},
    {"an": 2, "is_auto": False}, {"an": 1, "is_auto": False}, {"old_enough": False}, {"excluded": True},
    {"known": False},
])
def test_group_stats_applies_the_validity_rules(kw: dict) -> None:
    r = row(**kw)
    [g] = group_stats([r], group_by=[], auto_min=5, manual_min=2)
    assert g.valid_rows == int(is_valid(r, auto_min=5, manual_min=2))


def test_empty_group_by_is_one_overall_group_and_invalid_groups_have_no_efficiency() -> None:
    [g] = group_stats([row(an=1), row("s2", an=1)], group_by=[], auto_min=5, manual_min=2)
    assert g.key == {} and g.total_sessions == 2
    assert g.is_efficiency_score_invalid and g.coaching_efficiency is None and g.confidence_interval is None


def test_duplicate_rows_count_once() -> None:
    [g] = group_stats([row(), row()], group_by=[GroupBy.COACHING_SESSION], auto_min=5, manual_min=2)
    assert g.valid_rows == 1 and g.coaching_efficiency == pytest.approx(0.1)


def test_identical_sessions_give_a_zero_width_interval() -> None:
    ci = ratio_confidence_interval([(1.0, 10), (1.0, 10), (1.0, 10)])
    assert ci is not None and ci.lower == pytest.approx(0.1) and ci.upper == pytest.approx(0.1)
    assert ratio_confidence_interval([(1.0, 10)]) is None


rows_strategy = st.lists(
    st.builds(
        row,
        session=st.sampled_from(["s1", "s2", "s3", "s4", "s5"]),
        crit=st.sampled_from(["c1", "c2", "c3"]),
        before=st.floats(0, 1),
        after=st.floats(0, 1),
        bn=st.integers(1, 20),
        an=st.integers(0, 20),
        coach=st.sampled_from(["k1", "k2"]),
        is_auto=st.booleans(),
    ),
    max_size=30,
)


@given(rows_strategy)
def test_group_efficiency_is_sum_of_efficiencies_over_sum_of_after_counts(rows: list[CriterionRow]) -> None:
    groups = group_stats(rows, group_by=[GroupBy.COACHING_SESSION_SUBMITTER], auto_min=5, manual_min=2)
    unique = {(r.session_id, r.criterion_id): r for r in reversed(rows)}.values()
    for g in groups:
        mine = [r for r in unique if r.coach_id == g.key[GroupBy.COACHING_SESSION_SUBMITTER]]
        valid = [r for r in mine if is_valid(r, auto_min=5, manual_min=2)]
        assert g.total_sessions == len({r.session_id for r in mine})
        assert g.valid_rows == len(valid)
        if valid:
            expected = sum((r.after_avg - r.before_avg) * r.after_n for r in valid) / sum(r.after_n for r in valid)
            assert g.coaching_efficiency == pytest.approx(expected, abs=1e-9)
        else:
            assert g.is_efficiency_score_invalid


@given(rows_strategy)
def test_interval_contains_the_estimate_and_grouping_is_order_independent(rows: list[CriterionRow]) -> None:
    a = group_stats(rows, group_by=[GroupBy.CRITERION], auto_min=5, manual_min=2)
    b = group_stats(list(reversed(rows)), group_by=[GroupBy.CRITERION], auto_min=5, manual_min=2)
    assert [g.key for g in a] == [g.key for g in b]
    for g, h in zip(a, b):
        assert g.total_sessions == h.total_sessions
        if g.confidence_interval is not None:
            assert g.confidence_interval.lower <= g.coaching_efficiency + 1e-12
            assert g.coaching_efficiency <= g.confidence_interval.upper + 1e-12
            assert math.isfinite(g.confidence_interval.upper - g.confidence_interval.lower)
            assert g.sessions_with_efficiency >= 2


@given(st.lists(st.tuples(st.floats(-10, 10), st.integers(1, 50)), min_size=2, max_size=20))
def test_interval_width_scales_down_with_replication(clusters: list[tuple[float, int]]) -> None:
    once = ratio_confidence_interval(clusters)
    four = ratio_confidence_interval(clusters * 4)
    assert once is not None and four is not None
    assert (four.upper - four.lower) <= (once.upper - once.lower) + 1e-9


def test_unresolved_criterion_counts_for_the_coach_but_in_no_criterion_group() -> None:
    rows = [row("s1", None, template_id=None), row("s2", "c1"), row("s2", "c2", an=1)]
    [coach] = group_stats(rows, group_by=[GroupBy.COACHING_SESSION_SUBMITTER], auto_min=5, manual_min=2)
    assert coach.total_sessions == 2 and coach.valid_rows == 2
    crit = group_stats(rows, group_by=[GroupBy.CRITERION], auto_min=5, manual_min=2)
    assert [g.key[GroupBy.CRITERION] for g in crit] == ["t/c1", "t/c2"]
    assert [g.total_sessions for g in crit] == [1, 1] and crit[1].is_efficiency_score_invalid


def test_several_dimensions_key_in_request_order_and_sort_with_none_last() -> None:
    rows = [row("s1", coach=None, agent="a2"), row("s2", coach="k2", agent="a1"),
            row("s3", coach="k1", agent="a2"), row("s4", coach="k1", agent="a1")]
    dims = ["AGENT", GroupBy.COACHING_SESSION_SUBMITTER]
    groups = group_stats(rows, group_by=dims, auto_min=5, manual_min=2)
    assert [list(g.key.items()) for g in groups] == [
        [(GroupBy.AGENT, "a1"), (GroupBy.COACHING_SESSION_SUBMITTER, "k1")],
        [(GroupBy.AGENT, "a1"), (GroupBy.COACHING_SESSION_SUBMITTER, "k2")],
        [(GroupBy.AGENT, "a2"), (GroupBy.COACHING_SESSION_SUBMITTER, "k1")],
        [(GroupBy.AGENT, "a2"), (GroupBy.COACHING_SESSION_SUBMITTER, None)],
    ]
    mixed = group_stats(rows, group_by=[GroupBy.CRITERION, "COACHING_SESSION_SUBMITTER"], auto_min=5, manual_min=2)
    assert [list(g.key.values()) for g in mixed] == [["t/c1", "k1"], ["t/c1", "k2"], ["t/c1", None]]
    assert [list(g.key) for g in mixed] == [[GroupBy.CRITERION, GroupBy.COACHING_SESSION_SUBMITTER]] * 3
