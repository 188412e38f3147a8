"""Durable pull consumers that handle each event once, whatever JetStream redelivers.

A handler runs inside one database transaction scoped to the event's alliance, together with
the insert of the event id into the inbox: if the id is already there the event was handled
and is only acknowledged again. Failures are retried with growing delays (``nak``); a message
that can never be handled (not a Concord event, or failing ``max_deliver`` times) is
terminated and logged, so it cannot block the stream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

import sqlalchemy as sa
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.db import Database
from servicekit.events.bus import EventBus
from servicekit.events.envelope import STREAM, Envelope, InvalidEnvelope, subject_for
from servicekit.events.worker import Worker
from servicekit.tenancy import TenantScope

log = logging.getLogger(__name__)
tracer = trace.get_tracer("servicekit.events")

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


def raise_if_cancelling() -> None:
    """Re-raise a cancellation that a library turned into another exception.

    nats-py's ``fetch`` can answer a cancelled wait with its own TimeoutError; a loop that
    retries on timeouts would then never stop, and the service would not exit on SIGTERM.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def retry_delay(deliveries: int) -> float:
    """Seconds before the next attempt: 0.5, 1, 2, 4 … at most 30."""
    return float(min(0.5 * 2 ** max(deliveries - 1, 0), 30.0))


class EventConsumer(Worker):
    def __init__(
        self,
        *,
        name: str,
        event_types: Sequence[str],
        handler: Handler,
        database: Database,
        bus: EventBus,
        inbox: sa.Table,
        max_deliver: int = 10,
        batch: int = 20,
    ) -> None:
        super().__init__()
        self.name = name
        self.subjects = [subject_for(t) for t in event_types]
        self.handler = handler
        self.database = database
        self.bus = bus
        self.inbox = inbox
        self.max_deliver = max_deliver
        self.batch = batch

    async def run(self) -> None:
        while not self.stopping:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                raise_if_cancelling()
                log.warning("consumer %s: %s; resubscribing", self.name, exc)
                await self.pause(1.0)

    async def _consume(self) -> None:
        js = await self.bus.ready()
        config = ConsumerConfig(
            durable_name=self.name,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            filter_subjects=self.subjects,
            max_deliver=self.max_deliver,
            ack_wait=30,
        )
        await js.add_consumer(STREAM, config)
        sub = await js.pull_subscribe_bind(durable=self.name, stream=STREAM)
        while not self.stopping:
            try:
                messages = await sub.fetch(self.batch, timeout=1)
            except NatsTimeoutError:
                raise_if_cancelling()
                continue
            for msg in messages:
                await self._handle(msg)

    async def _handle(self, msg: Msg) -> None:
        deliveries = msg.metadata.num_delivered
        try:
            envelope = Envelope.from_json(msg.data)
        except InvalidEnvelope as exc:
            log.error(
                "consumer %s: terminating poison message on %s: %s", self.name, msg.subject, exc
            )
            await msg.term()
            return
        parent = propagate.extract(dict(msg.headers or {}))
        with tracer.start_as_current_span(
            f"process {msg.subject}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "nats",
                "messaging.operation.type": "process",
                "messaging.destination.name": msg.subject,
                "messaging.consumer.group.name": self.name,
                "messaging.message.id": str(envelope.id),
                "cloudevents.event_type": envelope.type,
            },
        ) as span:
            try:
                handled = await self.handle(envelope)
                span.set_attribute("concord.event.duplicate", not handled)
            except Exception as exc:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, str(exc)))
                if deliveries >= self.max_deliver:
                    log.error(
                        "consumer %s: giving up on event %s after %d deliveries: %s",
                        self.name,
                        envelope.id,
                        deliveries,
                        exc,
                    )
                    await msg.term()
                else:
                    log.warning(
                        "consumer %s: event %s failed (%s); retrying", self.name, envelope.id, exc
                    )
                    await msg.nak(delay=retry_delay(deliveries))
                return
        await msg.ack_sync()

    async def handle(self, envelope: Envelope) -> bool:
        """Handle an event in one transaction; False if this consumer had handled it before."""
        scope = TenantScope.of(envelope.alliance_id) if envelope.alliance_id else TenantScope()
        async with self.database.transaction(scope) as session:
            first_time = (
                await session.execute(
                    insert(self.inbox)
                    .values(
                        consumer=self.name,
                        event_id=envelope.id,
                        alliance_id=envelope.alliance_id,
                        event_type=envelope.type,
                    )
                    .on_conflict_do_nothing()
                    .returning(self.inbox.c.event_id)
                )
            ).first() is not None
            if first_time:
                await self.handler(session, envelope)
            return first_time
