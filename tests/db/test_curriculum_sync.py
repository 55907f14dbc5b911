"""Loading the curriculum is idempotent: a rerun leaves the same rows, and edits are applied in place."""

from __future__ import annotations

from sqlalchemy import func, select

from curriculum.loader import get_curriculum
from curriculum.sync import sync_curriculum
from db.models import DirectorScorecardTemplate, Question, Subject, SyllabusPoint
from db.repo.curriculum import get_syllabus_point


async def _counts(session):  # noqa: ANN001, ANN202
    out = []
    for model in (Subject, SyllabusPoint, Question, DirectorScorecardTemplate):
        out.append((await session.execute(select(func.count()).select_from(model))).scalar_one())
    return out


async def test_loading_twice_leaves_the_same_rows(session) -> None:  # noqa: ANN001
    cur = get_curriculum()
    before = await _counts(session)  # the test database already holds one load
    assert before == [len(cur.subjects), len(cur.points), len(cur.questions), len(cur.subjects)]
    ids_before = set((await session.execute(select(SyllabusPoint.id))).scalars())
    await sync_curriculum(session, organisation="demo-school")
    await session.commit()
    assert await _counts(session) == before
    assert set((await session.execute(select(SyllabusPoint.id))).scalars()) == ids_before


async def test_edits_are_applied_in_place(session) -> None:  # noqa: ANN001
    cur = get_curriculum()
    point = cur.point("9708.2.2")
    edited = point.model_copy(update={"title": "Price elasticity of demand (revised)"})
    patched = type(cur)(subjects=cur.subjects, points={**cur.points, "9708.2.2": edited}, questions=cur.questions)
    await sync_curriculum(session, organisation="demo-school", curriculum=patched)
    await session.commit()
    row = await get_syllabus_point(session, code="9708.2.2")
    assert row.title == "Price elasticity of demand (revised)"
    template = (await session.execute(select(DirectorScorecardTemplate))).scalar_one()
    assert template.revision == "2"
    assert any(c["name"] == "Price elasticity of demand (revised)" for c in template.template["criteria"])


async def test_template_criteria_are_the_syllabus_points(session) -> None:  # noqa: ANN001
    template = (await session.execute(select(DirectorScorecardTemplate))).scalar_one()
    codes = sorted(c["identifier"] for c in template.template["criteria"])
    assert codes == sorted(get_curriculum().points)
    assert template.customer == "demo-school" and template.profile == "9708"
