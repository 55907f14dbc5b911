"""Director scorecard templates: one per (customer, subject), whose criteria are the subject's syllabus points."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from db.models import DirectorScorecardTemplate


async def get_template(session: AsyncSession, *, customer: str, profile: str) -> DirectorScorecardTemplate | None:
    """The live template of a tenancy (customer, profile = subject code), if any."""
    stmt = (
        select(DirectorScorecardTemplate)
        .where(DirectorScorecardTemplate.customer == customer, DirectorScorecardTemplate.profile == profile)
        .order_by(DirectorScorecardTemplate.resource_id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def upsert_template(
    session: AsyncSession, *, customer: str, profile: str, title: str, criteria: list[dict[str, Any]]
) -> DirectorScorecardTemplate:
    """Create the tenancy's template, or replace its criteria (revision bumps when they change)."""
    template = await get_template(session, customer=customer, profile=profile)
    body = {"criteria": criteria, "chapters": []}
    if template is None:
        template = DirectorScorecardTemplate(
            resource_id=str(ULID()), customer=customer, profile=profile, revision="1", title=title,
            template=body, qa_score_config={"method": "mean_fraction_of_marks"}, status=1,
        )
        session.add(template)
    elif template.template != body or template.title != title:
        template.template = body
        template.title = title
        template.revision = str(int(template.revision) + 1) if template.revision.isdigit() else "1"
    await session.flush()
    return template
