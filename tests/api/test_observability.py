"""Metrics at /metrics, request ids on every response, JSON log lines carrying the request/session ids."""

from __future__ import annotations

import json
import logging
import re

from prometheus_client.parser import text_string_to_metric_families


def _sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


async def _open(client, student) -> dict:  # noqa: ANN001
    r = await client.post("/v1/coaching-sessions", json={"topic": "price elasticity of demand"},
                          headers=student.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_turn_shows_in_the_metrics(client, make_account) -> None:  # noqa: ANN001
    student = await make_account("student")
    sess = await _open(client, student)
    before = (await client.get("/metrics")).text
    r = await client.post(f"/v1/coaching-sessions/{sess['id']}/messages",
                          json={"content": "when price rises people buy less"}, headers=student.headers)
    assert r.status_code == 200, r.text
    after = await client.get("/metrics")
    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text
    assert _sample(text, "teach_turn_seconds_count", model="offline") == \
        _sample(before, "teach_turn_seconds_count", model="offline") + 1
    assert _sample(text, "teach_llm_calls_total", agent="coach", model="offline") > \
        _sample(before, "teach_llm_calls_total", agent="coach", model="offline")
    route = "/v1/coaching-sessions/{session_id}/messages"
    assert _sample(text, "teach_http_requests_total", method="POST", route=route, status="200") >= 1
    assert "teach_guard_catches_total" in text and "teach_queue_depth" in text


async def test_request_id_is_echoed_or_made(client) -> None:  # noqa: ANN001
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    hostile = await client.get("/healthz", headers={"X-Request-ID": "x\" injected"})
    assert hostile.headers["x-request-id"] != "x\" injected"


async def test_log_lines_are_json_with_request_and_session_ids() -> None:
    """The middleware binds the ids for everything the request runs; the formatter writes them out."""
    import httpx

    from api.observability import ContextFilter, JsonFormatter, RequestContext

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    log = logging.getLogger("tests.observability.probe")
    handler = Keep()
    handler.addFilter(ContextFilter())
    log.addHandler(handler)
    log.setLevel(logging.INFO)

    async def inner(scope, receive, send) -> None:  # noqa: ANN001 — a bare ASGI app standing in for routes
        log.info("inside %s", scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    session_id = "0b6f6f9e-1c1a-4a8e-9a55-3b9d3c0f1e2d"
    try:
        transport = httpx.ASGITransport(app=RequestContext(inner))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            r = await c.get(f"/v1/coaching-sessions/{session_id}/messages", headers={"X-Request-ID": "req-42"})
            await c.get("/v1/jobs/11111111-2222-3333-4444-555555555555")
    finally:
        log.removeHandler(handler)
    assert r.status_code == 204 and r.headers["x-request-id"] == "req-42"
    first = json.loads(JsonFormatter().format(records[0]))
    assert first["msg"] == f"inside /v1/coaching-sessions/{session_id}/messages"
    assert first["request_id"] == "req-42" and first["session_id"] == session_id and "job_id" not in first
    assert first["level"] == "INFO" and first["logger"] == "tests.observability.probe" and "ts" in first
    second = json.loads(JsonFormatter().format(records[1]))
    assert second["job_id"] == "11111111-2222-3333-4444-555555555555" and second["request_id"] != "req-42"
