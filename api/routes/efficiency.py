"""RetrieveCoachingEfficiencyStats (seed 004) over HTTP, camelCase as in the seed.

`POST /v1/customers/{customer}/profiles/{profile}/coachingEfficiencyStats:retrieve`, teachers and admins.
`customer` must be this deployment's organisation (else 404, as for any resource one cannot see).

Request: `filterByTimeRange{startTime,endTime}` (sessions with startTime <= session_at < endTime; a time
without a zone is read as UTC), `filterByAttribute{usecaseNames,users}` (optional; a usecase is a bare id
or `customers/{c}/profiles/{p}/usecases/{id}` of this customer and profile; a user matches as the coached
student or the coach), `groupByAttributeTypes` (COACHING_SESSION_SUBMITTER, AGENT, COACHING_SESSION,
CRITERION, SCORECARD_TEMPLATE, CRITERION_CATEGORY; several = their combination).

Response: `coachingEfficiencyStats[]`, one per group: `attribute` (users = coach, agents, coachingSessions,
criteria = `template/criterion`, scorecardTemplates, criterionCategories — one-element lists, as the
seed's `users`), `coachingEfficiency` (null when invalid), `totalNumberOfSessions`,
`isEfficiencyScoreInvalid`, and beyond the seed: `numberOfSessionsWithEfficiency`,
`numberOfValidCriteria`, `beforeConversationCount`, `afterConversationCount`, `confidenceInterval`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel
from sqlalchemy import select

from api.deps import SessionDep, TeacherUser
from api.errors import InvalidInput, NotFound
from api.request_model import RequestModel
from db.models import Class
from tools.efficiency import (
    ID_PATTERN,
    GroupBy,
    GroupStats,
    InvalidEfficiencyQuery,
    retrieve_efficiency_stats,
)
from tools.tenancy import organisation

router = APIRouter(tags=["coaching efficiency"])

_API_FIELD = {
    "start": "filterByTimeRange.startTime",
    "end": "filterByTimeRange.endTime",
    "usecase_ids": "filterByAttribute.usecaseNames",
    "users": "filterByAttribute.users",
    "group_by": "groupByAttributeTypes",
}
_ATTRIBUTE_NAME = {
    GroupBy.COACHING_SESSION_SUBMITTER: "users",
    GroupBy.AGENT: "agents",
    GroupBy.COACHING_SESSION: "coachingSessions",
    GroupBy.CRITERION: "criteria",
    GroupBy.SCORECARD_TEMPLATE: "scorecardTemplates",
    GroupBy.CRITERION_CATEGORY: "criterionCategories",
}


class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class _CamelRequest(RequestModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class TimeRange(_CamelRequest):
    start_time: datetime
    end_time: datetime

    @field_validator("start_time", "end_time")
    @classmethod
    def _representable_in_utc(cls, value: datetime) -> datetime:
        # 0001-01-01T00:00+14:00 is a valid ISO time whose UTC instant is before year 1: Python and the
        # database cannot hold it, so refuse it here rather than fail in the query.
        try:
            return _utc(value).astimezone(UTC)
        except OverflowError:
            raise ValueError("is out of range once converted to UTC (years 1 to 9999)") from None


class AttributeFilter(_CamelRequest):
    usecase_names: list[str] = Field(default_factory=list, max_length=1000)
    users: list[str] = Field(default_factory=list, max_length=1000)


class EfficiencyRequest(_CamelRequest):
    filter_by_time_range: TimeRange
    filter_by_attribute: AttributeFilter = Field(default_factory=AttributeFilter)
    group_by_attribute_types: list[str] = Field(default_factory=list, max_length=6)


class Interval(_Camel):
    lower: float
    upper: float
    level: float


class EfficiencyStat(_Camel):
    attribute: dict[str, list[str]]
    coaching_efficiency: float | None
    total_number_of_sessions: int
    is_efficiency_score_invalid: bool
    number_of_sessions_with_efficiency: int
    number_of_valid_criteria: int
    before_conversation_count: int
    after_conversation_count: int
    confidence_interval: Interval | None


class EfficiencyResponse(_Camel):
    coaching_efficiency_stats: list[EfficiencyStat]


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _usecase_ids(names: list[str], *, customer: str, profile: str) -> list[str]:
    """Bare ids pass through; resource names must be of this customer and profile."""
    out = []
    for name in names:
        if "/" in name:
            parts = name.split("/")
            if len(parts) != 6 or parts[0] != "customers" or parts[2] != "profiles" or parts[4] != "usecases":
                raise InvalidInput(f"{name!r} is not customers/{{c}}/profiles/{{p}}/usecases/{{id}}",
                                   field=_API_FIELD["usecase_ids"])
            if (parts[1], parts[3]) != (customer, profile):
                raise InvalidInput(f"usecase {name!r} is not of customers/{customer}/profiles/{profile}",
                                   field=_API_FIELD["usecase_ids"])
            name = parts[5]
        out.append(name)
    return out


async def _teacher_usecases(session: SessionDep, *, teacher_id, requested: list[str]) -> list[str]:  # noqa: ANN001
    """A teacher sees only their own classes (usecase = class id); asking for another class is a 404."""
    own = {str(c) for c in (await session.execute(select(Class.id).where(Class.teacher_id == teacher_id))).scalars()}
    if not requested:
        return sorted(own)
    if unknown := [u for u in requested if u not in own]:
        raise NotFound(f"usecase {unknown[0]!r} not found")
    return requested


def _stat(group: GroupStats) -> EfficiencyStat:
    ci = group.confidence_interval
    return EfficiencyStat(
        attribute={_ATTRIBUTE_NAME[d]: ([] if v is None else [v]) for d, v in group.key.items()},
        coaching_efficiency=group.coaching_efficiency,
        total_number_of_sessions=group.total_sessions,
        is_efficiency_score_invalid=group.is_efficiency_score_invalid,
        number_of_sessions_with_efficiency=group.sessions_with_efficiency,
        number_of_valid_criteria=group.valid_rows,
        before_conversation_count=group.before_conversations,
        after_conversation_count=group.after_conversations,
        confidence_interval=Interval(lower=ci.lower, upper=ci.upper, level=ci.level) if ci else None,
    )


@router.post(
    "/v1/customers/{customer}/profiles/{profile}/coachingEfficiencyStats:retrieve",
    response_model=EfficiencyResponse,
    response_model_by_alias=True,
)
async def retrieve_coaching_efficiency_stats(
    customer: str, profile: str, body: EfficiencyRequest, session: SessionDep, user: TeacherUser
) -> EfficiencyResponse:
    """Coaching efficiency per group: did the coached criteria's scores rise in the week after sessions?"""
    if customer != organisation():
        raise NotFound("customer not found")
    if not ID_PATTERN.match(profile):
        raise InvalidInput(f"{profile!r} is not a valid profile id", field="profile")
    attrs = body.filter_by_attribute
    usecase_ids: list[str] | None = _usecase_ids(attrs.usecase_names, customer=customer, profile=profile) or None
    if user.role == "teacher":  # only their own classes; none at all for a teacher without classes
        usecase_ids = await _teacher_usecases(session, teacher_id=user.id, requested=usecase_ids or [])
    try:
        groups = await retrieve_efficiency_stats(
            session,
            customer=customer,
            profile=profile,
            start=_utc(body.filter_by_time_range.start_time),
            end=_utc(body.filter_by_time_range.end_time),
            usecase_ids=usecase_ids,
            users=attrs.users,
            group_by=body.group_by_attribute_types,
        )
    except InvalidEfficiencyQuery as exc:
        field = _API_FIELD.get(exc.field, exc.field)
        raise InvalidInput(f"{field}: {exc}", field=field) from None
    return EfficiencyResponse(coaching_efficiency_stats=[_stat(g) for g in groups])
