"""The local balancer in front of replicas, and the three-node NATS JetStream cluster."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest

from devkit.local.balancer import Balancer
from devkit.local.nats import NatsCluster
from devkit.local.ports import free_port
from servicekit.events.bus import ensure_stream, server_list
from servicekit.events.envelope import STREAM


@contextlib.asynccontextmanager
async def _replica(name: bytes) -> AsyncIterator[int]:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        writer.write(name)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


async def _ask(port: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"hello")
    await writer.drain()
    answer = await reader.read(100)
    writer.close()
    return answer


async def test_the_balancer_takes_replicas_in_turn_and_skips_one_that_refuses() -> None:
    dead = free_port()  # nothing listens there: a replica that was killed
    async with _replica(b"a") as a, _replica(b"b") as b:
        balancer = Balancer([("127.0.0.1", a), ("127.0.0.1", dead), ("127.0.0.1", b)])
        port = free_port()
        server = await asyncio.start_server(balancer.handle, "127.0.0.1", port)
        async with server:
            answers = [await _ask(port) for _ in range(6)]
    assert set(answers) == {b"a", b"b"}
    assert b"" not in answers  # the refused connection was retried on the next replica


def test_a_balancer_needs_a_replica() -> None:
    with pytest.raises(ValueError):
        Balancer([])


def test_the_cluster_url_lists_every_node_for_the_client() -> None:
    assert server_list("nats://a:1, nats://b:2,") == ["nats://a:1", "nats://b:2"]
    with pytest.raises(ValueError):
        NatsCluster("/tmp/never", size=2)


async def test_a_three_node_cluster_keeps_the_stream_on_all_three_and_survives_a_node_killed(
    tmp_path: Path,
) -> None:
    cluster = NatsCluster(tmp_path).start()
    try:
        nc = await nats.connect(server_list(cluster.url), connect_timeout=5)
        js = nc.jetstream()
        for _ in range(60):  # the cluster elects its JetStream leader first
            try:
                await ensure_stream(js, replicas=3)
                break
            except Exception:
                await asyncio.sleep(0.5)
        await ensure_stream(js)  # a tool that names no replicas keeps the three
        info = await js.stream_info(STREAM)
        assert info.config.num_replicas == 3
        await js.publish("concord.test.one", b"1", headers={"Nats-Msg-Id": "one"})
        cluster.kill(0)
        for _ in range(60):  # a new leader if the killed node led the stream
            try:
                await js.publish("concord.test.two", b"2", headers={"Nats-Msg-Id": "two"})
                break
            except Exception:
                await asyncio.sleep(0.5)
        assert (await js.stream_info(STREAM)).state.messages == 2
        await nc.close()
    finally:
        cluster.stop()
