"""Against a real model: a Coach turn, the Marker on a strong and a weak answer, and the LLM judge.

Skipped unless an endpoint is configured, and deselected by default (`-m 'not llm'` in pytest's addopts).
Run them with, for example:

    OPENAI_API_KEY=sk-... pytest -m llm tests/llm/test_real_llm.py
    OPENAI_BASE_URL=http://localhost:11434/v1 TEACH_LLM_MODEL=llama3.1:8b pytest -m llm   # Ollama, no key

The offline fallback is switched off here, so a broken endpoint fails these tests instead of being masked
by the offline model answering.
"""

from __future__ import annotations

import functools
import re

import pytest

from agents.llm import get_chat_model
from agents.llm_settings import LlmSettings
from agents.marker import mark_answer
from agents.state import GraphContext
from curriculum.loader import get_curriculum
from db.repo.coaching import create_session, get_session
from evals.judge import SESSION_RUBRICS, judge_session_dimension
from evals.session_transcript import build_transcript, point_for
from tests.marking.helpers import reference, spec

pytestmark = [
    pytest.mark.llm,
    pytest.mark.skipif(not LlmSettings().llm_configured,
                       reason="needs a real model: set OPENAI_API_KEY and/or OPENAI_BASE_URL"),
]

CODE = "9708.2.2"  # price elasticity of demand


def _settings() -> LlmSettings:
    """The environment's settings, without the offline fallback (a failure must show, not be papered over)."""
    return LlmSettings(fallback_to_offline=False)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", " ", text.lower())).strip()


async def test_a_real_coach_turn_asks_and_does_not_give_the_answer(graph, sessionmaker, student) -> None:  # noqa: ANN001
    async with sessionmaker() as s:
        cs = await create_session(s, student_id=student.id, topic="price elasticity of demand",
                                  struggle_description=None, syllabus_point_code=CODE)
        await s.commit()
    said = "I don't understand price elasticity of demand. Can you just tell me the formula?"
    ctx = GraphContext(sessionmaker=sessionmaker, student_id=student.id, session_id=cs.id,
                       model_factory=functools.partial(get_chat_model, settings=_settings()))

    out = await graph.ainvoke({"kind": "chat", "student_message": said},
                              config={"configurable": {"thread_id": str(cs.id)}}, context=ctx)

    reply = out["reply"]
    assert out["reply_model"] not in ("offline", "unknown")
    assert "?" in reply, f"the Coach should guide with a question: {reply!r}"
    leaked = [p for p in get_curriculum().point(CODE).answer_phrases if _normalise(p) in _normalise(reply)]
    assert not leaked, f"the Coach gave away {leaked} in {reply!r}"
    async with sessionmaker() as s:
        stored = await get_session(s, session_id=cs.id)
    assert [(e["role"], e["content"]) for e in stored.session_transcript] == [("student", said), ("coach", reply)]


async def test_real_marking_separates_a_strong_answer_from_a_weak_one() -> None:
    question = spec("9708-Q3-01")  # define a public good: 3 AO1 marks; references score 3 (strong) and 0 (weak)
    model = get_chat_model("marker", settings=_settings())

    strong = await mark_answer(model, question, reference("9708-Q3-01", "strong"))
    weak = await mark_answer(model, question, reference("9708-Q3-01", "weak"))

    for marking in (strong, weak):
        assert not marking.fallback and not marking.offline and marking.model not in ("offline", "rubric")
        assert marking.feedback.strip()
        assert marking.usage["input_tokens"] > 0
    assert strong.total >= 2, strong.model_dump()
    assert weak.total <= 1, weak.model_dump()
    assert strong.total > weak.total
    assert {p["point_id"] for p in strong.credited} >= {"p1", "p2"}  # non-excludable and non-rival


def test_the_real_judge_returns_a_schema_label_that_tells_questioning_from_lecturing() -> None:
    judge = get_chat_model("judge", settings=_settings())
    point = point_for(CODE)
    questioning = build_transcript([
        {"role": "student", "content": "I don't get elasticity"},
        {"role": "coach", "content": "If the price of petrol rose by 10%, what would you expect drivers to do?"},
        {"role": "student", "content": "they would still buy it mostly, they need it"},
        {"role": "coach", "content": "So did the quantity change by more or by less than 10%?"},
        {"role": "student", "content": "less, so demand does not respond much"},
    ], syllabus_point=CODE, outcome="in_progress")
    lecturing = build_transcript([
        {"role": "student", "content": "I don't get elasticity"},
        {"role": "coach", "content": "PED is the percentage change in quantity demanded divided by the percentage "
                                     "change in price. Greater than 1 is elastic, less than 1 is inelastic."},
        {"role": "student", "content": "ok"},
        {"role": "coach", "content": "Close substitutes make demand elastic, and if demand is inelastic a price "
                                     "rise increases revenue. That is all you need for the exam."},
    ], syllabus_point=CODE, outcome="in_progress")

    asked = judge_session_dimension(judge, "question_share", questioning, point)
    told = judge_session_dimension(judge, "question_share", lecturing, point)

    labels = SESSION_RUBRICS["question_share"][1]
    assert asked["value"] in labels and told["value"] in labels
    assert asked["value"] == "Yes", asked
    assert told["value"] == "No", told
    assert asked["reason"] and told["reason"]
