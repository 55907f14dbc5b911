"""Benchmark: does the Coach's prompt stay bounded as a session grows? (target: turn 50 ≤ 1.2 × turn 5)

Runs one 50-turn session through the real workflow on the offline model (a fresh database on the embedded
server unless --database-url), reads the per-call input tokens the model reported (the offline model reports a
deterministic estimate; a real LLM reports its own counts when configured) from `llm_calls`, and prints them.

    python -m evals.benchmarks.coach_tokens [--turns 50]
"""

from __future__ import annotations

import argparse
import asyncio
import uuid

from sqlalchemy import select

MESSAGES = [
    "I'm confused about this", "is it when people buy less?", "I don't know", "maybe it depends on the good",
    "something about substitutes?", "not sure what you mean", "the price goes up and demand goes down",
    "could it be about time?", "I think necessities are different", "hmm",
]


async def run(db_url: str, turns: int) -> list[int]:
    """Drive `turns` student messages through the graph; return the Coach's input tokens per turn."""
    from langgraph.checkpoint.memory import InMemorySaver

    from agents.state import GraphContext
    from db.engine import create_engine, session_factory
    from db.models import LlmCall
    from db.repo.accounts import create_account
    from db.repo.coaching import create_session
    from graph.build import build_graph

    engine = create_engine(db_url)
    sm = session_factory(engine)
    graph = build_graph().compile(checkpointer=InMemorySaver())
    async with sm() as s:
        st = await create_account(s, email=f"tok-{uuid.uuid4().hex[:6]}@x.org", display_name="T", role="student")
        cs = await create_session(s, student_id=st.id, topic="elasticity", struggle_description=None,
                                  syllabus_point_code="9708.2.2")
        await s.commit()
    ctx = GraphContext(sessionmaker=sm, student_id=st.id, session_id=cs.id)
    per_turn: list[int] = []
    for i in range(turns):
        await graph.ainvoke({"kind": "chat", "student_message": MESSAGES[i % len(MESSAGES)]},
                            config={"configurable": {"thread_id": str(cs.id)}}, context=ctx)
        async with sm() as s:
            rows = (await s.execute(select(LlmCall.input_tokens).where(LlmCall.thread_id == str(cs.id))
                                    .order_by(LlmCall.created_at))).scalars().all()
        per_turn.append(int(sum(rows) - sum(per_turn)))
    await engine.dispose()
    return per_turn


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
