"""``python -m servicekit.local up|down|status``: the infrastructure half of ``make up``.

``up`` starts (or finds already running) a persistent PostgreSQL cluster and a nats-server
under ``--dir`` (default ``.run``), provisions one database per service, and prints (or writes
with ``--env-file``) the prefixed variables each service reads. Running it twice is harmless.
The processes outlive this command; ``down`` stops them, keeping their data.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from servicekit.local.nats import NatsServer
from servicekit.local.postgres import PostgresCluster
from servicekit.local.provision import provision_service_database_sync

DEFAULT_SERVICES = ("membership", "governance", "finance", "notifications")
#: Not 5432/4222: the machine may run its own PostgreSQL and NATS there.
DEFAULT_PG_PORT = 55432
DEFAULT_NATS_PORT = 44222


def _servers(args: argparse.Namespace) -> tuple[PostgresCluster, NatsServer]:
    root = Path(args.dir).absolute()
    cluster = PostgresCluster(root / "postgres", port=args.pg_port, cleanup_on_exit=False)
    nats = NatsServer(root / "nats", port=args.nats_port, cleanup_on_exit=False)
    return cluster, nats


def _up(args: argparse.Namespace) -> int:
    cluster, nats = _servers(args)
    cluster.start()
    nats.start()
    lines = [f"# PostgreSQL superuser: {cluster.superuser_dsn()}"]
    for service in args.services.split(","):
        database = provision_service_database_sync(cluster.superuser_dsn(), service)
        prefix = service.upper()
        lines += [
            f"{prefix}_DATABASE_URL={database.app_url}",
            f"{prefix}_MIGRATION_DATABASE_URL={database.migration_url}",
            f"{prefix}_NATS_URL={nats.url}",
        ]
    text = "\n".join(lines) + "\n"
    if args.env_file:
        Path(args.env_file).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def _down(args: argparse.Namespace) -> int:
    cluster, nats = _servers(args)
    nats.stop()
    cluster.stop()
    return 0


def _status(args: argparse.Namespace) -> int:
    cluster, nats = _servers(args)
    pg, ns = cluster.is_running(), nats.is_running()
    print(f"postgres: {'running' if pg else 'stopped'} ({cluster.base_dir})")
    print(f"nats:     {'running' if ns else 'stopped'} ({nats.data_dir})")
    return 0 if pg and ns else 1


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m servicekit.local", description=__doc__)
    parser.add_argument("command", choices=("up", "down", "status"))
    parser.add_argument("--dir", default=".run", help="where the data lives (default .run)")
    parser.add_argument("--pg-port", type=int, default=DEFAULT_PG_PORT)
    parser.add_argument("--nats-port", type=int, default=DEFAULT_NATS_PORT)
    parser.add_argument("--services", default=",".join(DEFAULT_SERVICES))
    parser.add_argument("--env-file", help="write the variables here instead of stdout")
    args = parser.parse_args(argv)
    return {"up": _up, "down": _down, "status": _status}[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
