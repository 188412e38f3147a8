"""``make up`` / ``make down`` / ``make token``: the whole platform on this machine.

``up`` starts PostgreSQL and NATS under ``.run/`` (never the machine's own on 5432/4222),
provisions and migrates each service's database, starts the four services and the gateway
(keeping any that already answer), loads the demo alliances once, and prints where to go and
a platform-operator token. Running it twice is harmless.
"""

from __future__ import annotations

import argparse
import secrets
from pathlib import Path

from membership.demo import seed
from servicekit.auth.devtoken import mint
from servicekit.local.nats import NatsServer
from servicekit.local.platform import Platform, PlatformConfig
from servicekit.local.postgres import PostgresCluster

RUN = Path(".run").absolute()
PG_PORT, NATS_PORT, GATEWAY_PORT = 55432, 44222, 4000


def _secret(name: str) -> str:
    path = RUN / name
    if not path.exists():
        RUN.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _platform(cluster: PostgresCluster, nats: NatsServer) -> Platform:
    return Platform(
        PlatformConfig(
            run_dir=RUN,
            superuser_dsn=cluster.superuser_dsn(),
            nats_url=nats.url,
            jwt_secret=_secret("jwt-secret"),
            signing_secret=_secret("signing-secret"),
            gateway_port=GATEWAY_PORT,
        )
    )


def _servers() -> tuple[PostgresCluster, NatsServer]:
    return (
        PostgresCluster(RUN / "postgres", port=PG_PORT, cleanup_on_exit=False),
        NatsServer(RUN / "nats", port=NATS_PORT, cleanup_on_exit=False),
    )


def up() -> None:
    cluster, nats = _servers()
    cluster.start()
    nats.start()
    platform = _platform(cluster, nats)
    platform.start(reuse_running=True)
    created = seed(platform.graphql_url, platform.config.jwt_secret)
    token = mint(
        platform.config.jwt_secret,
        sub="operator",
        name="Platform operator",
        operator=True,
        locale="en",
    )
    print(f"""
Concord is running.
  GraphQL (and GraphiQL in a browser): {platform.graphql_url}
  Demo alliances: aii, aitisa, china-asean{" (just loaded)" if created else ""}
  Logs: {RUN}/logs/   Stop: make down

Platform operator token (12 h):
  export TOKEN={token}

Try:
  curl -s {platform.graphql_url} -H 'content-type: application/json' \\
    -H "authorization: Bearer $TOKEN" -d '{{"query":"{{ alliances {{ slug name }} }}"}}'
Other roles: make token ROLE=secretariat ALLIANCE=aii
""")


def down() -> None:
    cluster, nats = _servers()
    _platform(cluster, nats).stop_recorded()
    nats.stop()
    cluster.stop()
    print("Concord stopped (data kept in .run/; remove it for a fresh start).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["up", "down"])
    args = parser.parse_args()
    {"up": up, "down": down}[args.command]()


if __name__ == "__main__":
    main()
