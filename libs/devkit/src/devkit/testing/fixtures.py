"""pytest plugin: a real PostgreSQL and a real NATS JetStream on free loopback ports.

Enable it in the repository's top-level ``conftest.py`` (pytest only honours
``pytest_plugins`` there or in a test module)::

    pytest_plugins = ["devkit.testing.fixtures"]

Fixtures (all synchronous: they work from async tests, and need no event loop of their own):

* ``postgres`` (session): a :class:`PostgresHandle`. A throwaway cluster on a free port in a
  fresh /tmp directory, or the server of ``$DATABASE_URL`` (taken as a superuser DSN).
* ``nats_server`` (session): a :class:`NatsHandle`. A nats-server with JetStream on a free port
  with a throwaway store, or the server of ``$NATS_URL`` (then stop/restart raise
  ``ExternalServiceError``: an outage test fails loudly rather than being skipped).
* ``nats_url`` (session): the client URL.
* ``database_factory`` (function): ``database_factory("membership")`` provisions a fresh,
  uniquely named database with the two roles and drops it after the test.

The machine's system PostgreSQL (5432) and NATS (4222) are never used unless the environment
variables point at them on purpose.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devkit.local.nats import NatsServer
from devkit.local.postgres import PostgresCluster
from devkit.local.provision import ServiceDatabase
from devkit.testing.handles import ExternalServiceError, NatsHandle, PostgresHandle

__all__ = [
    "ExternalServiceError",
    "NatsHandle",
    "PostgresHandle",
    "database_factory",
    "nats_server",
    "nats_url",
    "postgres",
]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresHandle]:
    """A PostgreSQL server for the whole session (own throwaway cluster, or ``$DATABASE_URL``)."""
    external = os.environ.get("DATABASE_URL")
    if external:
        yield PostgresHandle(external)
        return
    # mkdtemp under /tmp rather than tmp_path_factory: pytest's 0700 base directory would keep
    # the unprivileged server user out when the tests run as root.
    base_dir = Path(tempfile.mkdtemp(prefix="concord-pg-"))
    cluster = PostgresCluster(base_dir)
    try:
        cluster.start()
        yield PostgresHandle(cluster.superuser_dsn(), cluster)
    finally:
        cluster.stop(mode="immediate")
        shutil.rmtree(base_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def nats_server() -> Iterator[NatsHandle]:
    """A NATS JetStream server for the whole session (own nats-server, or ``$NATS_URL``)."""
    external = os.environ.get("NATS_URL")
    if external:
        yield NatsHandle(external)
        return
    data_dir = Path(tempfile.mkdtemp(prefix="concord-nats-"))
    server = NatsServer(data_dir)
    try:
        server.start()
        yield NatsHandle(server.url, server)
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def nats_url(nats_server: NatsHandle) -> str:
    """Client URL of the session's NATS server."""
    return nats_server.url


@pytest.fixture
def database_factory(postgres: PostgresHandle) -> Iterator[Callable[[str], ServiceDatabase]]:
    """Call with a service name to get a fresh provisioned database; dropped after the test."""
    created: list[str] = []

    def make(service_name: str) -> ServiceDatabase:
        database = postgres.fresh_database(service_name)
        created.append(database.name)
        return database

    yield make
    for name in created:
        postgres.drop_database(name)
