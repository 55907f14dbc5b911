"""Per-turn and per-session scorers.

Per-turn scorers label one tutor response on MRBench's eight dimensions and return
``[{"key": <dimension>, "value": <label>, "reason": str}, ...]``:

- ``evals.scorers.turn_deterministic.score_turn`` — no network, lexical/structural features + a small
  committed linear model (``turn_model.json``) + a few hand rules.
- ``evals.scorers.turn_llm.score_turn_llm`` — LLM judge with structured output, one call per dimension.
"""
