"""A running finance service against the test PostgreSQL and NATS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from devkit.local.provision import ServiceDatabase
from devkit.testing.handles import PostgresHandle
from devkit.testing.subgraph import TEST_SECRET, SubgraphClient, migrated, running
from finance.app import create_app
from finance.settings import Settings


@pytest.fixture(scope="module")
def finance_db(postgres: PostgresHandle) -> ServiceDatabase:
    return migrated("finance", postgres.fresh_database("finance"))


@pytest.fixture(scope="module")
async def finance(finance_db: ServiceDatabase, nats_url: str) -> AsyncIterator[SubgraphClient]:
    settings = Settings(
        database_url=finance_db.app_url,
        nats_url=nats_url,
        signing_secret=TEST_SECRET,
        relay_idle_interval=0.05,
    )
    async with running(lambda: create_app(settings)) as client:
        yield client
