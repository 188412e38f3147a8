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


# The notice-kinds check (tests/e2e/test_notice_kinds.py) reads what the whole suite filed, so
# it runs only when the whole suite was collected, and last. A run of one file, or one test,
# leaves it out (deselected: nothing is skipped).
NOTICE_KINDS_CHECK = "test_notice_kinds.py"
# e2e modules that file no notices (they start their own platform, or none), which a full run
# may leave out.
FILES_NO_NOTICES = frozenset({"test_make_up_anywhere.py"})
_DESELECTED = pytest.StashKey[list[pytest.Item]]()
NOTICE_KINDS_REPORT = pytest.StashKey[list[str]]()


def _e2e_file(item: pytest.Item) -> str | None:
    here = Path(__file__).resolve().parent
    path = Path(item.path).resolve()
    return path.name if path.parent == here else None


def pytest_deselected(items: list[pytest.Item]) -> None:
    for item in items:
        item.config.stash.setdefault(_DESELECTED, []).append(item)


def whole_suite_collected(config: pytest.Config, items: list[pytest.Item]) -> bool:
    """Every e2e module was collected and none of its tests was deselected (by ``-k``, ``-m``
    or ``--deselect``), apart from the modules that file no notices."""
    here = Path(__file__).resolve().parent
    wanted = {p.name for p in here.glob("test_*.py")} - FILES_NO_NOTICES
    collected = {name for item in items if (name := _e2e_file(item))}
    deselected = {
        name
        for item in config.stash.get(_DESELECTED, [])
        if (name := _e2e_file(item)) and name not in FILES_NO_NOTICES
    }
    return wanted <= collected and not (deselected - {NOTICE_KINDS_CHECK})


@pytest.hookimpl(trylast=True)  # after -k, -m and --deselect have taken their items out
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    check = [item for item in items if _e2e_file(item) == NOTICE_KINDS_CHECK]
    if not check:
        return
    for item in check:
        items.remove(item)
    if whole_suite_collected(config, items + check):
        items.extend(check)  # last: after every other test has filed its notices
    else:
        config.hook.pytest_deselected(items=check)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    lines = config.stash.get(NOTICE_KINDS_REPORT, None)
    if lines:
        terminalreporter.write_sep("-", "notice kinds")
        for line in lines:
            terminalreporter.write_line(line)
