"""Tenancy of the analytics (`director`) rows: this deployment's organisation slug is their `customer`.

One setting, read by everything that writes or queries director rows (the bridge, the curriculum loader's
scorecard template, the efficiency endpoint), so they can never disagree.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class TenancySettings(BaseSettings):
    """`TEACH_ORGANISATION`: the deployment's organisation slug (the director schema's `customer`)."""

    model_config = SettingsConfigDict(env_prefix="TEACH_", extra="ignore")

    organisation: str = "demo-school"


def organisation() -> str:
    """The configured organisation slug."""
    return TenancySettings().organisation
