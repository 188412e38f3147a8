"""Publishing events to JetStream from a test, as another service's relay would."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import nats

from servicekit.events.bus import ensure_stream
from servicekit.events.envelope import Envelope, subject_for


def event(
    type: str,
    data: dict[str, Any],
    *,
    alliance_id: uuid.UUID | None,
    subject: str = "",
    source: str = "/concord/tests",
) -> Envelope:
    return Envelope(
        type=type,
        source=source,
        subject=subject or str(uuid.uuid4()),
        data=data,
        alliance_id=alliance_id,
    )


async def publish(nats_url: str, *envelopes: Envelope, msg_id: str | None = None) -> None:
    """Publish ``envelopes``; ``msg_id`` overrides the ``Nats-Msg-Id`` (to defeat JetStream's
    dedupe and test the consumers' inbox)."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_stream(js)
        for envelope in envelopes:
            await js.publish(
                subject_for(envelope.type),
                envelope.to_json(),
                headers={"Nats-Msg-Id": msg_id or str(envelope.id)},
            )
    finally:
        await nc.close()


T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T]], *, within: float = 5.0, interval: float = 0.05
) -> T:
    """Await ``check()`` until it returns a truthy value (consumers work asynchronously)."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {within}s; last result: {result!r}")
        await asyncio.sleep(interval)


async def handled(dsn: str, consumer: str, *envelopes: Envelope) -> bool:
    """Whether the service whose database ``dsn`` names (its owner) has handled every one of
    ``envelopes`` with ``consumer`` (its inbox): a wait for an event that changes nothing."""
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        return bool(
            await conn.fetchval(
                "SELECT count(*) = $2 FROM inbox"
                " WHERE consumer = $1 AND event_id = ANY($3::uuid[])",
                consumer,
                len(envelopes),
                [e.id for e in envelopes],
            )
        )
    finally:
        await conn.close()
