"""The demo school: a teacher, an examiner, a class and five students with four weeks of history.

Everything is produced through the product's own HTTP API (in-process), with the service clock set back to
when each event "happened": weak answers in week 1, Coach sessions on price elasticity at day 8 (two resolved,
one needs_more_help, one referred to the teacher), better answers in the week after for the students the
coaching helped, study plans, a completed plan day, and one human review. So the review queue, the
transcripts, the plans and the coaching-efficiency report all show something true.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx

from api.auth.passwords import hash_password
from api.auth.tokens import issue_api_token
from db import clock
from db.repo.accounts import create_account, get_account_by_email, revoke_tokens, set_password_hash

DOMAIN = "demo-school.example"
TEACHER = ("rivera", "Ms Rivera", "teacher")
EXAMINER = ("okafor", "Mr Okafor", "examiner")
STUDENTS = [("ada", "Ada Lovelace"), ("ben", "Ben Carter"), ("chloe", "Chloe Ng"), ("dev", "Dev Patel"),
            ("esi", "Esi Mensah")]
ELASTICITY = "9708.2.2"
INFLATION = "9708.4.5"

# What each student says to the Coach about price elasticity of demand.
RESOLVES = [
    "I don't really understand price elasticity of demand",
    "It's about how much the quantity people buy reacts when the price changes",
    "You work it out as the percentage change in quantity divided by the percentage change in price",
    "If the number is more than 1 it's elastic, and under 1 it's inelastic",
    "If demand is elastic, cutting the price would increase total revenue",
    "Goods with lots of substitutes are more elastic",
]
STRUGGLES = ["I don't get elasticity at all", "I don't know", "no idea", "I'm not sure", "I don't know",
             "still don't know", "I really don't know"]
REFERS = ["elasticity is confusing me", "this is too hard, can I talk to my teacher please?"]
SCRIPTS = {"ada": RESOLVES, "ben": RESOLVES, "chloe": STRUGGLES, "dev": REFERS}
# Answer quality by student: (before coaching, after coaching).
LEVELS = {"ada": ("weak", "strong"), "ben": ("weak", "middling"), "chloe": ("weak", "weak"),
          "dev": ("middling", "middling"), "esi": ("middling", "strong")}


@dataclass
class DemoSchool:
    tokens: dict[str, str] = field(default_factory=dict)  # email -> token
    passwords: dict[str, str] = field(default_factory=dict)  # email -> sign-in password (fresh each run)
    ids: dict[str, str] = field(default_factory=dict)  # short name -> account id
    class_id: str | None = None
    created: bool = False
    log: list[str] = field(default_factory=list)


def email(short: str) -> str:
    return f"{short}@{DOMAIN}"


DEMO_TOKEN_NAME = "teach demo"


def _demo_password() -> str:
    """A fresh, readable sign-in password (four words' worth of entropy is plenty for a demo)."""
    return "demo-" + secrets.token_urlsafe(9)


async def issue_demo_tokens(state: Any, school: DemoSchool) -> bool:
    """Create the demo accounts (or find them); revoke the tokens an earlier `teach demo` issued, then give
    each account a fresh expiring token and a fresh password. True if the accounts were new."""
    people = [TEACHER, EXAMINER, *[(s, n, "student") for s, n in STUDENTS]]
    async with state.sessionmaker() as db:
        existed = await get_account_by_email(db, email=email(TEACHER[0])) is not None
        for short, name, role in people:
            acct = await get_account_by_email(db, email=email(short)) or await create_account(
                db, email=email(short), display_name=name, role=role)
            school.ids[short] = str(acct.id)
            await revoke_tokens(db, account_id=acct.id, name=DEMO_TOKEN_NAME)
            school.tokens[email(short)] = await issue_api_token(db, account_id=acct.id, name=DEMO_TOKEN_NAME)
            password = school.passwords[email(short)] = _demo_password()
            await set_password_hash(db, account_id=acct.id, password_hash=await hash_password(password))
        await db.commit()
    return not existed


class _Api:
    """A thin caller of the in-process API that fails loudly on unexpected statuses."""

    def __init__(self, client: httpx.AsyncClient, school: DemoSchool) -> None:
        self.client, self.school = client, school

    def _h(self, short: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.school.tokens[email(short)]}"}

    async def call(self, method: str, path: str, who: str, body: Any = None, ok: tuple[int, ...] = (200, 201)) -> Any:
        r = await self.client.request(method, path, json=body, headers=self._h(who))
        if r.status_code not in ok:
            raise RuntimeError(f"{method} {path} as {who}: {r.status_code} {r.text[:300]}")
        return r.json()


def _at(day0: datetime, day: int, hour: int = 16) -> datetime:
    return datetime.combine((day0 + timedelta(days=day)).date(), time(hour, 0), tzinfo=UTC)


def _questions(codes: list[str]) -> dict[str, list[dict]]:
    from curriculum.loader import get_curriculum

    cur = get_curriculum()
    return {code: [{"ref": q.ref, "answers": {a.level: a.answer for a in q.reference_answers}}
                   for q in cur.questions_for(code)] for code in codes}


async def _question_ids(state: Any, refs: list[str]) -> dict[str, str]:
    from sqlalchemy import select

    from db.models import Question

    async with state.sessionmaker() as db:
        rows = (await db.execute(select(Question.ref, Question.id).where(Question.ref.in_(refs)))).all()
    return {ref: str(qid) for ref, qid in rows}


async def _attempt(api: _Api, who: str, items: list[dict], level: str, qids: dict[str, str]) -> dict:
    answers = [{"question_id": qids[q["ref"]], "answer": q["answers"][level]} for q in items]
    return await api.call("POST", "/v1/attempts", who, {"subject_code": "9708", "answers": answers})


async def build_history(state: Any, client: httpx.AsyncClient, school: DemoSchool) -> None:
    """Replay four weeks of school life through the API, each step at its own time."""
    api = _Api(client, school)
    day0 = clock.now() - timedelta(days=28)
    bank = _questions([ELASTICITY, INFLATION])
    qids = await _question_ids(state, [q["ref"] for qs in bank.values() for q in qs])
    students = [s for s, _ in STUDENTS]

    with clock.clock_at(_at(day0, 0, 9)):
        klass = await api.call("POST", "/v1/classes", "rivera", {"name": "12A Economics", "subject_code": "9708"})
        school.class_id = klass["id"]
        for s in students:  # the teacher shares the class's invite code; each student accepts it
            await api.call("POST", "/v1/class-invites/accept", s, {"code": klass["invite_code"]})
    for i, s in enumerate(students):  # week 1: everyone answers the elasticity and inflation questions
        with clock.clock_at(_at(day0, 1 + i)):
            await _attempt(api, s, bank[ELASTICITY], LEVELS[s][0], qids)
            await _attempt(api, s, bank[INFLATION], "middling" if s != "chloe" else "weak", qids)
    school.log.append("week 1: 10 attempts marked (weak-to-middling answers on elasticity and inflation)")

    for s, script in SCRIPTS.items():  # day 8: the Coach
        with clock.clock_at(_at(day0, 8, 15)):
            sess = await api.call("POST", "/v1/coaching-sessions", s,
                                  {"topic": "price elasticity of demand", "syllabus_point": ELASTICITY})
        outcome = "in_progress"
        for minute, line in enumerate(script):
            with clock.clock_at(_at(day0, 8, 15) + timedelta(minutes=2 * minute + 1)):
                turn = await api.call("POST", f"/v1/coaching-sessions/{sess['id']}/messages", s, {"content": line})
            outcome = turn["outcome"]
            if outcome != "in_progress":
                break
        school.log.append(f"day 8: {s}'s coaching session on {ELASTICITY} → {outcome} ({len(script)} messages)")

    for i, s in enumerate(students):  # the week after: two more attempts each on elasticity
        for k in range(2):
            with clock.clock_at(_at(day0, 9 + i % 3 + 2 * k, 17)):
                await _attempt(api, s, bank[ELASTICITY], LEVELS[s][1], qids)
    school.log.append("days 9-14: 10 more elasticity attempts (stronger where the coaching resolved)")

    with clock.clock_at(_at(day0, 15, 10)):
        queue = await api.call("GET", "/v1/reviews", "okafor")
        items = queue.get("items", queue) if isinstance(queue, dict) else queue
        if items:
            first = items[0]
            mark = max(0, min(first.get("max_marks", 0), (first.get("marks_awarded") or 0)))
            await api.call("POST", f"/v1/reviews/{first['attempted_question_id']}", "okafor",
                           {"marks_awarded": mark, "feedback": "Checked by the examiner: the mark stands."})
            school.log.append(f"day 15: the examiner reviewed 1 answer; {len(items) - 1} still wait in the queue")

    exam = (clock.now() + timedelta(days=120)).date().isoformat()
    with clock.clock_at(_at(day0, 16, 11)):
        plans = await api.call("POST", f"/v1/classes/{klass['id']}/study-plans", "rivera",
                               {"subject_code": "9708", "exam_date": exam, "hours_per_day": 2})
    created = [r for r in plans["results"] if r["status"] == "created"]
    school.log.append(f"day 16: study plans for the class ({len(created)} created, exam {exam})")
    ada_plan = next((r["study_plan_id"] for r in created if r["student_id"] == school.ids["ada"]), None)
    if ada_plan:
        with clock.clock_at(_at(day0, 16, 20)):
            plan = await api.call("GET", f"/v1/study-plans/{ada_plan}", "ada")
            first_day = plan["schedule"][0]
            grades = {code: 4 for code in first_day["topics"]}
            await api.call("POST", f"/v1/study-plans/{ada_plan}/days/{first_day['day']}/complete", "ada",
                           {"grades": grades})
        school.log.append("day 16: Ada completed her first study day (EFs updated, the rest re-planned)")


def efficiency_request(day0_days_ago: int = 28) -> dict:
    """The README's example: coaching efficiency by coach over the demo's coaching week."""
    start = (clock.now() - timedelta(days=day0_days_ago)).replace(microsecond=0)
    end = clock.now().replace(microsecond=0)
    return {"filterByTimeRange": {"startTime": start.isoformat(), "endTime": end.isoformat()},
            "filterByAttribute": {"usecaseNames": [], "users": []},
            "groupByAttributeTypes": ["COACHING_SESSION_SUBMITTER"]}

