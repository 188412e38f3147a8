"""A running governance service against the test PostgreSQL and NATS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from devkit.local.provision import ServiceDatabase
from devkit.testing.handles import PostgresHandle
from devkit.testing.subgraph import TEST_SECRET, SubgraphClient, migrated, running
from governance.app import create_app
from governance.settings import Settings


@pytest.fixture(scope="module")
def governance_db(postgres: PostgresHandle) -> ServiceDatabase:
    return migrated("governance", postgres.fresh_database("governance"))


@pytest.fixture(scope="module")
async def governance(
    governance_db: ServiceDatabase, nats_url: str
) -> AsyncIterator[SubgraphClient]:
    settings = Settings(
        database_url=governance_db.app_url,
        nats_url=nats_url,
        signing_secret=TEST_SECRET,
        relay_idle_interval=0.05,
    )
    async with running(lambda: create_app(settings)) as client:
        yield client
