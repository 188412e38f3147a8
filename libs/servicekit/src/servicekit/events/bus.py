"""The NATS connection of a service, kept alive across outages of the server.

``nats.connect`` fails outright when the server is down at start-up, and the client gives up
reconnecting after a bounded number of attempts by default; a service must instead start, say
it is not ready, and carry on once NATS is back. So the first connection is retried here in the
background, and reconnection after that is unbounded.
"""

from __future__ import annotations

import asyncio
import logging

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError

from servicekit.errors import describe
from servicekit.events.envelope import STREAM, SUBJECT_PREFIX

log = logging.getLogger(__name__)


def server_list(url: str) -> list[str]:
    """``nats://a:4222,nats://b:4222`` (a cluster's nodes) as the list nats-py takes: the
    client tries each and moves to another node when the one it is on goes away."""
    return [part.strip() for part in url.split(",") if part.strip()]


class EventBus:
    def __init__(self, url: str, *, name: str, stream_replicas: int = 1) -> None:
        self.url = url
        self.name = name
        self.stream_replicas = stream_replicas
        self._nc: Client | None = None
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._connect_forever(), name=f"{self.name}-nats")

    async def _connect_forever(self) -> None:
        delay = 0.2
        while True:
            try:
                self._nc = await nats.connect(
                    server_list(self.url),
                    name=self.name,
                    connect_timeout=2,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                )
                await ensure_stream(self._nc.jetstream(), replicas=self.stream_replicas)
                self._ready.set()
                return
            except Exception as exc:  # any failure: the server is not there yet
                log.warning(
                    "NATS at %s not reachable (%s); retrying in %.1fs",
                    self.url,
                    describe(exc),
                    delay,
                )
                if self._nc is not None:
                    await self._nc.close()
                    self._nc = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def ready(self) -> JetStreamContext:
        await self._ready.wait()
        assert self._nc is not None
        return self._nc.jetstream()

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        # close, not drain: the workers are cancelled already, every publish was acknowledged
        # synchronously, and draining waits out pending pull requests (up to 30 s).
        if self._nc is not None and not self._nc.is_closed:
            await self._nc.close()


async def ensure_stream(js: JetStreamContext, *, replicas: int | None = None) -> None:
    """Create the one stream of domain events (idempotent across services and replicas).

    ``replicas``: how many JetStream nodes keep each message (3 on a three-node cluster, so
    one node lost loses nothing); ``None`` keeps what the stream has (a tool such as
    ``concord-parked`` must not scale the stream down)."""
    config = StreamConfig(
        name=STREAM,
        subjects=[f"{SUBJECT_PREFIX}.>"],
        storage=StorageType.FILE,
        duplicate_window=600.0,  # seconds: a relay retry after a crash is dropped by JetStream
        num_replicas=replicas or 1,
    )
    try:
        await js.add_stream(config)
    except BadRequestError:
        if replicas is None:
            config.num_replicas = (await js.stream_info(STREAM)).config.num_replicas
        await js.update_stream(config)
