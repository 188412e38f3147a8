"""A three-node NATS JetStream cluster with the stream on all three: the node leading the stream
is SIGKILLed during a burst of actions and started again; no event is lost or doubled."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from devkit.local.nats import NatsCluster
from devkit.local.platform import Platform
from devkit.testing.handles import PostgresHandle
from servicekit.events.bus import server_list
from servicekit.events.envelope import STREAM
from tests.faults.conftest import running_platform
from tests.faults.ledger import Ledger
from tests.faults.load import Load

ACTIONS = int(os.environ.get("CONCORD_FAULTS_CLUSTER_ACTIONS", "100"))


@pytest.fixture(scope="module")
def cluster() -> Iterator[NatsCluster]:
    directory = Path(tempfile.mkdtemp(prefix="concord-nats-cluster-"))
    nodes = NatsCluster(directory).start()
    try:
        yield nodes
    finally:
        nodes.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def on_cluster(postgres: PostgresHandle, cluster: NatsCluster) -> Iterator[Platform]:
    with running_platform(
        postgres, cluster.url, replicas=1, workers=0, stream_replicas=3
    ) as platform:
        yield platform


async def _stream_shape(url: str) -> tuple[int, str, list[str]]:
    """The stream's replicas and leader; asked again while a restarted cluster elects one."""
    nc = await nats.connect(server_list(url))
    try:
        for attempt in range(15):
            try:
                info = await nc.jetstream().stream_info(STREAM)
                break
            except nats.errors.TimeoutError:
                if attempt == 14:
                    raise
                await asyncio.sleep(1)
        cluster = info.cluster
        assert cluster is not None
        return (
            info.config.num_replicas,
            cluster.leader or "",
            [r.name for r in cluster.replicas or []],
        )
    finally:
        await nc.close()


def test_the_stream_leader_killed_during_a_burst_loses_no_event_and_doubles_none(
    on_cluster: Platform, postgres: PostgresHandle, cluster: NatsCluster
) -> None:
    replicas, leader, followers = asyncio.run(_stream_shape(cluster.url))
    assert replicas == 3 and leader and len(followers) == 2
    victim = int(leader.rsplit("-", 1)[1]) - 1
    events: list[str] = []

    def crash() -> None:
        cluster.kill(victim)
        events.append(f"{leader} (the stream leader) killed at {time.strftime('%H:%M:%S')}")
        time.sleep(5)
        cluster.node(victim).start()
        events.append(f"{leader} started again at {time.strftime('%H:%M:%S')}")

    ledger = Ledger(f"a NATS node killed during {ACTIONS} actions", on_cluster, postgres)
    load = Load(on_cluster)
    load.run(ACTIONS, at={ACTIONS // 3: crash})
    ledger.figures.actions_done, ledger.figures.actions_failed = load.done, dict(load.failed)
    ledger.figures.notes.extend(events)
    _, new_leader, _ = asyncio.run(_stream_shape(cluster.url))
    ledger.figures.notes.append(f"stream leader now {new_leader}")
    figures = ledger.settle(within=120)
    assert load.done == ACTIONS and not load.failed
    assert figures.recorded >= 3 * ACTIONS
    assert figures.lost == 0 and figures.doubled == 0
