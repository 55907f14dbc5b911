"""End to end: tutoring history written through the feedback functions answers "did AI coaching on price
elasticity raise elasticity marks the following week?" as a coaching-efficiency query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from db.repo.director_templates import get_template
from tests.planning.history import coached, make_class, make_student, mark, question_on
from tools.efficiency import retrieve_efficiency_stats
from tools.tenancy import organisation

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
SESSION_AT = NOW - timedelta(days=20)
ORG = organisation()
CODE = "9708.2.2"  # price elasticity of demand

BEFORE = [0.2, 0.3, 0.2]            # fractions of marks, days −7, −5, −3
AFTER = [0.6, 0.7, 0.8, 0.7, 0.8]   # days +1 … +5: five conversations (the auto threshold)


async def build_history(db) -> dict:
    """Two students of one class: Ada is coached by the AI Coach and improves; Ben is coached by the
    teacher but sits too few answers afterwards for a valid after window."""
    ada, ben = await make_student(db, "Ada"), await make_student(db, "Ben")
    teacher, class_id = await make_class(db, student_ids=[ada, ben])
    q = await question_on(db, CODE)
    before = [round(f * q.max_marks) for f in BEFORE]
    after = [round(f * q.max_marks) for f in AFTER]
    for days, marks in zip((-7, -5, -3), before):
        await mark(db, student_id=ada, question=q, marks=marks, at=SESSION_AT + timedelta(days=days))
    await coached(db, student_id=ada, code=CODE, outcome="resolved", at=SESSION_AT)
    for days, marks in zip((1, 2, 3, 4, 5), after):
        await mark(db, student_id=ada, question=q, marks=marks, at=SESSION_AT + timedelta(days=days))
    # Outside both windows (≥ 6 days after): must not count.
    await mark(db, student_id=ada, question=q, marks=0, at=SESSION_AT + timedelta(days=8))

    await mark(db, student_id=ben, question=q, marks=round(0.5 * q.max_marks), at=SESSION_AT - timedelta(days=2))
    await coached(db, student_id=ben, code=CODE, outcome="needs_more_help", at=SESSION_AT, closed_by=teacher)
    await mark(db, student_id=ben, question=q, marks=round(0.6 * q.max_marks), at=SESSION_AT + timedelta(days=1))
    await db.commit()
    lift = sum(after) / len(after) / q.max_marks - sum(before) / len(before) / q.max_marks
    return {"ada": ada, "ben": ben, "teacher": teacher, "class_id": class_id, "question": q, "lift": lift}


async def test_ai_coaching_on_elasticity_raised_elasticity_marks(session) -> None:
    h = await build_history(session)
    stats = await retrieve_efficiency_stats(
        session, customer=ORG, profile="9708", start=NOW - timedelta(days=30), end=NOW,
        usecase_ids=[str(h["class_id"])], users=None, group_by=["COACHING_SESSION_SUBMITTER"], now=NOW,
    )
    by_coach = {g.key[next(iter(g.key))]: g for g in stats}
    assert set(by_coach) == {"coach-agent", str(h["teacher"])}

    ai = by_coach["coach-agent"]
    assert not ai.is_efficiency_score_invalid
    assert h["lift"] > 0.3  # the history really is an improvement
    assert ai.coaching_efficiency == pytest.approx(h["lift"], abs=1e-9)  # (Δ × 5 conversations) / 5
    assert (ai.total_sessions, ai.before_conversations, ai.after_conversations) == (1, 3, 5)

    human = by_coach[str(h["teacher"])]
    assert human.total_sessions == 1 and human.is_efficiency_score_invalid  # 1 answer after < 5


async def test_the_same_question_by_criterion_over_http(client, app, make_account) -> None:
    async with app.state.sessionmaker() as db:
        h = await build_history(db)
        template = await get_template(db, customer=ORG, profile="9708")
    teacher = await make_account("admin")  # sees every class (a teacher sees only their own classes)
    # The API uses the real clock as "now": the session only scores once it is 7 days old.
    body = {
        "filterByTimeRange": {"startTime": (SESSION_AT - timedelta(days=1)).isoformat(),
                              "endTime": (SESSION_AT + timedelta(days=1)).isoformat()},
        "filterByAttribute": {"users": [str(h["ada"])]},
        "groupByAttributeTypes": ["CRITERION"],
    }
    r = await client.post(f"/v1/customers/{ORG}/profiles/9708/coachingEfficiencyStats:retrieve", json=body,
                          headers=teacher.headers)
    assert r.status_code == 200, r.text
    [stat] = r.json()["coachingEfficiencyStats"]
    assert stat["attribute"] == {"criteria": [f"{template.resource_id}/{CODE}"]}
    if datetime.now(UTC) - SESSION_AT >= timedelta(days=7):
        assert stat["coachingEfficiency"] == pytest.approx(h["lift"], abs=1e-9)
        assert stat["afterConversationCount"] == 5
