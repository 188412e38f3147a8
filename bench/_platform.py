"""What the benchmarks that run the whole platform share (not a benchmark itself: ``run.py``
passes over files starting with ``_``): the platform's configuration on a throwaway PostgreSQL
and nats-server, with ``production`` settings, the given secrets, free ports and no traces."""

from __future__ import annotations

from pathlib import Path

from devkit.local.nats import NatsServer
from devkit.local.platform import SERVICES, PlatformConfig
from devkit.local.ports import free_port
from devkit.local.postgres import PostgresCluster


def platform_config(
    work: Path, cluster: PostgresCluster, nats: NatsServer, jwt_secret: str, signing_secret: str
) -> PlatformConfig:
    return PlatformConfig(
        run_dir=work / "run",
        superuser_dsn=cluster.superuser_dsn(),
        nats_url=nats.url,
        jwt_secret=jwt_secret,
        signing_secret=signing_secret,
        gateway_port=free_port(),
        service_ports={s: free_port() for s in SERVICES},
        environment="production",
        # Traces would go wherever the caller's shell points; a benchmark sends none.
        extra_env={"OTEL_TRACES_EXPORTER": "none"},
    )
