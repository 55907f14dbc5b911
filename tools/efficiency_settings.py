"""Settings of the coaching-efficiency calculation (env prefix `TEACH_EFFICIENCY_`).

The seed names the rules but not the numbers; these are our documented defaults:

- `auto_min_conversations` (default 5): an auto-scored (AI) criterion sees every marked answer, so a
  student who is working produces several in the week after a session; fewer than five leaves the after
  average too noisy to credit or blame the coaching.
- `manual_min_conversations` (default 2): manual QA is sampled by people, so conversations are scarce;
  two is the least that is more than a single anecdote.
- `min_session_age_days` (default 7): the after window ends six days after the session; a session younger
  than seven days has an incomplete window, so it is counted but not scored (seed special case 5).
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EfficiencySettings(BaseSettings):
    """Thresholds of the efficiency calculation; see the module docstring for why these defaults."""

    model_config = SettingsConfigDict(env_prefix="TEACH_EFFICIENCY_", extra="ignore")

    auto_min_conversations: int = Field(default=5, ge=1)
    manual_min_conversations: int = Field(default=2, ge=1)
    min_session_age_days: int = Field(default=7, ge=0)
