"""Prometheus metrics of the service, in one registry that `/metrics` exposes (prometheus_client).

Lives in `agents/` because every layer that counts something may import it (agents, graph, api, evals; the
layering forbids agents importing api). Each metric is defined here once; callers import the object and
increment it — never define a second metric with the same meaning elsewhere. Label values must be small,
fixed sets (a model name, an agent role, a check name), never an id.

Names (all prefixed `teach_`; see /work/notes/metrics.md and the README's Metrics section):
- `turn_seconds{model}` — a chat turn's server time, histogram;
- `llm_calls_total{agent,model}`, `llm_failures_total{agent,model,reason}` — model calls and failed calls;
- `guard_catches_total{check}` — replies the reply guard caught, by the check that failed;
- `jobs_total{kind,status}`, `job_seconds{kind}`, `job_items_total{kind,status}`, `queue_depth{kind,status}`;
- `http_requests_total{method,route,status}`, `http_request_seconds{route}`;
- `session_evals{model,window}`, `session_eval_leak_sessions{model,window}`, `session_eval_leak_turns{model,window}`,
  `session_eval_lecture_turns{model,window}`, `session_eval_question_share{model,window}` — closed coaching
  sessions' deterministic eval scores over the last 24h / 7d (window), read from `session_evals` at scrape time.
"""

from __future__ import annotations

from langchain_core.callbacks import BaseCallbackHandler
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

# Chat turns take ~10 ms offline and seconds on a hosted LLM: buckets cover both.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

TURN_SECONDS = Histogram("teach_turn_seconds", "Server time of one coaching chat turn", ["model"],
                         buckets=_LATENCY_BUCKETS, registry=REGISTRY)
LLM_CALLS = Counter("teach_llm_calls_total", "Chat-model calls, by agent role and model", ["agent", "model"],
                    registry=REGISTRY)
LLM_FAILURES = Counter("teach_llm_failures_total", "Chat-model calls that failed (after the retry layer's "
                       "attempts), by agent role, model and reason", ["agent", "model", "reason"], registry=REGISTRY)
GUARD_CATCHES = Counter("teach_guard_catches_total", "Model replies the reply guard caught, by model and failed "
                        "check", ["model", "check"], registry=REGISTRY)
GUARD_FALLBACKS = Counter("teach_guard_fallbacks_total", "Turns where a model's reply failed the guard twice and the "
                          "offline Coach's move answered instead, by model", ["model"], registry=REGISTRY)

JOBS = Counter("teach_jobs_total", "Jobs finished, by kind and final status", ["kind", "status"],
               registry=REGISTRY)
JOB_SECONDS = Histogram("teach_job_seconds", "Wall time of a job from its first start to its end", ["kind"],
                        buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600), registry=REGISTRY)
JOB_ITEMS = Counter("teach_job_items_total", "Job items processed by this process, by kind and outcome",
                    ["kind", "status"], registry=REGISTRY)
QUEUE_DEPTH = Gauge("teach_queue_depth", "Jobs in the database by kind and status (read at scrape time)",
                    ["kind", "status"], registry=REGISTRY)

HTTP_REQUESTS = Counter("teach_http_requests_total", "HTTP requests by method, route template and status",
                        ["method", "route", "status"], registry=REGISTRY)
HTTP_SECONDS = Histogram("teach_http_request_seconds", "HTTP request time by route template", ["route"],
                         buckets=_LATENCY_BUCKETS, registry=REGISTRY)

SESSION_EVAL_GAUGES = {
    "sessions": Gauge("teach_session_evals", "Closed coaching sessions scored, by coach model, over the window",
                      ["model", "window"], registry=REGISTRY),
    "sessions_with_leak": Gauge("teach_session_eval_leak_sessions", "Closed sessions with at least one answer "
                                "leak, by coach model, over the window", ["model", "window"], registry=REGISTRY),
    "leak_turns": Gauge("teach_session_eval_leak_turns", "Coach turns that leaked an answer, definition or key "
                        "idea, by coach model, over the window", ["model", "window"], registry=REGISTRY),
    "lecture_turns": Gauge("teach_session_eval_lecture_turns", "Coach turns that lectured (long, no question), by "
                           "coach model, over the window", ["model", "window"], registry=REGISTRY),
    "question_share": Gauge("teach_session_eval_question_share", "Mean share of coach turns that ask a question, "
                            "by coach model, over the window", ["model", "window"], registry=REGISTRY),
}


def count_guard_catch(check: str, *, model: str) -> None:
    """One reply of `model` caught by the guard's `check` (e.g. "leak", "length", "questions", "injection")."""
    GUARD_CATCHES.labels(model=model, check=check).inc()


def count_llm_call(*, agent: str, model: str, failed: bool = False, reason: str = "error") -> None:
    """One chat-model call by `agent` on `model`; with `failed`, also one failure for `reason`."""
    LLM_CALLS.labels(agent=agent, model=model).inc()
    if failed:
        LLM_FAILURES.labels(agent=agent, model=model, reason=reason).inc()



class LlmMetrics(BaseCallbackHandler):
    """A chat model's callback (`callbacks=[LlmMetrics(agent, model)]`): counts each call and failed call."""

    # Counting is a thread-safe increment: run it on the event loop, not via a thread-pool hop per callback
    # (LangChain hands non-inline sync handlers of async runs to the default executor).
    run_inline = True

    def __init__(self, agent: str, model: str) -> None:
        self._calls = LLM_CALLS.labels(agent=agent, model=model)
        self.agent, self.model = agent, model

    def on_llm_end(self, response, **kwargs) -> None:  # noqa: ANN001, ANN003
        self._calls.inc()

    def on_llm_error(self, error: BaseException, **kwargs) -> None:  # noqa: ANN003
        self._calls.inc()
        LLM_FAILURES.labels(agent=self.agent, model=self.model, reason=type(error).__name__).inc()
