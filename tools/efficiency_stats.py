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
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter
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
    """One row per (session, template, criterion): a criterion listed twice is still coached once.

    The first occurrence wins, in input order (`group_stats` applies the same rule inline).
    """
    seen: dict[tuple[str, str | None, str | None], CriterionRow] = {}
    for row in rows:
        seen.setdefault((row.session_id, row.template_id, row.criterion_id), row)
    return list(seen.values())


# group_stats runs once per request over 15k+ rows within a 100 ms budget, so per row it does only what the
# rules need: one unpacking, the dedupe set, one call for the group identity, two or three dict/set lookups
# and inline arithmetic (no key dict, no is_valid call, no property: ~2× faster). The `key` dict, GroupStats
# and the interval are built once per group, after the loop.
_FIELD_INDEX = {
    GroupBy.COACHING_SESSION_SUBMITTER: CriterionRow._fields.index("coach_id"),
    GroupBy.AGENT: CriterionRow._fields.index("agent_id"),
    GroupBy.COACHING_SESSION: CriterionRow._fields.index("session_id"),
    GroupBy.SCORECARD_TEMPLATE: CriterionRow._fields.index("template_id"),
}


def _criterion_value(row: CriterionRow) -> str:
    return f"{row.template_id}/{row.criterion_id}"  # the very string key_value gives: same groups, same key


def _category_value(row: CriterionRow) -> str:
    return "OUTCOME" if row.is_outcome else "PERFORMANCE"


def _group_identity(dims: Sequence[GroupBy]) -> Callable[[CriterionRow], Hashable]:
    """Row → its `key_value`s along `dims`: the bare value for one dimension, else a tuple in `dims` order."""
    if not dims:
        return lambda row: ()
    if all(d in _FIELD_INDEX for d in dims):  # the common case: one C-level call
        return itemgetter(*[_FIELD_INDEX[d] for d in dims])
    getters = [
        itemgetter(_FIELD_INDEX[d]) if d in _FIELD_INDEX
        else _criterion_value if d is GroupBy.CRITERION else _category_value
        for d in dims
    ]
    # Spelled out for up to three dimensions: a comprehension per row costs ~2.5× as much.
    if len(getters) == 1:
        return getters[0]
    if len(getters) == 2:
        first, second = getters
        return lambda row: (first(row), second(row))
    if len(getters) == 3:
        first, second, third = getters
        return lambda row: (first(row), second(row), third(row))
    return lambda row: tuple([get(row) for get in getters])


def sorted_identities(identities: Collection[Hashable], width: int) -> list:
    """Group identities (`width` dimensions) in key order: by value per dimension, None after any string.

    One stable sort per dimension, least significant first, each on native values: no Python key function
    call per group (~4× faster with thousands of groups).
    """
    if width == 1:  # bare values
        order = sorted([gid for gid in identities if gid is not None])
        return order + [None] if None in identities else order
    order = list(identities)
    for i in reversed(range(width)):
        by_value = sorted([gid for gid in order if gid[i] is not None], key=itemgetter(i))
        order = by_value + [gid for gid in order if gid[i] is None]
    return order


def group_stats(
    rows: Iterable[CriterionRow], *, group_by: Sequence[GroupBy | str], auto_min: int, manual_min: int
) -> list[GroupStats]:
    """Aggregate rows into groups keyed by `group_by`, in a stable order (by key)."""
    dims = [GroupBy(d) for d in group_by]
    needs_criterion = any(d in CRITERION_DIMENSIONS for d in dims)
    identity = _group_identity(dims)
    seen: set[tuple[str, str | None, str | None]] = set()  # dedupe's rule, without listing all rows first
    # identity → {session_id: None, or once the session has a valid row in the group
    # [Σ efficiency, Σ after_n, Σ before_n, valid rows]}. These per-session sums are the confidence
    # interval's clusters; the group's totals are their sums (exact: integers).
    groups: dict[Hashable, dict[str, list | None]] = {}
    for row in rows:
        # One unpacking instead of ~10 attribute reads; it fails loudly if CriterionRow's fields change.
        (session_id, _, _, template_id, criterion_id, old_enough, known, is_auto, excluded, _,
         before_avg, before_n, after_avg, after_n) = row
        unique = (session_id, template_id, criterion_id)
        if unique in seen:
            continue
        seen.add(unique)
        if needs_criterion and (template_id is None or criterion_id is None):
            continue
        gid = identity(row)
        sessions = groups.get(gid)
        if sessions is None:
            sessions = groups[gid] = {}
        # is_valid and CriterionRow.efficiency, inlined with the same expressions: keep them in step.
        if not (
            old_enough and known and not excluded and before_n > 0
            and after_n >= (auto_min if is_auto else manual_min)
            and before_avg is not None and after_avg is not None
        ):
            sessions.setdefault(session_id)  # counted in total_sessions all the same
            continue
        efficiency = ((after_avg or 0.0) - (before_avg or 0.0)) * after_n
        acc = sessions.get(session_id)
        if acc is None:
            sessions[session_id] = [0.0 + efficiency, after_n, before_n, 1]  # a sum from 0.0, as before
        else:
            acc[0] += efficiency
            acc[1] += after_n
            acc[2] += before_n
            acc[3] += 1
    result = []
    for gid in sorted_identities(groups, len(dims)):
        sessions = groups[gid]
        key = {dims[0]: gid} if len(dims) == 1 else dict(zip(dims, gid))
        clusters = list(filter(None, sessions.values()))
        if not clusters:
            result.append(GroupStats(key=key, total_sessions=len(sessions), _sessions=set(sessions)))
            continue
        efficiencies, afters, befores, counts = zip(*clusters)
        after_conversations = sum(afters)
        result.append(GroupStats(
            key=key,
            coaching_efficiency=math.fsum(efficiencies) / after_conversations,
            total_sessions=len(sessions),
            sessions_with_efficiency=len(clusters),
            valid_rows=sum(counts),
            before_conversations=sum(befores),
            after_conversations=after_conversations,
            # One session has no interval (ratio_confidence_interval would say None): skip the call.
            confidence_interval=(
                ratio_confidence_interval(list(zip(efficiencies, map(int, afters))))
                if len(clusters) > 1 else None
            ),
            _sessions=set(sessions),
        ))
    return result
