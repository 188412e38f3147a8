"""Fixtures shared by every test: real PostgreSQL and NATS JetStream on free loopback ports.
Every test under tests/e2e/ is marked ``e2e`` (``make test-fast`` leaves them out); every test
under tests/faults/ ``faults`` (only ``make test-faults`` runs them)."""

from pathlib import Path

import pytest

pytest_plugins = ["devkit.testing.fixtures"]

E2E = Path(__file__).resolve().parent / "tests" / "e2e"
FAULTS = Path(__file__).resolve().parent / "tests" / "faults"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
        if FAULTS in Path(item.path).parents:
            item.add_marker(pytest.mark.faults)
