"""The LLM judge over real HTTP (a local OpenAI-compatible server): unparseable, empty and slow replies are
recorded as unscored with the reason, the run goes on and says its coverage, a refused structured-output method
is dropped for the next one, and the CLI never ends in a traceback."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.cli import main
from evals.judge import judge_chat_model
from evals.mrbench import run_mrbench
from evals.scorers.turn_features import DIMENSIONS
from tests.llm.fake_openai_server import FakeOpenAI, Fault, Reply, settings_for

GOOD = json.dumps({key: labels[0] for key, labels in DIMENSIONS.items()} | {"reason": "clear"})
ANNOTATION = {key: labels[0] for key, labels in DIMENSIONS.items()}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def fake(server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    server.reset()
    monkeypatch.setenv("TEACH_JUDGE_RETRY_PAUSE_SECONDS", "0")
    return server


@pytest.fixture
def two_responses(tmp_path: Path) -> Path:
    item = {"conversation_id": "c1", "conversation_history": "Tutor: 3 x 4?\nStudent: 7",
            "Ground_Truth_Solution": "12", "anno_llm_responses": {
                "A": {"response": "Not quite, what is 3 lots of 4?", "annotation": ANNOTATION},
                "B": {"response": "Try adding 4 three times?", "annotation": ANNOTATION}}}
    path = tmp_path / "mini.json"
    path.write_text(json.dumps([item]))
    return path


def _run(fake: FakeOpenAI, path: Path, tmp_path: Path, **settings) -> dict:
    model = judge_chat_model(settings_for(fake, **settings))
    return run_mrbench(path, tmp_path / "out.json", scorer="llm", chat_model=model)


def test_unparseable_replies_leave_the_item_unscored_and_the_run_goes_on(fake, two_responses, tmp_path):
    fake.enqueue(*[Reply(text="I cannot decide, sorry.")] * 3, Reply(text=GOOD))
    payload = _run(fake, two_responses, tmp_path)
    first, second = payload["predictions"]
    assert set(first["labels"].values()) == {None}
    assert "unscored after 3 attempt(s)" in first["unscored"]["Coherence"]
    assert "no valid label" in first["unscored"]["Coherence"]
    assert second["labels"] == ANNOTATION and "unscored" not in second
    for row in payload["metrics"].values():
        assert (row["n"], row["total"], row["coverage"]) == (1, 2, 0.5)
    assert json.loads((tmp_path / "out.json").read_text())["judge"]["unscored_responses"] == 1


def test_empty_replies_are_unscored_with_the_reason(fake, two_responses, tmp_path):
    fake.default = Reply(text="")
    payload = _run(fake, two_responses, tmp_path)
    assert all(row["n"] == 0 and row["coverage"] == 0.0 for row in payload["metrics"].values())
    assert "empty reply" in payload["predictions"][0]["unscored"]["Tutor_Tone"]
    assert len(fake.requests) == 6  # three attempts per response, no more


def test_a_slow_judge_times_out_within_the_attempt_budget(fake, two_responses, tmp_path):
    fake.enqueue(*[Reply(text=GOOD, delay=1.0)] * 3, Reply(text=GOOD))
    started = time.monotonic()
    payload = _run(fake, two_responses, tmp_path, timeout_seconds=0.3)
    assert time.monotonic() - started < 8
    assert "Timeout" in payload["predictions"][0]["unscored"]["Actionability"]
    assert payload["predictions"][1]["labels"] == ANNOTATION


def test_a_refused_method_is_dropped_for_the_next_one(fake, two_responses, tmp_path):
    fake.enqueue(Fault(400, message="response_format json_schema is not supported"))
    fake.default = Reply(tool_calls=[("TurnJudgement", GOOD)])
    payload = _run(fake, two_responses, tmp_path)
    bodies = [r.body for r in fake.requests]
    assert bodies[0]["response_format"]["type"] == "json_schema"
    assert "tools" in bodies[1] and bodies[1]["tool_choice"]["function"]["name"] == "TurnJudgement"
    assert all("response_format" not in b for b in bodies[1:])  # dropped for the rest of the run
    assert payload["judge"]["methods"]["dropped"] == {"json_schema": "server refused it (HTTP 400)"}
    assert all(row["coverage"] == 1.0 for row in payload["metrics"].values())


def test_the_cli_reports_coverage_and_never_a_traceback(fake, two_responses, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "dummy")
    monkeypatch.delenv("TEACH_LLM_OFFLINE", raising=False)
    fake.enqueue(*[Reply(text="???")] * 3, Reply(text=GOOD))
    out = tmp_path / "cli.json"
    assert main(["eval", "mrbench", str(two_responses), "--scorer", "llm", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "1/2" in printed.out and "1 response(s) with an unscored dimension" in printed.out
    assert "Traceback" not in printed.err

    fake.default = Fault(500)  # the server fails every request: still a finished run with coverage 0
    assert main(["eval", "mrbench", str(two_responses), "--scorer", "llm", "--out", str(out)]) == 0
    assert "0/2" in capsys.readouterr().out


def test_a_server_that_answers_an_unsupported_format_with_500_is_not_retried_forever(fake, two_responses, tmp_path):
    """llama-cpp-python's server rejects `response_format: json_schema` with HTTP 500 and a validation message."""
    fake.enqueue(Fault(500, message="1 validation error: body.response_format.type: Input should be 'text' or "
                                    "'json_object'"))
    fake.default = Reply(text=GOOD)
    payload = _run(fake, two_responses, tmp_path)
    assert payload["judge"]["methods"]["dropped"] == {"json_schema": "server refused it (HTTP 500)"}
    assert all(row["coverage"] == 1.0 for row in payload["metrics"].values())
    assert len(fake.requests) == 3  # the refusal, then one call per response


def test_a_prompt_longer_than_the_context_is_shortened_and_no_method_is_dropped(fake, two_responses, tmp_path):
    """llama.cpp answers a prompt that does not fit its n_ctx with HTTP 400: that is a fact about one item, not
    a refused method. The item's dialogue is cut in the middle and retried; the next item still gets the best
    method."""
    overflow = Fault(400, message="This model's maximum context length is 2048 tokens. However, you requested "
                                  "2400 tokens (2200 in the messages, 200 in the completion).")
    fake.enqueue(overflow)
    fake.default = Reply(text=GOOD)
    payload = _run(fake, two_responses, tmp_path)
    assert payload["judge"]["methods"]["dropped"] == {}
    bodies = [r.body for r in fake.requests]
    assert all(b["response_format"]["type"] == "json_schema" for b in bodies)
    assert len(bodies) == 3  # the overflow, its shortened retry, the second response
    assert len(bodies[1]["messages"][-1]["content"]) < len(bodies[0]["messages"][-1]["content"])
    first, second = payload["predictions"]
    assert first["labels"] == ANNOTATION and second["labels"] == ANNOTATION
    assert all(row["coverage"] == 1.0 for row in payload["metrics"].values())

    fake.reset()
    fake.default = overflow  # never fits: unscored with the reason after the attempt budget, the run goes on
    payload = _run(fake, two_responses, tmp_path)
    assert "longer than the model's context" in payload["predictions"][0]["unscored"]["Coherence"]
    assert payload["judge"]["methods"]["dropped"] == {} and len(fake.requests) == 6
