"""Membership settings (environment prefix ``MEMBERSHIP_``)."""

from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEMBERSHIP_", extra="ignore", frozen=True)
