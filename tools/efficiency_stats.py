"""Pure arithmetic of coaching efficiency: row validity, per-row efficiency, grouping, confidence intervals.

Input is one `CriterionRow` per (coaching session, criterion) with its before/after window aggregates
(computed in SQL by `tools.efficiency_sql`). The API applies these same rules in SQL
(`tools.efficiency_groups_sql`); this module is their reference, which tests and the benchmark compare it
with. Rules (seed 004, DESIGN.md §4.3):

- a row is valid iff the session is old enough, the criterion is evaluable (found in its template and not
  `exclude_from_qa_scores`), `before_n > 0` and `after_n >= threshold` (auto or manual criterion);
- row efficiency = (after_avg − before_avg) × after_n;
- group coachingEfficiency = Σ efficiency / Σ after_n over the group's valid rows;
- totalNumberOfSessions = distinct sessions in the group, valid or not (a multi-criteria session counts once
  in a session/coach/agent group, once in each criterion group it touches);
- a group with no valid row is flagged invalid and has no efficiency.

Grouping dimensions: COACHING_SESSION_SUBMITTER (the coach), AGENT (the coached person: here the student),
COACHING_SESSION, CRITERION (`template/criterion`), SCORECARD_TEMPLATE, CRITERION_CATEGORY (PERFORMANCE or
OUTCOME). Several dimensions group by their combination; none gives one overall group. A session whose
criterion could not be resolved (no focus criteria and no plan targets) has no criterion, so it appears in
coach/agent/session groups but in no criterion, template or category group.

Confidence interval (beyond the seed): the group's efficiency is a ratio estimator R = ΣE_j / ΣN_j over
sessions j (E_j, N_j = the session's summed efficiency and after-conversations within the group). Criteria
of one session share a coach, a student and a week, so the session is the independent unit. The 95%
interval is the normal approximation with the linearised (delta-method) variance
Var(R) = Σ (E_j − R·N_j)² / (m(m−1)·N̄²), m = sessions with a valid row. It needs m ≥ 2; it is closed
form, so deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

Z_95 = 1.959963984540054


class GroupBy(StrEnum):
    """What a group of efficiency rows is keyed by."""

    COACHING_SESSION_SUBMITTER = "COACHING_SESSION_SUBMITTER"
    AGENT = "AGENT"
    COACHING_SESSION = "COACHING_SESSION"
    CRITERION = "CRITERION"
    SCORECARD_TEMPLATE = "SCORECARD_TEMPLATE"
    CRITERION_CATEGORY = "CRITERION_CATEGORY"


CRITERION_DIMENSIONS = frozenset({GroupBy.CRITERION, GroupBy.SCORECARD_TEMPLATE, GroupBy.CRITERION_CATEGORY})


class CriterionRow(NamedTuple):
    """One (session, criterion) pair with its window aggregates; `known` = found in its template.

    A NamedTuple, not a dataclass: 15k of them are built per 10k-session request, ~10× cheaper this way.
    Field order is the SQL statement's column order.
    """

    session_id: str
    agent_id: str
    coach_id: str | None
    template_id: str | None
    criterion_id: str | None
    old_enough: bool
    known: bool = False
    is_auto: bool = False
    excluded: bool = False
    is_outcome: bool = False
    before_avg: float | None = None
    before_n: int = 0
    after_avg: float | None = None
    after_n: int = 0

    @property
    def evaluable(self) -> bool:
        """Criteria missing from their template, or excluded from QA scores, cannot be evaluated."""
        return self.known and not self.excluded

    @property
    def category(self) -> str:
        """OUTCOME for outcome criteria, PERFORMANCE otherwise."""
        return "OUTCOME" if self.is_outcome else "PERFORMANCE"

    @property
    def efficiency(self) -> float:
        """(after − before) × after_n; meaningful only for a valid row."""
        return ((self.after_avg or 0.0) - (self.before_avg or 0.0)) * self.after_n


def is_valid(row: CriterionRow, *, auto_min: int, manual_min: int) -> bool:
    """Whether the row contributes to efficiency (see the module docstring)."""
    threshold = auto_min if row.is_auto else manual_min
    return (
        row.old_enough and row.evaluable and row.before_n > 0 and row.after_n >= threshold
        and row.before_avg is not None and row.after_avg is not None
    )


@dataclass(frozen=True)
class ConfidenceInterval:
    """A two-sided interval for a group's coachingEfficiency."""

    lower: float
    upper: float
    level: float = 0.95


@dataclass
class GroupStats:
    """Efficiency of one group. `key` maps each grouping dimension to its value (None = not set)."""

    key: dict[GroupBy, str | None]
    coaching_efficiency: float | None = None
    total_sessions: int = 0
    sessions_with_efficiency: int = 0
    valid_rows: int = 0
    before_conversations: int = 0
    after_conversations: int = 0
    confidence_interval: ConfidenceInterval | None = None
    _sessions: set[str] = field(default_factory=set, repr=False)

    @property
    def is_efficiency_score_invalid(self) -> bool:
        """True when no row of the group is valid (so there is no efficiency to report)."""
        return self.valid_rows == 0


def key_value(row: CriterionRow, dimension: GroupBy) -> str | None:
    """The row's value along one grouping dimension."""
    if dimension is GroupBy.COACHING_SESSION_SUBMITTER:
        return row.coach_id
    if dimension is GroupBy.AGENT:
        return row.agent_id
    if dimension is GroupBy.COACHING_SESSION:
        return row.session_id
    if dimension is GroupBy.CRITERION:
        return f"{row.template_id}/{row.criterion_id}"
    if dimension is GroupBy.SCORECARD_TEMPLATE:
        return row.template_id
    return row.category


def ratio_confidence_interval(clusters: Sequence[tuple[float, int]], z: float = Z_95) -> ConfidenceInterval | None:
    """Normal-approximation interval of ΣE/ΣN over independent clusters (E_j, N_j); None if m < 2."""
    used = [(e, n) for e, n in clusters if n > 0]
    m = len(used)
    if m < 2:
        return None
    total_n = sum(n for _, n in used)
    ratio = math.fsum(e for e, _ in used) / total_n
    squares = math.fsum((e - ratio * n) ** 2 for e, n in used)
    return interval_from_sums(ratio=ratio, squares=squares, clusters=m, total_n=total_n, z=z)


def interval_from_sums(
    *, ratio: float, squares: float, clusters: int, total_n: int, z: float = Z_95
) -> ConfidenceInterval | None:
    """The interval from sufficient statistics: R, Σ(E_j − R·N_j)², m and ΣN_j (None if m < 2).

    Var(R) = Σ(E_j − R·N_j)² / (m(m−1)·N̄²) with N̄ = ΣN_j / m; the SQL grouping computes the same sums.
    """
    if clusters < 2:
        return None
    mean_n = total_n / clusters
    half = z * math.sqrt(squares / (clusters * (clusters - 1) * mean_n**2))
    return ConfidenceInterval(lower=ratio - half, upper=ratio + half)


def dedupe(rows: Iterable[CriterionRow]) -> list[CriterionRow]:
    """One row per (session, template, criterion): a criterion listed twice is still coached once."""
    seen: dict[tuple[str, str | None, str | None], CriterionRow] = {}
    for row in rows:
        seen.setdefault((row.session_id, row.template_id, row.criterion_id), row)
    return list(seen.values())


def group_order(key: dict[GroupBy, str | None], dims: Sequence[GroupBy]) -> tuple:
    """Sort key of a group: by its values in dimension order, a missing value (None) after any string."""
    return tuple((key[d] is None, key[d] or "") for d in dims)


def group_stats(
    rows: Iterable[CriterionRow], *, group_by: Sequence[GroupBy | str], auto_min: int, manual_min: int
) -> list[GroupStats]:
    """Aggregate rows into groups keyed by `group_by`, in a stable order (by key)."""
    dims = [GroupBy(d) for d in group_by]
    needs_criterion = any(d in CRITERION_DIMENSIONS for d in dims)
    groups: dict[tuple, GroupStats] = {}
    clusters: dict[tuple, dict[str, list[float]]] = {}
    for row in dedupe(rows):
        if needs_criterion and (row.template_id is None or row.criterion_id is None):
            continue
        key = {d: key_value(row, d) for d in dims}
        gk = tuple(key.values())
        group = groups.get(gk)
        if group is None:
            group = groups[gk] = GroupStats(key=key)
            clusters[gk] = {}
        group._sessions.add(row.session_id)
        if not is_valid(row, auto_min=auto_min, manual_min=manual_min):
            continue
        group.valid_rows += 1
        group.before_conversations += row.before_n
        group.after_conversations += row.after_n
        acc = clusters[gk].setdefault(row.session_id, [0.0, 0])
        acc[0] += row.efficiency
        acc[1] += row.after_n
    for gk, group in groups.items():
        group.total_sessions = len(group._sessions)
        per_session = [(e, int(n)) for e, n in clusters[gk].values()]
        group.sessions_with_efficiency = len(per_session)
        if group.valid_rows:
            group.coaching_efficiency = math.fsum(e for e, _ in per_session) / group.after_conversations
            group.confidence_interval = ratio_confidence_interval(per_session)
    return sorted(groups.values(), key=lambda g: group_order(g.key, dims))
