"""What the operator runs against a membership service: the parked events (dead letters)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from servicekit.events import parked


async def test_the_operator_lists_parked_events_with_the_command_line(
    membership_settings: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``concord-parked membership list``: nothing parked on a healthy service, said so."""
    monkeypatch.setenv("MEMBERSHIP_DATABASE_URL", membership_settings.database_url)
    monkeypatch.setenv("MEMBERSHIP_NATS_URL", membership_settings.nats_url)
    monkeypatch.setenv("MEMBERSHIP_SIGNING_SECRET", membership_settings.signing_secret)
    monkeypatch.setenv("ENVIRONMENT", "development")
    code = await asyncio.to_thread(parked.main, ["membership", "list"])
    assert code == 0 and capsys.readouterr().out.strip() == "nothing parked"
    code = await asyncio.to_thread(parked.main, ["membership", "replay", "not-an-id"])
    assert code == 2 and "badly formed" in capsys.readouterr().err
