"""LLM settings: which OpenAI-compatible endpoint and model each agent uses, and the retry budget.

Read from the environment: `OPENAI_API_KEY`, `OPENAI_BASE_URL` (any OpenAI-compatible server such as
Ollama, vLLM or llama.cpp; the key may then be a dummy), `TEACH_LLM_MODEL` (default for every agent),
`TEACH_LLM_<AGENT>_MODEL` per agent, `TEACH_LLM_<AGENT>_MAX_TOKENS`, `TEACH_LLM_TIMEOUT_SECONDS`,
`TEACH_LLM_MAX_ATTEMPTS`, `TEACH_LLM_MAX_RETRY_SECONDS`, `TEACH_LLM_BREAKER_FAILURES`,
`TEACH_LLM_BREAKER_COOLDOWN_SECONDS`, and `TEACH_LLM_OFFLINE=1` to force the offline model.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

AgentName = Literal["coach", "marker", "reviewer", "planner", "judge"]
AGENTS: tuple[AgentName, ...] = ("coach", "marker", "reviewer", "planner", "judge")


class LlmSettings(BaseSettings):
    """Chat-model configuration. Without an API key or base URL the offline model is used."""

    model_config = SettingsConfigDict(env_prefix="TEACH_LLM_", extra="ignore", populate_by_name=True)

    api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "TEACH_LLM_API_KEY", "api_key")
    )
    base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "TEACH_LLM_BASE_URL", "base_url")
    )
    offline: bool = False

    model: str = "gpt-4o-mini"
    coach_model: str | None = None
    marker_model: str | None = None
    reviewer_model: str | None = None
    planner_model: str | None = None
    judge_model: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)

    # Per attempt; the turn's deadline (TEACH_TURN_DEADLINE_SECONDS, 20 s) bounds all attempts together.
    timeout_seconds: float = Field(default=15.0, gt=0)
    max_attempts: int = Field(default=4, ge=1, le=20)
    max_retry_seconds: float = Field(default=60.0, gt=0)
    backoff_initial_seconds: float = Field(default=0.5, ge=0)
    backoff_max_seconds: float = Field(default=8.0, ge=0)
    backoff_jitter_seconds: float = Field(default=0.5, ge=0)
    retry_after_cap_seconds: float = Field(default=30.0, ge=0)
    # Most tokens one reply may have, per agent (a Coach reply is a few sentences; marking explains more).
    coach_max_tokens: int = Field(default=300, ge=1)
    marker_max_tokens: int = Field(default=800, ge=1)
    reviewer_max_tokens: int = Field(default=800, ge=1)
    planner_max_tokens: int = Field(default=600, ge=1)
    judge_max_tokens: int = Field(default=400, ge=1)
    # Circuit breaker per endpoint and model: this many failed attempts in a row open it for the cool-down.
    breaker_failures: int = Field(default=3, ge=1)
    breaker_cooldown_seconds: float = Field(default=30.0, gt=0)
    # Ask the server for token usage on streamed replies too (stream_options.include_usage).
    stream_usage: bool = True
    # After retries are exhausted, answer with the offline model instead of raising.
    fallback_to_offline: bool = True

    @property
    def llm_configured(self) -> bool:
        """True when a real endpoint is configured and not overridden by `TEACH_LLM_OFFLINE`."""
        return not self.offline and (self.api_key is not None or bool(self.base_url))

    def model_for(self, agent: AgentName) -> str:
        """The model name this agent uses: its own setting, else the shared default."""
        if agent not in AGENTS:
            raise ValueError(f"agent: unknown agent {agent!r}; expected one of {', '.join(AGENTS)}")
        return getattr(self, f"{agent}_model") or self.model

    def max_tokens_for(self, agent: AgentName) -> int:
        """The reply-length cap of this agent."""
        if agent not in AGENTS:
            raise ValueError(f"agent: unknown agent {agent!r}; expected one of {', '.join(AGENTS)}")
        return int(getattr(self, f"{agent}_max_tokens"))
