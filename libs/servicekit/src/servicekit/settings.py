"""Service settings: one pydantic-settings class per service, each with its own env prefix.

A service subclasses :class:`ServiceSettings` in ``<service>/settings.py`` and sets
``env_prefix`` (``MEMBERSHIP_`` …), so one environment can hold the configuration of every
service side by side; ``concord-migrate`` reads the same class.

``ENVIRONMENT`` says which settings are acceptable: ``production`` (the default) refuses what
is tolerable only on a developer's machine, and the service does not start with it: a signing
secret shorter than 32 characters, and a runtime ``DATABASE_URL`` that connects as the
PostgreSQL superuser ``postgres`` (which bypasses row-level security). ``development`` accepts
both; it changes nothing else.

Secrets may come from files instead of environment variables: ``<PREFIX>SECRETS_DIR`` names a
directory (the chart mounts the Kubernetes Secret there), and each file in it named like the
variable it replaces (``MEMBERSHIP_DATABASE_URL``, ``MEMBERSHIP_SIGNING_SECRET`` …) gives that
setting, its surrounding whitespace stripped. An environment variable wins over a file; a
missing file leaves the setting to its default (so ``SIGNING_SECRET_NEXT`` is there only during
a rotation); a ``SECRETS_DIR`` that is not a directory stops the service.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
    SettingsError,
)
from sqlalchemy.engine import make_url


class ServiceSettings(BaseSettings):
    @property
    def accepted_signing_secrets(self) -> list[str]:
        """The secrets a gateway signature may be made with (two during a rotation)."""
        return [
            self.signing_secret,
            *([self.signing_secret_next] if self.signing_secret_next else []),
        ]

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments first, then the environment, then the files of ``<PREFIX>SECRETS_DIR``."""
        variable = f"{settings_cls.model_config.get('env_prefix', '')}SECRETS_DIR"
        directory = os.environ.get(variable)
        if directory:
            if not Path(directory).is_dir():
                raise SettingsError(f"{variable}={directory} is not a directory")
            file_secret_settings = SecretsSettingsSource(settings_cls, secrets_dir=directory)
        return init_settings, env_settings, dotenv_settings, file_secret_settings

    database_url: str = Field(description="runtime role (owns nothing, no BYPASSRLS)")
    migration_database_url: str | None = Field(
        default=None, description="owner role, used only by concord-migrate"
    )
    nats_url: str = Field(
        default="nats://127.0.0.1:4222",
        description="one server, or a cluster's nodes separated by commas",
    )
    nats_stream_replicas: int = Field(
        default=1, ge=1, le=5, description="copies of the event stream (3 on a 3-node cluster)"
    )
    signing_secret: str = Field(min_length=16, description="HMAC secret shared with the gateway")
    signing_secret_next: str | None = Field(
        default=None,
        min_length=16,
        description="during a rotation: the new secret, accepted beside the current one until "
        "the gateway signs with it (docs/operations.md)",
    )
    environment: Literal["development", "production"] = "production"
    db_pool_size: int = 10
    relay_batch_size: int = 100
    relay_idle_interval: float = Field(default=0.2, description="seconds between outbox polls")
    max_request_bytes: int = Field(
        default=4 * 1024 * 1024, description="GraphQL request size limit (documents up to 2 MiB)"
    )
    run_workers: bool = Field(default=True, description="run the outbox relay and consumers")

    @model_validator(mode="after")
    def _production_refuses_development_settings(self) -> Self:
        if self.environment != "production":
            return self
        problems = []
        if len(self.signing_secret) < 32:
            problems.append("SIGNING_SECRET must have at least 32 characters in production")
        if self.signing_secret_next is not None and len(self.signing_secret_next) < 32:
            problems.append("SIGNING_SECRET_NEXT must have at least 32 characters in production")
        try:
            user = make_url(self.database_url).username
        except Exception:  # an unparsable URL fails when the engine is made
            user = None
        if user == "postgres":
            problems.append(
                "DATABASE_URL connects as the superuser 'postgres', which bypasses row-level "
                "security: use the runtime role (owns nothing, no BYPASSRLS)"
            )
        if problems:
            raise ValueError("; ".join(problems) + " (ENVIRONMENT=production)")
        return self
