"""The chat-model factory every agent uses: a configured OpenAI-compatible model, or the offline model.

`get_chat_model("coach")` returns a fresh model each call (never a shared mutable instance):
- with `OPENAI_API_KEY` and/or `OPENAI_BASE_URL` set (and `TEACH_LLM_OFFLINE` not set): a
  `ResilientChatModel` around `ChatOpenAI` (client retries off; our retry layer retries) that falls back
  to the offline model once retries are exhausted, the turn's deadline passes or the endpoint's circuit
  breaker is open; every reply is capped at the agent's `max_tokens`;
- otherwise the offline model itself.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from agents.breaker import breaker_for
from agents.llm_settings import AGENTS, AgentName, LlmSettings
from agents.metrics import LlmMetrics
from agents.resilient import ResilientChatModel, model_label
from agents.retry import RetryPolicy

__all__ = ["get_chat_model", "model_label", "offline_chat_model", "openai_chat_model"]

# OpenAI-compatible servers (Ollama, vLLM, llama.cpp) ignore the key but the client insists on one.
_DUMMY_KEY = "not-needed"


def offline_chat_model(agent: str | None = None) -> BaseChatModel:
    """A new offline model (deterministic, no network); with `agent`, its calls are counted in the metrics."""
    # Imported here so the factory module loads even while the offline model is being changed.
    from agents.offline import OfflineChatModel

    return OfflineChatModel(callbacks=[LlmMetrics(agent, "offline")]) if agent else OfflineChatModel()


def openai_chat_model(agent: AgentName, settings: LlmSettings) -> ChatOpenAI:
    """A new `ChatOpenAI` for this agent, with the client's own retries off (the retry layer owns retries)."""
    return ChatOpenAI(
        model=settings.model_for(agent),
        api_key=settings.api_key or SecretStr(_DUMMY_KEY),
        base_url=settings.base_url or None,
        timeout=settings.timeout_seconds,
        max_retries=0,
        temperature=settings.temperature,
        stream_usage=settings.stream_usage,
        max_tokens=settings.max_tokens_for(agent),  # type: ignore[call-arg]  # every reply's length is bounded
        callbacks=[LlmMetrics(agent, settings.model_for(agent))],  # teach_llm_calls_total etc.
    )


def get_chat_model(agent: AgentName, *, settings: LlmSettings | None = None) -> BaseChatModel:
    """The chat model for `agent` ("coach", "marker", "reviewer", "planner" or "judge").

    Supports `.bind_tools(tools)`, `.with_structured_output(schema)`, `.ainvoke(messages)` and
    `.astream(messages)`; every message it returns says which model answered (see `model_label`).
    """
    if agent not in AGENTS:
        raise ValueError(f"agent: unknown agent {agent!r}; expected one of {', '.join(AGENTS)}")
    settings = settings or LlmSettings()
    if not settings.llm_configured:
        return offline_chat_model(agent)
    return ResilientChatModel(
        primary=openai_chat_model(agent, settings),
        fallback=offline_chat_model(agent) if settings.fallback_to_offline else None,
        policy=RetryPolicy.from_settings(settings),
        breaker=breaker_for(settings.base_url, settings.model_for(agent), failures=settings.breaker_failures,
                            cooldown=settings.breaker_cooldown_seconds),
    )
