"""A running membership service against the test PostgreSQL and NATS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from devkit.local.provision import ServiceDatabase
from devkit.testing.handles import PostgresHandle
from devkit.testing.subgraph import TEST_SECRET, SubgraphClient, migrated, running
from membership.app import create_app
from membership.settings import Settings


@pytest.fixture(scope="module")
def membership_db(postgres: PostgresHandle) -> ServiceDatabase:
    return migrated("membership", postgres.fresh_database("membership"))


@pytest.fixture(scope="module")
def membership_settings(membership_db: ServiceDatabase, nats_url: str) -> Settings:
    return Settings(
        database_url=membership_db.app_url,
        nats_url=nats_url,
        signing_secret=TEST_SECRET,
        relay_idle_interval=0.05,
    )


@pytest.fixture(scope="module")
async def membership(membership_settings: Settings) -> AsyncIterator[SubgraphClient]:
    async with running(lambda: create_app(membership_settings)) as client:
        yield client
