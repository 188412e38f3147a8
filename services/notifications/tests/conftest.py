"""A running notifications service against the test PostgreSQL and NATS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from notifications.app import create_app
from notifications.settings import Settings
from servicekit.local.provision import ServiceDatabase
from servicekit.testing.handles import PostgresHandle
from servicekit.testing.subgraph import TEST_SECRET, SubgraphClient, migrated, running


@pytest.fixture(scope="module")
def notifications_db(postgres: PostgresHandle) -> ServiceDatabase:
    return migrated("notifications", postgres.fresh_database("notifications"))


@pytest.fixture(scope="module")
async def notifications(
    notifications_db: ServiceDatabase, nats_url: str
) -> AsyncIterator[SubgraphClient]:
    settings = Settings(
        database_url=notifications_db.app_url,
        nats_url=nats_url,
        signing_secret=TEST_SECRET,
        relay_idle_interval=0.05,
    )
    async with running(lambda: create_app(settings)) as client:
        yield client
