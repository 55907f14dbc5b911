"""Deterministic tools (SM-2 scheduling, confidence gating, answer checks, coaching efficiency) and the
LangChain tool wrappers the agents call."""
