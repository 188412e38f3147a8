"""The outbox relay: publishes committed events to JetStream, in order, at least once.

Rows are claimed with ``FOR UPDATE SKIP LOCKED`` so that every replica of a service can run a
relay without two of them sending the same row at the same time. A row is marked published in
the same transaction that claimed it, after JetStream acknowledged it; if anything fails the
transaction rolls back and the rows are sent again later — JetStream drops the repeat by its
``Nats-Msg-Id`` and consumers' inboxes catch anything older than the dedupe window.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import sqlalchemy as sa
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.db import Database
from servicekit.errors import describe
from servicekit.events.bus import EventBus
from servicekit.events.consumer import raise_if_cancelling
from servicekit.events.worker import Worker
from servicekit.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, OUTBOX_PUBLISHED
from servicekit.tenancy import TenantScope

log = logging.getLogger(__name__)

BACKLOG_SAMPLE_SECONDS = 5.0
tracer = trace.get_tracer("servicekit.events")


class OutboxRelay(Worker):
    def __init__(
        self,
        database: Database,
        bus: EventBus,
        outbox: sa.Table,
        *,
        batch_size: int = 100,
        idle_interval: float = 0.2,
        service: str = "",
    ) -> None:
        super().__init__()
        self.name = "outbox-relay"
        self.service = service
        self._sampled_at = 0.0
        self.database = database
        self.bus = bus
        self.outbox = outbox
        self.batch_size = batch_size
        self.idle_interval = idle_interval

    async def run(self) -> None:
        failures = 0
        while not self.stopping:
            try:
                sent = await self.relay_once()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                raise_if_cancelling()
                failures += 1
                log.warning("outbox relay: %s (attempt %d)", describe(exc), failures)
                await self.pause(min(0.2 * 2**failures, 5.0))
                continue
            if sent < self.batch_size:
                await self.pause(self.idle_interval)

    async def relay_once(self) -> int:
        """Publish one batch of pending events; returns how many were sent."""
        js = await self.bus.ready()
        if not self.bus.connected:
            raise ConnectionError("NATS is disconnected")
        o = self.outbox
        async with self.database.transaction(TenantScope.everything()) as session:
            rows = (
                await session.execute(
                    sa.select(o.c.id, o.c.subject, o.c.type, o.c.envelope, o.c.trace_headers)
                    .where(o.c.published_at.is_(None))
                    .order_by(o.c.position)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                parent = propagate.extract(row.trace_headers or {})
                with tracer.start_as_current_span(
                    f"publish {row.subject}",
                    context=parent,
                    kind=SpanKind.PRODUCER,
                    attributes={
                        "messaging.system": "nats",
                        "messaging.operation.type": "publish",
                        "messaging.destination.name": row.subject,
                        "messaging.message.id": str(row.id),
                        "cloudevents.event_type": row.type,
                    },
                ):
                    headers = {"Nats-Msg-Id": str(row.id)}
                    propagate.inject(headers)
                    payload = json.dumps(row.envelope, ensure_ascii=False).encode()
                    await js.publish(row.subject, payload, headers=headers, timeout=5)
            if rows:
                await session.execute(
                    sa.update(o)
                    .where(o.c.id.in_([r.id for r in rows]))
                    .values(published_at=sa.func.now())
                )
                OUTBOX_PUBLISHED.labels(self.service).inc(len(rows))
            await self._sample_backlog(session)
        return len(rows)

    async def _sample_backlog(self, session: AsyncSession) -> None:
        """The backlog's size and age for the metrics, at most every few seconds (one
        statement on the partial index of unpublished events)."""
        now = time.monotonic()
        if now - self._sampled_at < BACKLOG_SAMPLE_SECONDS:
            return
        self._sampled_at = now
        o = self.outbox
        count, age = (
            await session.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.extract("epoch", sa.func.now() - sa.func.min(o.c.created_at)),
                ).where(o.c.published_at.is_(None))
            )
        ).one()
        OUTBOX_BACKLOG.labels(self.service).set(count)
        OUTBOX_OLDEST_AGE.labels(self.service).set(float(age or 0))
