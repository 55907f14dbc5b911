"""Row-by-row builders of `director` data for the coaching-efficiency tests (DB and API)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models.director import (
    DirectorCoachingPlan,
    DirectorCoachingSession,
    DirectorScore,
    DirectorScorecard,
    DirectorScorecardTemplate,
    DirectorTarget,
)

_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    """A unique varchar id (ULID-length is irrelevant to the calculation)."""
    return f"{prefix}{next(_ids):08d}"


def criterion(identifier: str, *, auto: bool = True, excluded: bool = False, outcome: bool = False) -> dict:
    """One entry of a template's criteria[], shaped as the seed shows it."""
    c: dict[str, Any] = {"identifier": identifier, "name": identifier, "weight": 1.0,
                         "exclude_from_qa_scores": excluded, "is_outcome_criterion": outcome}
    if auto:
        c["auto_qa"] = {"triggers": ["marker-agent"]}
    return c


class Director:
    """Adds director rows for one tenancy; every method flushes so later rows can reference earlier ones."""

    def __init__(self, session: AsyncSession, *, customer: str, profile: str) -> None:
        self.s = session
        self.customer = customer
        self.profile = profile

    def _tenancy(self) -> dict[str, str]:
        return {"customer": self.customer, "profile": self.profile}

    async def template(self, template_id: str, criteria: list[dict], **tenancy: str) -> str:
        t = {**self._tenancy(), **tenancy}
        self.s.add(DirectorScorecardTemplate(resource_id=template_id, revision="1", title=template_id,
                                             template={"criteria": criteria, "chapters": []}, **t))
        await self.s.flush()
        return template_id

    async def plan(self, *, agent: str, targets: list[tuple[str, str]], focus: list[str] | None = None) -> str:
        pid = new_id("plan")
        self.s.add(DirectorCoachingPlan(resource_id=pid, agent_user_id=agent, creator_user_id="teacher",
                                        focus_criteria_ids=focus, **self._tenancy()))
        await self.s.flush()
        for tpl, crit in targets:
            self.s.add(DirectorTarget(target_id=new_id("tgt"), coaching_plan_id=pid, scorecard_template_id=tpl,
                                      criterion_or_chapter_id=crit, target=0.8, **self._tenancy()))
        await self.s.flush()
        return pid

    async def session(
        self, *, agent: str, coach: str | None, at: datetime, focus: list[str] | None,
        plan_id: str | None = None, submitted: bool = True, deleted: bool = False, usecase: str = "class-1",
        session_id: str | None = None,
    ) -> str:
        sid = session_id or new_id("sess")
        self.s.add(DirectorCoachingSession(
            resource_id=sid, agent_user_id=agent, manager_submitter_user_id=coach, coaching_plan_id=plan_id,
            focus_criteria_ids=focus, session_at=at, manager_submitted_at=at + timedelta(hours=1) if submitted else None,
            deleted_at=at + timedelta(days=1) if deleted else None, usecase_id=usecase, **self._tenancy(),
        ))
        await self.s.flush()
        return sid

    async def scorecard(
        self, *, agent: str, template: str, at: datetime | None, values: dict[str, float | None],
        conversation: str | None = None,
    ) -> str:
        cid = new_id("card")
        self.s.add(DirectorScorecard(
            resource_id=cid, conversation_id=conversation or new_id("conv"), agent_user_id=agent,
            template_id=template, template_revision="1", creator_user_id="marker", submitted_at=at,
            **self._tenancy(),
        ))
        await self.s.flush()
        for crit, value in values.items():
            self.s.add(DirectorScore(resource_id=new_id("score"), scorecard_id=cid, criterion_identifier=crit,
                                     numeric_value=value, **self._tenancy()))
        await self.s.flush()
        return cid

    async def windows(
        self, *, agent: str, template: str, criterion_id: str, session_at: datetime,
        before: list[float], after: list[float],
    ) -> None:
        """Scorecards inside the before window (−7 d … −2 d) and the after window (0 … +5 d), one per value."""
        for i, v in enumerate(before):
            at = session_at - timedelta(days=7) + timedelta(hours=i * 100 / max(1, len(before)))
            await self.scorecard(agent=agent, template=template, at=at, values={criterion_id: v})
        for i, v in enumerate(after):
            at = session_at + timedelta(hours=1 + i * 110 / max(1, len(after)))
            await self.scorecard(agent=agent, template=template, at=at, values={criterion_id: v})
