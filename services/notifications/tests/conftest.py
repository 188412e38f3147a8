"""A running notifications service against the test PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import nats
import nats.js.errors
import pytest

from devkit.local.provision import ServiceDatabase
from devkit.testing.channels import MailBox, smtp_server
from devkit.testing.handles import PostgresHandle
from devkit.testing.subgraph import TEST_SECRET, SubgraphClient, migrated, running
from notifications.app import create_app
from notifications.consumers import CONSUMERS
from notifications.settings import Settings
from servicekit.events.envelope import STREAM


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
        await caught_up(nats_url)
        yield client


@pytest.fixture
def backlog_handled(nats_url: str) -> Callable[[float], Awaitable[None]]:
    """``await backlog_handled(within)``: :func:`caught_up` for the tests' own events."""

    async def wait(within: float) -> None:
        await caught_up(nats_url, within=within)

    return wait


async def caught_up(nats_url: str, within: float = 180.0) -> None:
    """Wait until the service's durable consumers have handled the stream's backlog: the other
    services' tests publish on the same JetStream, and a consumer created now starts from the
    first event (``DeliverPolicy.ALL``)."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        deadline = time.monotonic() + within
        while True:
            pending = 0
            for spec in CONSUMERS:
                try:
                    info = await js.consumer_info(STREAM, spec.name)
                except nats.js.errors.NotFoundError:
                    pending += 1
                    continue
                pending += info.num_pending + info.num_ack_pending
            if pending == 0 or time.monotonic() > deadline:
                return
            await asyncio.sleep(0.2)
    finally:
        await nc.close()


FAST_RETRIES = (0.0, 0.2, 0.2, 0.2)
"""The schedule's shape (immediately, then waits) in under a second, for the tests."""


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[MailBox, int]]:
    with smtp_server() as server:
        yield server


def channel_settings(db: ServiceDatabase, nats_url: str, smtp_port: int) -> Settings:
    return Settings(
        database_url=db.app_url,
        nats_url=nats_url,
        signing_secret=TEST_SECRET,
        relay_idle_interval=0.05,
        environment="development",
        smtp_port=smtp_port,
        retry_schedule=FAST_RETRIES,
        delivery_poll_interval=0.05,
        job_poll_interval=0.1,
    )


@pytest.fixture(scope="module")
def replica_settings(
    notifications_db: ServiceDatabase, nats_url: str, smtp: tuple[MailBox, int]
) -> Settings:
    """Settings for more replicas of the service on the module's database."""
    return channel_settings(notifications_db, nats_url, smtp[1])


@pytest.fixture(scope="module")
async def service(
    notifications_db: ServiceDatabase, nats_url: str, smtp: tuple[MailBox, int]
) -> AsyncIterator[SubgraphClient]:
    """The service with its senders pointed at the test's SMTP server."""
    settings = channel_settings(notifications_db, nats_url, smtp[1])
    async with running(lambda: create_app(settings)) as client:
        await caught_up(nats_url)
        yield client
