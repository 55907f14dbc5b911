"""`teach demo`'s school, built through the API: every screen has something true to show."""

from __future__ import annotations

import httpx

from api.services.demo_school import DemoSchool, build_history, efficiency_request, issue_demo_tokens


async def test_demo_school_history(app) -> None:  # noqa: ANN001
    school = DemoSchool()
    assert await issue_demo_tokens(app.state, school) is True
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as client:
        await build_history(app.state, client, school)
        teacher = {"Authorization": f"Bearer {school.tokens['rivera@demo-school.example']}"}
        examiner = {"Authorization": f"Bearer {school.tokens['okafor@demo-school.example']}"}
        sessions = (await client.get("/v1/coaching-sessions?limit=50", headers=teacher)).json()
        outcomes = sorted(s["outcome"] for s in sessions["items"])
        assert outcomes == ["needs_more_help", "refer_to_teacher", "resolved", "resolved"]
        queue = (await client.get("/v1/reviews", headers=examiner)).json()
        assert queue  # low-confidence offline marks wait for a human
        r = await client.post("/v1/customers/demo-school/profiles/9708/coachingEfficiencyStats:retrieve",
                              json=efficiency_request(), headers=teacher)
        [coach] = r.json()["coachingEfficiencyStats"]
        assert coach["attribute"] == {"users": ["coach-agent"]}
        assert coach["totalNumberOfSessions"] == 4 and not coach["isEfficiencyScoreInvalid"]
        assert coach["coachingEfficiency"] > 0  # the coached students' marks rose in the week after
    # rerunning finds the school and only issues new tokens
    again = DemoSchool()
    assert await issue_demo_tokens(app.state, again) is False
    assert again.ids == school.ids and again.tokens != school.tokens
