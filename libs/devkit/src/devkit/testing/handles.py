"""What the test fixtures hand out: a PostgreSQL handle and a NATS handle.

Kept apart from the pytest plugin module so that tests can import these types without
importing the plugin before pytest registers it (which would defeat assertion rewriting).
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

from devkit.local.nats import NatsServer
from devkit.local.postgres import PostgresCluster
from devkit.local.provision import (
    ServiceDatabase,
    drop_service_database_sync,
    plain_dsn,
    provision_service_database_sync,
)

__all__ = ["ExternalServiceError", "NatsHandle", "PostgresHandle"]


class ExternalServiceError(RuntimeError):
    """An operation needs a server the tests started themselves, not one from the env."""


class PostgresHandle:
    """The test PostgreSQL: its superuser DSN and database provisioning."""

    def __init__(self, superuser_dsn: str, cluster: PostgresCluster | None = None) -> None:
        self.superuser_dsn = plain_dsn(superuser_dsn)
        self.cluster = cluster
        parts = urlsplit(self.superuser_dsn)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 5432
        self._role_password = os.environ.get("CONCORD_TEST_ROLE_PASSWORD") or None

    @property
    def external(self) -> bool:
        """Whether the server came from ``$DATABASE_URL`` rather than being started here."""
        return self.cluster is None

    def dsn(self, dbname: str) -> str:
        """Superuser DSN for another database of the same server."""
        return urlsplit(self.superuser_dsn)._replace(path=f"/{dbname}").geturl()

    def provision(self, service_name: str, database_name: str | None = None) -> ServiceDatabase:
        """Create or repair a service database with ``concord_owner``/``concord_app``."""
        return provision_service_database_sync(
            self.superuser_dsn,
            service_name,
            database_name=database_name,
            owner_password=self._role_password,
            app_password=self._role_password,
        )

    def fresh_database(self, service_name: str) -> ServiceDatabase:
        """A new, uniquely named database (``concord_<service>_t<hex>``) for one test/module."""
        name = f"concord_{service_name}_t{uuid.uuid4().hex[:12]}"
        return self.provision(service_name, database_name=name)

    def outage(self, seconds: float) -> None:
        """Stop the server (``fast``: open transactions rolled back, clients disconnected) for
        ``seconds``, then start it again on the same port with the same data."""
        if self.cluster is None:
            raise ExternalServiceError(
                "cannot restart PostgreSQL: the tests use the external server DATABASE_URL; "
                "unset DATABASE_URL so the tests start their own cluster"
            )
        self.cluster.restart_on_same_port("fast", down_for=seconds)

    def drop_database(self, database_name: str) -> None:
        """Drop a database, disconnecting its sessions."""
        drop_service_database_sync(self.superuser_dsn, database_name)


class NatsHandle:
    """The test NATS server: its URL and, when we started it, stop/start for outage tests."""

    def __init__(self, url: str, server: NatsServer | None = None) -> None:
        self.url = url
        self.server = server

    @property
    def external(self) -> bool:
        """Whether the server came from ``$NATS_URL`` rather than being started here."""
        return self.server is None

    def _own_server(self, action: str) -> NatsServer:
        if self.server is None:
            raise ExternalServiceError(
                f"cannot {action} NATS: the tests use the external server NATS_URL={self.url}; "
                "unset NATS_URL so the tests start their own nats-server"
            )
        return self.server

    def stop(self) -> None:
        """Stop the server (port and JetStream store are kept)."""
        self._own_server("stop").stop()

    def start(self) -> None:
        """Start it again on the same port with the same store."""
        self._own_server("start").start()

    def restart(self) -> None:
        """Stop and start again."""
        self._own_server("restart").restart()

    @contextlib.contextmanager
    def outage(self, seconds: float = 0.0) -> Iterator[None]:
        """Stop NATS for the ``with`` block (at least ``seconds``), then start it again.

        The server is started again even when the block fails, so later tests find it.
        """
        server = self._own_server("simulate an outage of")
        server.stop()
        began = time.monotonic()
        try:
            yield
            remaining = seconds - (time.monotonic() - began)
            if remaining > 0:
                time.sleep(remaining)
        finally:
            server.start()
