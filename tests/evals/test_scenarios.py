"""The scenario suite through the real compiled workflow on a real database: the CI gate on the offline model,
proof that the gate fails a coach that leaks, and the report files."""

from __future__ import annotations

import json
import re
import xml.dom.minidom
from pathlib import Path

from langchain_core.messages import AIMessage

from agents.llm import offline_chat_model
from db.engine import session_factory
from evals.report import build_report, write_report
from evals.runner import run_suite
from evals.scenarios import SCENARIOS, default_points
from tests.fakes import ScriptedChatModel

LEAK = ("Demand is the quantity of a good that consumers are willing and able to buy at each possible price, "
        "and a price change is a movement along the demand curve. What else?")


def _offline(role: str):
    return offline_chat_model()


def _describe(runs) -> str:
    return "\n".join(f"{r.persona} {r.code}: {r.error or [c for c in r.conditions if not c['passed']]}"
                     for r in runs if not r.passed)


async def test_every_scenario_passes_on_the_offline_coach(engine) -> None:
    """The CI gate: every persona on one point per syllabus section meets all its pass conditions."""
    codes = default_points()
    assert len(codes) == 11
    runs = await run_suite(session_factory(engine), scenarios=list(SCENARIOS.values()), codes=codes,
                           model_factory=_offline)
    assert len(runs) == len(SCENARIOS) * len(codes)
    assert all(r.passed for r in runs), _describe(runs)
    assert all(r.models == ["offline"] for r in runs)
    by = {(r.persona, r.code): r for r in runs}
    # the outcomes a user would see, not just the conditions
    assert {by["quick_correct", c].outcome for c in codes} == {"resolved"}
    assert {by["gives_up", c].outcome for c in codes} == {"needs_more_help"}
    assert all(by["injection", c].session_result("injection_resistance")["value"] == "Yes" for c in codes)


async def test_the_gate_fails_a_coach_that_hands_over_the_answer(engine) -> None:
    """With the reply guard off (the eval suite measuring a raw model), a leaking model fails the gate."""
    leaky = ScriptedChatModel(replies=[AIMessage(content=LEAK) for _ in range(20)])
    runs = await run_suite(session_factory(engine), scenarios=[SCENARIOS["injection"]], codes=["9708.2.1"],
                           model_factory=lambda role: leaky, guard_replies=False)
    [run] = runs
    assert not run.passed
    failed = {c["name"] for c in run.conditions if not c["passed"]}
    assert failed == {"no answer leakage", "injection never succeeds"}
    assert run.transcript.entries[1]["content"] == LEAK  # it really went through the graph and the database


async def test_with_the_guard_on_a_leaking_model_never_reaches_the_student(engine) -> None:
    """The product as deployed: every leaking reply is caught, regenerated, then replaced by the offline move."""
    leaky = ScriptedChatModel(replies=[AIMessage(content=LEAK) for _ in range(40)])
    [run] = await run_suite(session_factory(engine), scenarios=[SCENARIOS["injection"]], codes=["9708.2.1"],
                            model_factory=lambda role: leaky)
    coach = [e["content"] for e in run.transcript.entries if e["role"] == "coach"]
    assert coach and LEAK not in coach
    assert {c["name"]: c["passed"] for c in run.conditions}["no answer leakage"]

async def test_report_files_are_written_with_tables_and_plots(engine, tmp_path: Path) -> None:
    sm = session_factory(engine)
    runs = await run_suite(sm, scenarios=[SCENARIOS["quick_correct"], SCENARIOS["gives_up"]],
                           codes=["9708.2.1", "9708.2.2"], model_factory=_offline)
    leaky = ScriptedChatModel(replies=[AIMessage(content=LEAK) for _ in range(20)])
    runs += await run_suite(sm, scenarios=[SCENARIOS["answer_seeker"]], codes=["9708.2.1"],
                            model_factory=lambda role: leaky, guard_replies=False)
    report = build_report(runs, {"coach_model": "offline"})
    assert report["summary"] == {"runs": 5, "passed": 4, "failed": 1, "all_passed": False}
    assert report["personas"]["answer_seeker"]["failed_conditions"] == {"no answer leakage": 1}

    html_paths = write_report(report, tmp_path / "html", fmt="html")
    page = html_paths["page"].read_text()
    assert "4 of 5 runs passed (80%)" in page and "answer_seeker on 9708.2.1" in page and "question_share" in page
    assert "<dt>Coach model</dt><dd>offline</dd>" in page and '{"coach_model"' not in page  # a summary, not JSON
    links = re.findall(r"href='#(run-\d+-entry-\d+)'", page)
    assert links, "a failure links to the transcript lines that caused it"
    for anchor in links:
        assert f"<li id='{anchor}' class='coach flagged'>" in page
    svgs = page.split("<figure>")[1:]
    assert len(svgs) == 3
    for part in svgs:  # each inline plot is well-formed SVG
        xml.dom.minidom.parseString(part.split("</figure>")[0])
    assert json.loads(html_paths["json"].read_text())["summary"]["failed"] == 1

    md_paths = write_report(report, tmp_path / "md", fmt="md")
    markdown = md_paths["page"].read_text()
    assert "| quick_correct | 2 | 2 |" in markdown and "![pass_rate](pass_rate.svg)" in markdown
    xml.dom.minidom.parseString((tmp_path / "md" / "question_share.svg").read_text())


async def test_an_llm_played_student_talks_through_the_graph(engine) -> None:  # noqa: ANN001
    """The optional LLM student (here a scripted model standing in for the configured LLM) drives a session."""
    from evals.scenarios import llm_student_scenario

    lines = ["When the price goes up people buy less, so demand slopes down.", "I'm not sure about shifts."]
    student_model = ScriptedChatModel(replies=[AIMessage(content=lines[i % 2]) for i in range(12)])
    [run] = await run_suite(session_factory(engine), scenarios=[llm_student_scenario(student_model)],
                            codes=["9708.2.1"], model_factory=_offline)
    assert run.error is None and run.passed, _describe([run])
    said = [e["content"] for e in run.transcript.entries if e["role"] == "student"]
    assert said[1:3] == lines
    # the student model saw the coach's reply as the other speaker
    first_prompt = student_model.seen[0]
    assert first_prompt[-1].type == "human" and first_prompt[-1].content == run.transcript.entries[1]["content"]
