"""Two of everything: API replicas behind a balancer and separate worker processes."""

from __future__ import annotations

import httpx

from devkit.local.platform import SERVICES, Platform
from devkit.testing.handles import PostgresHandle
from tests.faults.ledger import Ledger
from tests.faults.load import Load

N = 60


def _total(platform: Platform, process: str, metric: str, having: str = "") -> float:
    """The sum of a counter over its labels, from one process's /metrics."""
    url = platform.processes[process].ready_url.replace("/healthz", "/metrics")
    text = httpx.get(url, timeout=5).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(metric + "{") and having in line
    )


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
    spread = {
        service: (
            [_total(replicated, f"{service}-api-{i}", "concord_graphql_operations_total")
             for i in (1, 2)],
            [_total(replicated, f"{service}-worker-{i}", "concord_outbox_published_total")
             for i in (1, 2)],
            [_total(replicated, f"{service}-worker-{i}", "concord_consumer_events_total",
                    'outcome="handled"') for i in (1, 2)],
        )
        for service in SERVICES
    }  # fmt: skip
    for service, (operations, published, handled) in spread.items():
        print(
            f"  {service}: operations per API replica {operations}, events published per "
            f"worker {published}, handled per worker {handled}"
        )
    # the balancer shares the gateway's connections out: both replicas of membership served
    assert all(n > 0 for n in spread["membership"][0]), spread["membership"]
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
