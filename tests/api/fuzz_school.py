"""The school the bad-input fuzz runs against: the demo school (`teach demo`'s builder) on a database of its
own, the client, tokens by role, and the route table with real ids, so path parameters name real rows and
the fuzz reaches the checks that run after a row is loaded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.api.fuzz_support import Route, assert_error_envelope, assert_not_a_server_error, fingerprint


class School:
    """The populated app, its client and the route table with real ids."""

    def __init__(self, app: Any, client: httpx.AsyncClient, tokens: dict[str, str], routes: list[Route],
                 db_url: str = "") -> None:
        self.app, self.client, self.tokens, self.routes = app, client, tokens, routes
        self.db_url = db_url  # libpq URL of the school's own database (a live server can serve it too)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def send(self, route: Route, *, url: str | None = None, content: bytes | None = None,
                   content_type: str | None = "application/json", query: dict[str, str] | None = None,
                   extra_headers: dict[str, str] | None = None) -> httpx.Response:
        headers = self.headers(route.who) | (extra_headers or {})
        if content_type:
            headers["Content-Type"] = content_type
        return await self.client.request(route.method, url or route.url(), content=content, params=query,
                                         headers=headers)

    async def rejected_without_writes(self, route: Route, **kw: Any) -> httpx.Response:
        """Send, expect a 4xx envelope, and prove the database is unchanged."""
        before = await fingerprint(self.app.state.engine)
        r = await self.send(route, **kw)
        assert_error_envelope(r)
        assert await fingerprint(self.app.state.engine) == before, f"{route.method} {route.path} wrote rows"
        return r

    async def never_500(self, route: Route, **kw: Any) -> httpx.Response:
        """Send; any status but 5xx; when rejected, nothing written."""
        before = await fingerprint(self.app.state.engine)
        r = await self.send(route, **kw)
        assert_not_a_server_error(r)
        if r.status_code >= 400:
            assert await fingerprint(self.app.state.engine) == before, f"{route.method} {route.path} wrote rows"
        return r


async def _routes(app: Any, client: httpx.AsyncClient, school: Any) -> list[Route]:
    from api.services.demo_school import efficiency_request, email
    from db import clock
    from db.models import Attempt, ImprovementPlan, Question, StudyPlan

    ids = school.ids
    async with app.state.sessionmaker() as db:
        attempt = (await db.execute(select(Attempt).where(Attempt.student_id == ids["ada"]))).scalars().first()
        plan = (await db.execute(select(ImprovementPlan).where(ImprovementPlan.student_id == ids["ada"])))\
            .scalars().first()
        study = {str(p.student_id): p for p in (await db.execute(select(StudyPlan))).scalars()}
        question = (await db.execute(select(Question.id).limit(1))).scalar_one()
    ada_plan, ben_plan = study[ids["ada"]], study[ids["ben"]]
    next_day = next(d for d in ada_plan.schedule if not d.get("completed"))
    examiner = {"Authorization": f"Bearer {school.tokens[email('okafor')]}"}
    queued = (await client.get("/v1/reviews", headers=examiner)).json()["items"][0]
    sessions = {}
    for who in ("ada", "ben"):
        r = await client.post("/v1/coaching-sessions", json={"topic": "price elasticity of demand"},
                              headers={"Authorization": f"Bearer {school.tokens[email(who)]}"})
        sessions[who] = r.json()["id"]
    teacher = {"Authorization": f"Bearer {school.tokens[email('rivera')]}"}
    ada = {"Authorization": f"Bearer {school.tokens[email('ada')]}"}
    klass = (await client.get(f"/v1/classes/{school.class_id}", headers=teacher)).json()
    await client.post(f"/v1/classes/{school.class_id}/members", json={"email": email("ada")}, headers=teacher)
    invitation = (await client.get("/v1/invitations", headers=ada)).json()[0]["id"]
    spare_token = (await client.post("/v1/tokens", json={"name": "fuzz"}, headers=ada)).json()["id"]
    exam = (clock.now() + timedelta(days=120)).date().isoformat()
    window = {"subject_code": "9708", "exam_date": exam, "hours_per_day": 2}
    teacher = {"Authorization": f"Bearer {school.tokens[email('rivera')]}"}
    job = (await client.post("/v1/jobs/class-plans", json={"class_ids": [school.class_id], **window},
                             headers=teacher)).json()
    return [
        Route("POST", "/v1/jobs/class-plans", "teacher", body={"class_ids": [school.class_id], **window},
              required=["class_ids", "subject_code", "exam_date", "hours_per_day"]),
        Route("POST", "/v1/jobs/markings", "teacher", body={"submissions": [{
            "student_id": ids["ada"], "subject_code": "9708",
            "answers": [{"question_id": str(question), "answer": "demand falls"}]}]}, required=["submissions"]),
        Route("POST", "/v1/jobs/eval-runs", "teacher", body={"points": ["9708.2.2"], "personas": ["confused"]}),
        Route("POST", "/v1/jobs/session-judgements", "teacher", body={"since": "2026-01-01T00:00:00Z"},
              required=["since"]),
        Route("GET", "/v1/jobs", "teacher", query=["limit"]),
        Route("GET", "/v1/jobs/{job_id}", "teacher", {"job_id": job["id"]}),
        Route("POST", "/v1/jobs/{job_id}/cancel", "teacher", {"job_id": job["id"]}, body={"reason": "fuzz"}),
        Route("POST", "/v1/attempts", "ada", body={"subject_code": "9708", "answers": [
            {"question_id": str(question), "answer": "Demand is price elastic when PED > 1."}]},
            required=["subject_code", "answers"]),
        Route("GET", "/v1/attempts/{attempt_id}", "ada", {"attempt_id": str(attempt.id)}),
        Route("POST", "/v1/classes", "teacher", body={"name": "Fuzz", "subject_code": "9708"},
              required=["name", "subject_code"]),
        Route("GET", "/v1/classes/{class_id}", "teacher", {"class_id": school.class_id}),
        Route("POST", "/v1/classes/{class_id}/members", "teacher", {"class_id": school.class_id},
              body={"email": email("esi")}),
        Route("POST", "/v1/coaching-sessions", "ada", body={"topic": "elasticity", "syllabus_point": "9708.2.2"},
              required=["topic"]),
        Route("GET", "/v1/coaching-sessions", "teacher", query=["student_id", "outcome", "limit", "offset"]),
        Route("POST", "/v1/coaching-sessions/{session_id}/messages", "ada", {"session_id": sessions["ada"]},
              body={"content": "I think it is about how much people buy"}, required=["content"]),
        Route("GET", "/v1/coaching-sessions/{session_id}", "ada", {"session_id": sessions["ada"]}),
        Route("POST", "/v1/coaching-sessions/{session_id}/outcome", "ben", {"session_id": sessions["ben"]},
              body={"outcome": "resolved"}, required=["outcome"]),
        Route("POST", "/v1/customers/{customer}/profiles/{profile}/coachingEfficiencyStats:retrieve", "teacher",
              {"customer": "demo-school", "profile": "9708"},
              body=efficiency_request() | {"filterByAttribute": {"usecaseNames": [], "users": ["coach-agent"]}},
              required=["filterByTimeRange"]),
        Route("POST", "/v1/evals/transcripts:score", "teacher", body={"transcript": [
            {"role": "student", "content": "I don't get elasticity"},
            {"role": "coach", "content": "What happens to quantity when price rises?"}]}),
        Route("GET", "/v1/evals/sessions/counts", "teacher", query=["since", "until", "bucket"]),
        Route("GET", "/healthz", "ada"),
        Route("GET", "/readyz", "ada"),
        Route("GET", "/v1/improvement-plans/{plan_id}", "ada", {"plan_id": str(plan.id)}),
        Route("PATCH", "/v1/improvement-plans/{plan_id}/progress", "ada", {"plan_id": str(plan.id)},
              body={"action_id": plan.action_items[0]["id"], "notes": "did the exercises"}, required=["action_id"]),
        Route("GET", "/v1/reviews", "examiner", query=["limit", "offset"]),
        Route("POST", "/v1/reviews/{attempted_question_id}", "examiner",
              {"attempted_question_id": queued["attempted_question_id"]},
              body={"marks_awarded": 0, "feedback": "fine"}, required=["marks_awarded"]),
        Route("GET", "/v1/me", "ada"),
        Route("GET", "/v1/students/{student_id}", "teacher", {"student_id": ids["ada"]}),
        Route("POST", "/v1/study-plans", "ada", body={"student_id": ids["ada"], **window},
              required=["student_id", "subject_code", "exam_date", "hours_per_day"]),
        Route("POST", "/v1/classes/{class_id}/study-plans", "teacher", {"class_id": school.class_id},
              body=dict(window), required=["subject_code", "exam_date", "hours_per_day"]),
        Route("GET", "/v1/study-plans/{plan_id}", "ada", {"plan_id": str(ada_plan.id)}),
        Route("PATCH", "/v1/study-plans/{plan_id}", "ben", {"plan_id": str(ben_plan.id)},
              body={"status": "abandoned"}, required=["status"]),
        Route("POST", "/v1/study-plans/{plan_id}/days/{day}/complete", "ada",
              {"plan_id": str(ada_plan.id), "day": str(next_day["day"])},
              body={"grades": {code: 3 for code in next_day["topics"]}}),
        Route("GET", "/v1/classes", "teacher"),
        Route("GET", "/v1/classes/{class_id}/spend", "teacher", {"class_id": school.class_id}, query=["days"]),
        Route("GET", "/v1/students/{student_id}/spend", "teacher", {"student_id": ids["ada"]}, query=["days"]),
        Route("DELETE", "/v1/classes/{class_id}/members/{student_id}", "teacher",
              {"class_id": school.class_id, "student_id": ids["esi"]}),
        Route("POST", "/v1/classes/{class_id}/invite-code", "teacher", {"class_id": school.class_id}),
        Route("GET", "/v1/classes/{class_id}/membership-events", "teacher", {"class_id": school.class_id}),
        Route("POST", "/v1/class-invites/accept", "ada", body={"code": klass["invite_code"]}, required=["code"]),
        Route("GET", "/v1/invitations", "ada"),
        Route("POST", "/v1/invitations/{invitation_id}/accept", "ada", {"invitation_id": invitation}),
        Route("POST", "/v1/invitations/{invitation_id}/decline", "ada", {"invitation_id": invitation}),
        Route("GET", "/v1/tokens", "ada", query=["student_id"]),
        Route("POST", "/v1/tokens", "ada", body={"name": "fuzz token"}),
        Route("DELETE", "/v1/tokens/{token_id}", "ada", {"token_id": spare_token}),
        Route("GET", "/metrics", "ada"),
        Route("GET", "/v1/me/home", "ada"),
        Route("GET", "/v1/classes/{class_id}/mastery", "teacher", {"class_id": school.class_id}, query=["days"]),
        Route("GET", "/v1/classes/{class_id}/mastery/{code}", "teacher",
              {"class_id": school.class_id, "code": "9708.2.2"}, query=["days", "student_id"]),
        Route("GET", "/v1/flagged-sessions", "teacher"),
    ]


@pytest.fixture(scope="module", name="school")
async def school_fixture(pg_server_url: str, pg_template: str):  # noqa: ANN201
    """The demo school on a database of its own, shared by every test in this module."""
    from api.app import create_app
    from api.services.demo_school import DemoSchool, build_history, email, issue_demo_tokens
    from tests import pg

    name = pg.clone_database(pg_server_url, pg_template)
    url = pg.with_database(pg_server_url, name)
    app = create_app(database_url=url)
    try:
        async with app.router.lifespan_context(app):
            demo = DemoSchool()
            await issue_demo_tokens(app.state, demo)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fuzz") as client:
                await build_history(app.state, client, demo)
                tokens = {"ada": demo.tokens[email("ada")], "ben": demo.tokens[email("ben")],
                          "teacher": demo.tokens[email("rivera")], "examiner": demo.tokens[email("okafor")]}
                yield School(app, client, tokens, await _routes(app, client, demo), url)
    finally:
        pg.drop_database(pg_server_url, name)
