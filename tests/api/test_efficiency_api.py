"""POST /v1/customers/{customer}/profiles/{profile}/coachingEfficiencyStats:retrieve over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.db.efficiency_builders import Director, criterion
from tools.tenancy import organisation

ORG = organisation()
TPL = "tpl-9708"
URL = f"/v1/customers/{ORG}/profiles/9708/coachingEfficiencyStats:retrieve"
# Real `now` is used over HTTP, so the data sits comfortably in the past.
AT = (datetime.now(UTC) - timedelta(days=30)).replace(microsecond=0)


def body(**over):
    b = {
        "filterByTimeRange": {"startTime": (AT - timedelta(days=10)).isoformat(),
                              "endTime": (AT + timedelta(days=10)).isoformat()},
        "filterByAttribute": {"usecaseNames": [], "users": []},
        "groupByAttributeTypes": ["COACHING_SESSION_SUBMITTER"],
    }
    b.update(over)
    return b


@pytest.fixture
async def data(app) -> None:
    async with app.state.sessionmaker() as s:
        d = Director(s, customer=ORG, profile="9708")
        await d.template(TPL, [criterion("9708.2.1")])
        for i, delta in enumerate([0.048, -0.202, 0.031, 0.015]):
            at = AT + timedelta(hours=i)
            await d.session(agent=f"student{i}", coach="coach-agent", at=at, focus=[f"{TPL}/9708.2.1"],
                            usecase="class-1")
            await d.windows(agent=f"student{i}", template=TPL, criterion_id="9708.2.1", session_at=at,
                            before=[0.5] * 5, after=[0.5 + delta] * 10)
        await s.commit()


async def test_teacher_sees_only_their_classes(client, make_account, data) -> None:  # noqa: ANN001
    teacher = await make_account("teacher")  # teaches no class: the seed's data is another school's class
    r = await client.post(URL, json=body(), headers=teacher.headers)
    assert r.status_code == 200 and r.json()["coachingEfficiencyStats"] == []
    usecase = f"customers/{ORG}/profiles/9708/usecases/class-1"
    r = await client.post(URL, json=body(filterByAttribute={"usecaseNames": [usecase]}), headers=teacher.headers)
    assert r.status_code == 404


async def test_admin_gets_the_seed_example(client, make_account, data) -> None:
    teacher = await make_account("admin")
    r = await client.post(URL, json=body(), headers=teacher.headers)
    assert r.status_code == 200, r.text
    [stat] = r.json()["coachingEfficiencyStats"]
    assert stat["attribute"] == {"users": ["coach-agent"]}
    assert stat["coachingEfficiency"] == pytest.approx(-0.027)
    assert stat["totalNumberOfSessions"] == 4 and stat["isEfficiencyScoreInvalid"] is False
    assert stat["numberOfValidCriteria"] == 4 and stat["afterConversationCount"] == 40
    ci = stat["confidenceInterval"]
    assert ci["level"] == 0.95 and ci["lower"] < -0.027 < ci["upper"]


async def test_admin_groups_by_criterion_and_filters_by_usecase_name(client, make_account, data) -> None:
    admin = await make_account("admin")
    usecase = f"customers/{ORG}/profiles/9708/usecases/class-1"
    r = await client.post(URL, headers=admin.headers, json=body(
        groupByAttributeTypes=["CRITERION"], filterByAttribute={"usecaseNames": [usecase], "users": ["student1"]}))
    assert r.status_code == 200, r.text
    [stat] = r.json()["coachingEfficiencyStats"]
    assert stat["attribute"] == {"criteria": [f"{TPL}/9708.2.1"]}
    assert stat["coachingEfficiency"] == pytest.approx(-0.202) and stat["confidenceInterval"] is None
    r = await client.post(URL, headers=admin.headers, json=body(filterByAttribute={"usecaseNames": ["class-2"]}))
    assert r.json() == {"coachingEfficiencyStats": []}


async def test_students_and_anonymous_are_refused(client, make_account) -> None:
    student = await make_account("student")
    assert (await client.post(URL, json=body(), headers=student.headers)).status_code == 403
    assert (await client.post(URL, json=body())).status_code == 401


async def test_other_customer_is_not_found(client, make_account) -> None:
    teacher = await make_account("teacher")
    r = await client.post(URL.replace(ORG, "someone-else"), json=body(), headers=teacher.headers)
    assert r.status_code == 404


@pytest.mark.parametrize(("over", "field"), [
    ({"groupByAttributeTypes": ["TEAM"]}, "groupByAttributeTypes"),
    ({"filterByTimeRange": {"startTime": "2025-12-06T00:00:00Z", "endTime": "2025-12-01T00:00:00Z"}},
     "filterByTimeRange.endTime"),
    ({"filterByTimeRange": {"startTime": "not a time", "endTime": "2025-12-01T00:00:00Z"}},
     "filterByTimeRange.startTime"),
    ({"filterByTimeRange": None}, "filterByTimeRange"),
    ({"filterByAttribute": {"users": ["bad id!"]}}, "filterByAttribute.users"),
    ({"filterByAttribute": {"usecaseNames": ["customers/x/profiles/9708/usecases/class-1"]}},
     "filterByAttribute.usecaseNames"),
    ({"filterByAttribute": {"usecaseNames": ["a/b"]}}, "filterByAttribute.usecaseNames"),
])
async def test_malformed_requests_are_422_naming_the_field(client, make_account, over, field) -> None:
    teacher = await make_account("teacher")
    r = await client.post(URL, json=body(**over), headers=teacher.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
