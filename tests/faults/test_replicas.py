"""Two of everything: API replicas behind a balancer and separate worker processes."""

from __future__ import annotations

import httpx

from devkit.local.platform import SERVICES, Platform
from devkit.testing.handles import PostgresHandle
from tests.faults.ledger import Ledger
from tests.faults.load import Load

N = 60


def test_with_two_replicas_of_every_service_each_event_is_published_once_and_handled_once(
    replicated: Platform, postgres: PostgresHandle
) -> None:
    names = set(replicated.processes)
    for service in SERVICES:
        assert {f"{service}-api-1", f"{service}-api-2", f"{service}-lb"} <= names
        assert {f"{service}-worker-1", f"{service}-worker-2"} <= names
    ledger = Ledger("two replicas, no fault", replicated, postgres)
    load = Load(replicated)
    load.run(N)
    ledger.figures.actions_done, ledger.figures.actions_failed = load.done, dict(load.failed)
    figures = ledger.settle()
    assert load.done == N and not load.failed
    assert figures.recorded >= 3 * N and figures.expected > figures.recorded
    assert figures.lost == 0 and figures.doubled == 0


def test_the_balancer_sends_nothing_to_a_replica_that_is_down(
    replicated: Platform,
) -> None:
    url = replicated.service_url("membership").replace("/graphql", "/healthz")
    replicated.kill("membership-api-1")
    try:
        assert all(httpx.get(url, timeout=5).status_code == 200 for _ in range(10))
    finally:
        replicated.restart("membership-api-1")
