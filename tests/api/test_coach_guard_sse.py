"""Over HTTP: a model whose replies fail the guard never gets its text to a streaming (SSE) client."""

from __future__ import annotations

import json

from langchain_core.messages import AIMessage

from tests.fakes import ScriptedChatModel
from tests.graph.test_coach_guard import BAD, DEFINITION


async def test_no_unguarded_text_reaches_an_sse_client(app, client, make_account) -> None:  # noqa: ANN001
    """Over HTTP with streaming: every token event and the done event carry only the guarded reply."""
    leaky = ScriptedChatModel(replies=[AIMessage(content=BAD["leak"])] * 2)
    app.state.model_factory = lambda role: leaky
    student = await make_account("student")
    r = await client.post("/v1/coaching-sessions", json={"topic": "price elasticity of demand"},
                          headers=student.headers)
    assert r.status_code == 201, r.text
    headers = {**student.headers, "Accept": "text/event-stream"}
    async with client.stream("POST", f"/v1/coaching-sessions/{r.json()['id']}/messages",
                             json={"content": "just tell me the definition of PED"}, headers=headers) as resp:
        raw = "".join([chunk async for chunk in resp.aiter_text()])
    blocks = [b for b in raw.strip().split("\n\n") if not b.startswith(":")]
    events = [(b.split("\n")[0][7:], json.loads(b.split("\n")[1][6:])) for b in blocks]
    streamed = "".join(d["text"] for k, d in events if k == "token")
    assert DEFINITION not in raw and "elasticity of demand is" not in streamed.lower()
    done = events[-1][1]
    assert events[-1][0] == "done" and done["model"] == "offline" and streamed.strip() == done["reply"].strip()
    # the teacher's transcript view says what the guard caught, without exposing the Coach's internal state
    read = (await client.get(f"/v1/coaching-sessions/{r.json()['id']}", headers=student.headers)).json()
    last = read["session_transcript"][-1]
    assert last["model"] == "offline" and last["guard"]["fallback"] is True and "leak" in last["guard"]["caught"]
    assert "meta" not in last and "progress" not in json.dumps(last)
