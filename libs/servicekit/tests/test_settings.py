"""What ENVIRONMENT changes: production refuses development-only settings (issue 13, 10)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from servicekit.settings import ServiceSettings

APP_URL = "postgresql+asyncpg://concord_app:pw@127.0.0.1:5432/concord_membership"


def test_production_refuses_a_short_signing_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        ServiceSettings(database_url=APP_URL, signing_secret="sixteen-chars-ok")
    ServiceSettings(database_url=APP_URL, signing_secret="s" * 32)


def test_production_refuses_to_run_as_the_superuser() -> None:
    with pytest.raises(ValidationError, match="superuser"):
        ServiceSettings(
            database_url="postgresql+asyncpg://postgres@127.0.0.1/x", signing_secret="s" * 40
        )


def test_development_accepts_what_production_refuses() -> None:
    settings = ServiceSettings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1/x",
        signing_secret="sixteen-chars-ok",
        environment="development",
    )
    assert settings.environment == "development"


def test_production_is_the_default() -> None:
    assert ServiceSettings(database_url=APP_URL, signing_secret="s" * 32).environment == (
        "production"
    )
