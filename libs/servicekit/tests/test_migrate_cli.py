"""``concord-migrate SERVICE``, as the chart's pre-install/pre-upgrade hook Job runs it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from devkit.testing.handles import PostgresHandle
from servicekit.migrate import SERVICES

BIN = Path(sys.executable).parent / "concord-migrate"


@pytest.mark.parametrize("service", SERVICES)
def test_the_hook_command_migrates_and_is_repeatable(
    postgres: PostgresHandle, service: str
) -> None:
    database = postgres.fresh_database(service)
    prefix = service.upper() + "_"
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefix)} | {
        prefix + "DATABASE_URL": database.app_url,
        prefix + "MIGRATION_DATABASE_URL": database.migration_url,
        prefix + "SIGNING_SECRET": "hook-job-secret-0123456789abcdefgh",
    }
    for _ in range(2):  # the hook runs on every upgrade
        done = subprocess.run(
            [str(BIN), service], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    revision, outbox = asyncio.run(_state(database.migration_dsn))
    assert revision and outbox == "outbox"
    postgres.drop_database(database.name)


async def _state(dsn: str) -> tuple[str | None, str | None]:
    conn = await asyncpg.connect(dsn)
    try:
        return (
            await conn.fetchval("SELECT version_num FROM alembic_version"),
            await conn.fetchval("SELECT to_regclass('public.outbox')::text"),
        )
    finally:
        await conn.close()


def test_a_missing_owner_url_is_a_clear_error() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINANCE_")} | {
        "FINANCE_DATABASE_URL": "postgresql+asyncpg://x@127.0.0.1:1/x",
        "FINANCE_SIGNING_SECRET": "hook-job-secret-0123456789abcdefgh",
    }
    done = subprocess.run(
        [str(BIN), "finance"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "FINANCE_MIGRATION_DATABASE_URL is not set" in done.stderr
