"""What ENVIRONMENT changes: production refuses development-only settings (issue 13, 10);
secrets read from mounted files (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict, SettingsError

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


# --------------------------------------------------------------------------- secrets from files


class MembershipLike(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEMBERSHIP_", extra="ignore", frozen=True)


def test_secrets_are_read_from_the_mounted_files_of_secrets_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How the chart hands secrets over: a mounted Secret, not environment variables."""
    for variable in ("DATABASE_URL", "SIGNING_SECRET", "SIGNING_SECRET_NEXT"):
        monkeypatch.delenv(f"MEMBERSHIP_{variable}", raising=False)
    (tmp_path / "MEMBERSHIP_DATABASE_URL").write_text(APP_URL + "\n")
    (tmp_path / "MEMBERSHIP_SIGNING_SECRET").write_text("f" * 40 + "\n")
    monkeypatch.setenv("MEMBERSHIP_SECRETS_DIR", str(tmp_path))
    settings = MembershipLike()
    assert settings.database_url == APP_URL  # the trailing newline of the file is stripped
    assert settings.signing_secret == "f" * 40
    # no SIGNING_SECRET_NEXT file (outside a rotation): the setting keeps its default
    assert settings.signing_secret_next is None
    assert settings.accepted_signing_secrets == ["f" * 40]

    (tmp_path / "MEMBERSHIP_SIGNING_SECRET_NEXT").write_text("n" * 40)
    assert MembershipLike().accepted_signing_secrets == ["f" * 40, "n" * 40]

    # an environment variable wins over the file
    monkeypatch.setenv("MEMBERSHIP_SIGNING_SECRET", "e" * 40)
    assert MembershipLike().signing_secret == "e" * 40


def test_a_secret_read_from_a_file_is_checked_like_one_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("DATABASE_URL", "SIGNING_SECRET", "SIGNING_SECRET_NEXT"):
        monkeypatch.delenv(f"MEMBERSHIP_{variable}", raising=False)
    (tmp_path / "MEMBERSHIP_DATABASE_URL").write_text(APP_URL)
    (tmp_path / "MEMBERSHIP_SIGNING_SECRET").write_text("sixteen-chars-ok")
    monkeypatch.setenv("MEMBERSHIP_SECRETS_DIR", str(tmp_path))
    with pytest.raises(ValidationError, match="at least 32 characters"):
        MembershipLike()
    (tmp_path / "MEMBERSHIP_SIGNING_SECRET").unlink()
    with pytest.raises(ValidationError, match="signing_secret"):
        MembershipLike()  # a required secret with neither file nor variable: named


def test_a_secrets_dir_that_is_not_a_directory_stops_the_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMBERSHIP_SECRETS_DIR", str(tmp_path / "not-mounted"))
    with pytest.raises(
        SettingsError, match=r"MEMBERSHIP_SECRETS_DIR=.*not-mounted is not a directory"
    ):
        MembershipLike(database_url=APP_URL, signing_secret="s" * 32)
