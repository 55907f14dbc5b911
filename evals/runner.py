"""Run scenarios through the real compiled workflow on a real database, then score and check them.

For every (scenario, syllabus point): open a coaching session for that persona's eval student account, let the
persona talk to the Coach turn by turn (`{"kind": "chat", "student_message": ...}` into the compiled graph,
exactly as the API does) until the session closes or the persona's turn limit, read the stored transcript
back, score it (`evals.suite.score_transcript`) and evaluate the scenario's pass conditions.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.state import GraphContext
from db.repo.accounts import create_account, get_account_by_email
from db.repo.coaching import create_session, get_session
from evals.personas import Turn
from evals.scenarios import Scenario
from evals.session_transcript import Transcript, point_for
from evals.sources import transcript_of_session
from evals.suite import score_transcript

EVAL_EMAIL = "eval-{persona}@eval.teach.invalid"


@dataclass
class ScenarioRun:
    """One finished scenario on one syllabus point."""

    persona: str
    code: str
    point: dict[str, Any]
    session_id: str | None = None
    outcome: str | None = None
    student_turns: int = 0
    models: list[str] = field(default_factory=list)
    transcript: Transcript | None = None
    scored: dict[str, Any] | None = None
    conditions: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    turn_seconds: list[float] = field(default_factory=list)  # wall time of each turn through the workflow
    guards: list[dict[str, Any] | None] = field(default_factory=list)  # the reply guard's record per turn

    @property
    def passed(self) -> bool:
        """Every pass condition held and nothing crashed."""
        return self.error is None and all(c["passed"] for c in self.conditions)

    def session_result(self, key: str) -> dict[str, Any]:
        """The deterministic session score `key`."""
        return next(r for r in (self.scored or {}).get("session", []) if r["key"] == key)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (transcript entries included, so a failure can be read in the report)."""
        return {
            "persona": self.persona, "syllabus_point": self.code, "session_id": self.session_id,
            "outcome": self.outcome, "student_turns": self.student_turns, "models": self.models,
            "passed": self.passed, "error": self.error, "seconds": round(self.seconds, 3),
            "conditions": self.conditions, "turn_seconds": [round(s, 4) for s in self.turn_seconds],
            "guards": self.guards,
            "transcript": list(self.transcript.entries) if self.transcript else [],
            "scores": self.scored,
        }


async def eval_student(sessionmaker: async_sessionmaker[AsyncSession], persona: str) -> uuid.UUID:
    """The eval student account for `persona` (created on first use, reused by later runs)."""
    email = EVAL_EMAIL.format(persona=persona.replace("_", "-"))
    async with sessionmaker() as db:
        account = await get_account_by_email(db, email=email)
        if account is None:
            account = await create_account(db, email=email, display_name=f"Eval student ({persona})",
                                           role="student")
        if not account.simulated:  # tagged: its sessions never reach the analytics or teachers' lists
            account.simulated = True
        await db.commit()
        return account.id


async def run_scenario(graph: Any, sessionmaker: async_sessionmaker[AsyncSession], scenario: Scenario, code: str,
                       *, student_id: uuid.UUID, model_factory: Callable[[str], BaseChatModel] | None = None,
                       judge_model: BaseChatModel | None = None, guard_replies: bool = True) -> ScenarioRun:
    """Play one scenario on syllabus point `code`; errors are recorded on the run, never raised."""
    point = point_for(code)
    if point is None:
        raise ValueError(f"points: unknown syllabus point {code!r}")
    run = ScenarioRun(persona=scenario.persona, code=code, point=point)
    started = time.perf_counter()
    try:
        await _converse(graph, sessionmaker, scenario, run, student_id=student_id, model_factory=model_factory,
                        guard_replies=guard_replies)
        run.scored = await asyncio.to_thread(score_transcript, run.transcript, judge_model=judge_model)
        for name, check in scenario.conditions:
            passed, detail = check(run)
            run.conditions.append({"name": name, "passed": bool(passed), "detail": detail})
    except Exception as exc:  # noqa: BLE001  (one broken scenario must not hide the results of the others)
        run.error = f"{type(exc).__name__}: {exc}"
    run.seconds = time.perf_counter() - started
    return run


async def _converse(graph: Any, sessionmaker: async_sessionmaker[AsyncSession], scenario: Scenario,
                    run: ScenarioRun, *, student_id: uuid.UUID,
                    model_factory: Callable[[str], BaseChatModel] | None, guard_replies: bool = True) -> None:
    async with sessionmaker() as db:
        cs = await create_session(db, student_id=student_id, topic=run.point["title"],
                                  struggle_description=None, syllabus_point_code=run.code)
        await db.commit()
    run.session_id = str(cs.id)
    persona = scenario.make_persona()
    ctx = GraphContext(sessionmaker=sessionmaker, student_id=student_id, session_id=cs.id,
                       model_factory=model_factory, guard_replies=guard_replies)
    config = {"configurable": {"thread_id": str(cs.id)}}
    history: list[dict[str, str]] = []
    reply, outcome = "", "in_progress"
    for number in range(scenario.max_turns(run.point)):
        turn = Turn(point=run.point, number=number, last_reply=reply, history=list(history))
        message = await asyncio.to_thread(persona.next_message, turn)
        if not message:
            break
        started = time.perf_counter()
        result = await graph.ainvoke({"kind": "chat", "student_message": message}, config=config, context=ctx)
        run.turn_seconds.append(time.perf_counter() - started)
        run.guards.append(result.get("guard"))
        reply, outcome = result.get("reply") or "", result.get("outcome") or outcome
        run.student_turns += 1
        if result.get("reply_model") and result["reply_model"] not in run.models:
            run.models.append(result["reply_model"])
        history += [{"role": "student", "content": message}, {"role": "coach", "content": reply}]
        if outcome != "in_progress":
            break
    async with sessionmaker() as db:
        stored = await get_session(db, session_id=cs.id)
    run.outcome = stored.outcome
    run.transcript = transcript_of_session(stored)


def compile_graph() -> Any:
    """The real workflow compiled with an in-memory checkpointer (the transcript of record is in Postgres)."""
    from graph.build import build_graph

    return build_graph().compile(checkpointer=InMemorySaver())


async def run_suite(sessionmaker: async_sessionmaker[AsyncSession], *, scenarios: Sequence[Scenario],
                    codes: Sequence[str], model_factory: Callable[[str], BaseChatModel] | None = None,
                    guard_replies: bool = True,
                    judge_model: BaseChatModel | None = None,
                    on_progress: Callable[[ScenarioRun], None] | None = None) -> list[ScenarioRun]:
    """Every scenario on every point, one after another (runs are independent sessions)."""
    graph = compile_graph()
    runs = []
    for scenario in scenarios:
        student_id = await eval_student(sessionmaker, scenario.persona)
        for code in codes:
            run = await run_scenario(graph, sessionmaker, scenario, code, student_id=student_id,
                                     model_factory=model_factory, judge_model=judge_model,
                                     guard_replies=guard_replies)
            runs.append(run)
            if on_progress is not None:
                on_progress(run)
    return runs
