"""Governance settings (environment prefix ``GOVERNANCE_``)."""

from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVERNANCE_", extra="ignore", frozen=True)

    deadline_interval: float = 1.0
    """Seconds between looks for correspondence votes past their deadline."""
