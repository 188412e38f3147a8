"""One platform for the end-to-end tests: real PostgreSQL, NATS, the four services as
processes, and the Hive Gateway in front, on free loopback ports; and a headless Chromium for
the browser tests (tests/support/browser.py).

``CONCORD_E2E_REPLICAS=2 CONCORD_E2E_WORKERS=2`` runs the suite against two API replicas of
every service behind local balancers and two worker processes each (devkit.local.platform)."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from devkit.local.platform import SERVICES, Platform, PlatformConfig
from devkit.local.ports import free_port
from devkit.testing.handles import NatsHandle, PostgresHandle
from tests.support.browser import artifacts_dir, browser, page, playwright_driver
from tests.support.otlp import OtlpReceiver

__all__ = ["artifacts_dir", "browser", "page", "playwright_driver"]  # browser fixtures


@pytest.fixture(scope="session")
def otlp() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def platform(
    postgres: PostgresHandle, nats_server: NatsHandle, otlp: OtlpReceiver
) -> Iterator[Platform]:
    run_dir = Path(tempfile.mkdtemp(prefix="concord-e2e-"))
    suffix = secrets.token_hex(4)
    config = PlatformConfig(
        run_dir=run_dir,
        superuser_dsn=postgres.superuser_dsn,
        nats_url=nats_server.url,
        jwt_secret=secrets.token_urlsafe(32),
        signing_secret=secrets.token_urlsafe(32),
        gateway_port=free_port(),
        service_ports={s: free_port() for s in SERVICES},
        database_names={s: f"concord_{s}_e2e{suffix}" for s in SERVICES},
        mail_ports=(free_port(), free_port()),
        replicas=int(os.environ.get("CONCORD_E2E_REPLICAS", "1")),
        workers=int(os.environ.get("CONCORD_E2E_WORKERS", "0")),
        extra_env={
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint,
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_BSP_SCHEDULE_DELAY": "200",
        },
    )
    platform = Platform(config)
    try:
        platform.start()
        yield platform
    finally:
        platform.stop()
        for name in config.database_names.values():
            postgres.drop_database(name)
