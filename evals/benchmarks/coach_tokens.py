"""Benchmark: does the Coach's prompt stay bounded as a session grows? (target: turn 50 ≤ 1.2 × turn 5)

Runs one 50-turn session through the real workflow (real Coach nodes, real Postgres, fresh database on the
embedded server unless --database-url) with a stand-in model that always answers with a guiding question —
the offline Coach would close a 50-turn session early, and a real LLM costs money — and counts the tokens of
every prompt the model receives with the offline model's deterministic token estimate (no tokenizer is
available offline; the ratio is what matters). Prints prompt tokens at several turns and the ratio.

    python -m evals.benchmarks.coach_tokens [--turns 50]
"""

from __future__ import annotations

import argparse
import asyncio
import uuid

LINES = ["hmm not sure", "is it about buying less?", "I don't know", "maybe substitutes matter",
         "could be about time", "no idea really", "people react to prices in different ways"]


async def run(db_url: str, turns: int) -> list[int]:
    """Drive `turns` student messages through the graph; return the prompt tokens of each turn's model call."""
    from langchain_core.messages import AIMessage
    from langgraph.checkpoint.memory import InMemorySaver

    from agents.offline import estimate_tokens
    from agents.state import GraphContext
    from db.engine import create_engine, session_factory
    from db.repo.accounts import create_account
    from db.repo.coaching import create_session
    from graph.build import build_graph
    from tests.fakes import ScriptedChatModel

    engine = create_engine(db_url)
    sm = session_factory(engine)
    graph = build_graph().compile(checkpointer=InMemorySaver())
    async with sm() as s:
        st = await create_account(s, email=f"tok-{uuid.uuid4().hex[:6]}@x.org", display_name="T", role="student")
        cs = await create_session(s, student_id=st.id, topic="elasticity", struggle_description=None,
                                  syllabus_point_code="9708.2.2")
        await s.commit()
    model = ScriptedChatModel(replies=[AIMessage(content=f"Good. What happens to spending on good {i}?")
                                       for i in range(turns)])
    ctx = GraphContext(sessionmaker=sm, student_id=st.id, session_id=cs.id, model_factory=lambda role: model)
    for i in range(turns):
        await graph.ainvoke({"kind": "chat", "student_message": LINES[i % len(LINES)]},
                            config={"configurable": {"thread_id": str(cs.id)}}, context=ctx)
    await engine.dispose()
    return [sum(estimate_tokens(str(m.content)) for m in prompt) for prompt in model.seen]


def main(argv: list[str] | None = None) -> int:
    """Run and print turn 5 vs turn N prompt tokens."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--turns", type=int, default=50)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args(argv)
    from tests import pg

    server = args.database_url or pg.server_url()
    template = pg.create_template(server)
    name = pg.clone_database(server, template)
    try:
        tokens = asyncio.run(run(pg.with_database(server, name), args.turns))
    finally:
        pg.drop_database(server, name)
        pg.drop_database(server, template)
    t5, tn = tokens[4], tokens[-1]
    print(f"{'turn':>6}{'coach input tokens':>22}")
    for turn in (1, 5, 10, 20, 30, 40, args.turns):
        if turn <= len(tokens):
            print(f"{turn:>6}{tokens[turn - 1]:>22}")
    print(f"\nturn {args.turns} / turn 5 = {tn / t5:.2f}  (target ≤ 1.20)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
