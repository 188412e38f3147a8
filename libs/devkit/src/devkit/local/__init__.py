"""Local infrastructure processes: throwaway or persistent PostgreSQL and NATS on loopback.

Used by the pytest fixtures in :mod:`devkit.testing` and by ``make up``. Nothing here
touches the machine's system PostgreSQL (5432) or NATS (4222): every process gets its own
directory and a port of its own.
"""

from devkit.local.nats import NatsServer, NatsServerError, find_nats_server
from devkit.local.ports import free_port, port_is_open, wait_for_port
from devkit.local.postgres import PostgresCluster, PostgresError, find_pg_bindir
from devkit.local.provision import (
    APP_ROLE,
    OWNER_ROLE,
    ServiceDatabase,
    drop_service_database,
    drop_service_database_sync,
    provision_service_database,
    provision_service_database_sync,
)

__all__ = [
    "APP_ROLE",
    "OWNER_ROLE",
    "NatsServer",
    "NatsServerError",
    "PostgresCluster",
    "PostgresError",
    "ServiceDatabase",
    "drop_service_database",
    "drop_service_database_sync",
    "find_nats_server",
    "find_pg_bindir",
    "free_port",
    "port_is_open",
    "provision_service_database",
    "provision_service_database_sync",
    "wait_for_port",
]
