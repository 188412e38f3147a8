"""Fixtures shared by every test: real PostgreSQL and NATS JetStream on free loopback ports.
Every test under tests/e2e/ is marked ``e2e`` (``make test-fast`` leaves them out)."""

from pathlib import Path

import pytest

pytest_plugins = ["devkit.testing.fixtures"]

E2E = Path(__file__).resolve().parent / "tests" / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
