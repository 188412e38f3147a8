"""The platform the fault tests put under load: two API replicas and two worker processes of
every service behind local balancers (``CONCORD_FAULTS_REPLICAS``/``_WORKERS`` to change), on
the session's PostgreSQL and NATS, with the mail catcher. ``make test-faults`` runs them."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from devkit.local.platform import SERVICES, Platform, PlatformConfig
from devkit.local.ports import free_port
from devkit.testing.handles import NatsHandle, PostgresHandle
from tests.e2e.client import CREATE, operator

REPLICAS = int(os.environ.get("CONCORD_FAULTS_REPLICAS", "2"))
WORKERS = int(os.environ.get("CONCORD_FAULTS_WORKERS", "2"))
ACTIONS = int(os.environ.get("CONCORD_FAULTS_ACTIONS", "200"))
"""How many actions each fault test runs (each: an application submitted, forwarded, decided)."""


@contextlib.contextmanager
def running_platform(
    postgres: PostgresHandle,
    nats_url: str,
    *,
    replicas: int = REPLICAS,
    workers: int = WORKERS,
    stream_replicas: int = 1,
) -> Iterator[Platform]:
    run_dir = Path(tempfile.mkdtemp(prefix="concord-faults-"))
    suffix = secrets.token_hex(4)
    config = PlatformConfig(
        run_dir=run_dir,
        superuser_dsn=postgres.superuser_dsn,
        nats_url=nats_url,
        jwt_secret=secrets.token_urlsafe(32),
        signing_secret=secrets.token_urlsafe(32),
        gateway_port=free_port(),
        service_ports={s: free_port() for s in SERVICES},
        database_names={s: f"concord_{s}_faults{suffix}" for s in SERVICES},
        mail_ports=(free_port(), free_port()),
        replicas=replicas,
        workers=workers,
        stream_replicas=stream_replicas,
    )
    platform = Platform(config)
    try:
        platform.start()
        op = operator(platform)
        op.data(
            CREATE,
            {
                "i": {
                    "slug": "aitisa",
                    "nameZh": "测试联盟",
                    "nameEn": "AITISA",
                    "template": "aitisa",
                }
            },
        )
        yield platform
    finally:
        platform.stop()
        for name in config.database_names.values():
            postgres.drop_database(name)
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def replicated(postgres: PostgresHandle, nats_server: NatsHandle) -> Iterator[Platform]:
    with running_platform(postgres, nats_server.url) as platform:
        yield platform
