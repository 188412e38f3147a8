"""``make up`` / ``make down``: the whole platform on this machine.

``up`` starts PostgreSQL and NATS under ``.run/`` (never the machine's own on 5432/4222),
provisions and migrates each service's database, starts the four services and the gateway
(keeping any that already answer), loads the demo alliances once, and prints where to go and
a platform-operator token. Running it twice is harmless.

As root, PostgreSQL runs as an unprivileged user; when that user cannot enter the checkout
(a clone under /root or in a ``mktemp -d`` folder), the cluster lives in a per-checkout
directory under /var/tmp instead (``devkit.local.postgres.local_cluster_dir``), and ``up``
says so. The ports come from ``CONCORD_DEV_*`` variables (:class:`DevPorts`), so a second
checkout can run beside the first.

``make up REPLICAS=2 WORKERS=2`` runs two API processes of every service behind a local
balancer and two worker processes (relay, consumers, scheduled jobs) beside them;
``make up NATS=cluster`` runs a three-node NATS JetStream cluster (the stream replicated on
all three) instead of one server. ``make down`` stops whichever ran.
"""

from __future__ import annotations

import argparse
import secrets
import time
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from devkit.local.nats import NatsCluster, NatsServer
from devkit.local.platform import SERVICES, Platform, PlatformConfig
from devkit.local.postgres import ClusterLocation, PostgresCluster, local_cluster_dir
from membership.demo import seed

RUN = Path(".run").absolute()


class DevPorts(BaseSettings):
    """Loopback ports of ``make up``: ``CONCORD_DEV_GATEWAY_PORT=4500 make up`` and so on."""

    model_config = SettingsConfigDict(env_prefix="CONCORD_DEV_")

    pg_port: int = 55432
    nats_port: int = 44222
    gateway_port: int = 4000
    #: the four services take this port and the next three (membership, governance, …)
    first_service_port: int = 4101
    mail_smtp_port: int = 41025
    mail_http_port: int = 41080
    #: replicas take 20 ports per service from here (API 0-9, workers 10-19)
    first_replica_port: int = 4201
    #: the three nodes of ``NATS=cluster``: client ports from here, route ports from +10
    nats_cluster_port: int = 44230


class Shape(BaseSettings):
    """How many of each: ``REPLICAS``, ``WORKERS``, ``NATS`` (``server`` or ``cluster``)."""

    model_config = SettingsConfigDict(env_prefix="CONCORD_DEV_")

    replicas: int = 1
    workers: int = 0
    nats: str = "server"


def _secret(name: str) -> str:
    path = RUN / name
    if not path.exists():
        RUN.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _platform(
    cluster: PostgresCluster,
    nats: NatsServer | NatsCluster,
    ports: DevPorts,
    shape: Shape | None = None,
) -> Platform:
    shape = shape or Shape()
    return Platform(
        PlatformConfig(
            run_dir=RUN,
            superuser_dsn=cluster.superuser_dsn(),
            nats_url=nats.url,
            jwt_secret=_secret("jwt-secret"),
            signing_secret=_secret("signing-secret"),
            gateway_port=ports.gateway_port,
            service_ports={s: ports.first_service_port + i for i, s in enumerate(SERVICES)},
            mail_ports=(ports.mail_smtp_port, ports.mail_http_port),
            replicas=shape.replicas,
            workers=shape.workers,
            replica_base_port=ports.first_replica_port,
            stream_replicas=3 if isinstance(nats, NatsCluster) else 1,
        )
    )


def _nats_cluster(ports: DevPorts) -> NatsCluster:
    first = ports.nats_cluster_port
    return NatsCluster(
        RUN / "nats-cluster",
        client_ports=[first, first + 1, first + 2],
        route_ports=[first + 10, first + 11, first + 12],
        cleanup_on_exit=False,
    )


def _servers(
    ports: DevPorts, *, create: bool
) -> tuple[PostgresCluster, NatsServer, ClusterLocation]:
    location = local_cluster_dir(RUN / "postgres", create=create)
    return (
        PostgresCluster(location.base_dir, port=ports.pg_port, cleanup_on_exit=False),
        NatsServer(RUN / "nats", port=ports.nats_port, cleanup_on_exit=False),
        location,
    )


def _where(location: ClusterLocation) -> str:
    data = location.base_dir / "data"
    if location.moved_because is None:
        return f"  PostgreSQL data: {data}"
    return f"  PostgreSQL data: {data}\n    (outside the checkout: {location.moved_because})"


def up() -> None:
    ports, shape = DevPorts(), Shape()
    cluster, server, location = _servers(ports, create=True)
    cluster.start()
    nats: NatsServer | NatsCluster
    if shape.nats == "cluster":
        server.stop()  # (a single server of an earlier ``make up``)
        nats = _nats_cluster(ports).start()
    else:
        _nats_cluster(ports).stop()
        nats = server.start()
    platform = _platform(cluster, nats, ports, shape)
    shape_file = RUN / "shape"
    if shape_file.exists() and shape_file.read_text() != repr(shape):
        platform.stop_recorded()  # another shape ran before: start every process afresh
    shape_file.write_text(repr(shape))
    platform.start(reuse_running=True)
    started = time.monotonic()
    created = seed(platform.graphql_url, platform.config.jwt_secret, history=True)
    loaded = f" (just loaded, with a year of history, in {time.monotonic() - started:.0f} s)"
    token = platform.operator_token or platform.issue_operator_token()
    print(f"""
Concord is running.
  GraphQL (and GraphiQL in a browser, signed in as the operator): {platform.graphql_url}
  Dashboards (sign in with the operator token below): {platform.dashboard_url}
  Demo alliances: aii, aitisa, china-asean{loaded if created else ""}
  Processes: {", ".join(sorted(platform.processes))}
  NATS: {nats.url}
  Mail sent (local catcher, nothing leaves the machine): {platform.mail_url}
    (files: {RUN}/mail/; SMTP 127.0.0.1:{ports.mail_smtp_port})
{_where(location)}
  Logs: {RUN}/logs/   Stop: make down

Platform operator token (12 h):
  export TOKEN={token}

Try:
  curl -s {platform.graphql_url} -H 'content-type: application/json' \\
    -H "authorization: Bearer $TOKEN" -d '{{"query":"{{ alliances {{ slug name }} }}"}}'
Other roles: make token ROLE=secretariat ALLIANCE=aii
""")


def down() -> None:
    ports = DevPorts()
    cluster, nats, location = _servers(ports, create=False)
    _platform(cluster, nats, ports).stop_recorded()
    nats.stop()
    _nats_cluster(ports).stop()
    cluster.stop()
    kept = "" if location.moved_because is None else f" and {location.base_dir}"
    print(f"Concord stopped (data kept in .run/{kept}; remove it all for a fresh start).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["up", "down"])
    args = parser.parse_args()
    {"up": up, "down": down}[args.command]()


if __name__ == "__main__":
    main()
