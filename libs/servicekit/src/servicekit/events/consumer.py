"""Durable pull consumers that handle each event once, whatever JetStream redelivers.

A handler runs inside one database transaction scoped to the event's alliance, together with
the insert of the event id into the inbox: if the id is already there the event was handled
and is only acknowledged again. Failures are retried with growing delays (``nak``); a message
that can never be handled (not a Concord event, or failing ``max_deliver`` times) is
parked in the service's ``parked_events`` table with its error (a dead letter the operator lists
and replays with ``concord-parked``) and taken off the stream, so it cannot block it. A failure
because the service's own database is unavailable is not the event's fault: it is retried (at
most every 30 s) for as long as the outage lasts and never parked; so JetStream's own
``max_deliver`` is unlimited and the count is kept here.

By default a consumer handles its messages one after the other. With ``concurrency`` > 1 it
fetches a batch and handles it in lanes, one lane per event ``subject`` (the aggregate): the
events of one aggregate keep their order, different aggregates are handled side by side, at
most ``concurrency`` at once (each lane holds one database connection while it works). That
order holds within a batch only: a retried event comes back after later ones, and two replicas
fetch different batches. A handler that keeps an aggregate's state therefore compares the
event's revision with the one it holds (``MemberEvent.revision``) rather than trust arrival. The
inbox row, written in each event's own transaction, still makes every event count once:
a message redelivered while another replica or lane handles it waits on the inbox row's
unique key and finds it there. A stop lets the events under way finish and gives the rest of
the batch back to JetStream at once (``nak``), so a large batch never delays a shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
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
from servicekit.errors import describe, is_unavailable
from servicekit.events.bus import EventBus
from servicekit.events.envelope import STREAM, Envelope, InvalidEnvelope, subject_for
from servicekit.events.tables import PARKED
from servicekit.events.worker import Worker
from servicekit.metrics import CONSUMER_EVENTS, CONSUMER_PENDING, CONSUMER_REDELIVERIES
from servicekit.tenancy import TenantScope

log = logging.getLogger(__name__)
tracer = trace.get_tracer("servicekit.events")

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


class UnhandleableEvent(Exception):
    """An event that no retry can make handleable (no handler, data outside its contract)."""


def raise_if_cancelling() -> None:
    """Re-raise a cancellation that a library turned into another exception.

    nats-py's ``fetch`` can answer a cancelled wait with its own TimeoutError; a loop that
    retries on timeouts would then never stop, and the service would not exit on SIGTERM.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


PENDING_SAMPLE_SECONDS = 10.0
"""How often a consumer samples its lag from JetStream for the metrics."""

ACK_WAIT = 10.0
"""Seconds JetStream waits for an acknowledgement before it redelivers: a consumer killed with
messages in hand gets them back (here or on another replica) this soon. A handler still at work
past half of it tells JetStream so (``in_progress``), so a slow event is not redelivered while it
is being handled."""


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
        concurrency: int = 1,
        ack_wait: float = ACK_WAIT,
    ) -> None:
        super().__init__()
        self.ack_wait = ack_wait
        self.parked = inbox.metadata.tables.get(PARKED)
        self.name = name
        self.subjects = [subject_for(t) for t in event_types]
        self.handler = handler
        self.database = database
        self.bus = bus
        self.inbox = inbox
        self.max_deliver = max_deliver
        self.batch = batch
        self.concurrency = max(1, concurrency)

    async def run(self) -> None:
        while not self.stopping:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                raise_if_cancelling()
                log.warning("consumer %s: %s; resubscribing", self.name, describe(exc))
                await self.pause(1.0)

    async def _consume(self) -> None:
        js = await self.bus.ready()
        config = ConsumerConfig(
            durable_name=self.name,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            filter_subjects=self.subjects,
            max_deliver=-1,  # parking after ``self.max_deliver`` is decided here
            ack_wait=self.ack_wait,
        )
        await js.add_consumer(STREAM, config)
        sub = await js.pull_subscribe_bind(durable=self.name, stream=STREAM)
        sampled_at = 0.0
        while not self.stopping:
            if time.monotonic() - sampled_at >= PENDING_SAMPLE_SECONDS:
                sampled_at = time.monotonic()
                info = await js.consumer_info(STREAM, self.name)
                CONSUMER_PENDING.labels(self.name).set(
                    (info.num_pending or 0) + (info.num_ack_pending or 0)
                )
            try:
                messages = await sub.fetch(self.batch, timeout=1)
            except NatsTimeoutError:
                raise_if_cancelling()
                continue
            if self.concurrency == 1:
                for msg in messages:
                    if self.stopping:
                        await msg.nak()  # (to another replica at once, not after ack_wait)
                        continue
                    await self._handle(msg, self._parse(msg))
            else:
                await self._handle_in_lanes(messages)

    @staticmethod
    def _parse(msg: Msg) -> Envelope | InvalidEnvelope:
        try:
            return Envelope.from_json(msg.data)
        except InvalidEnvelope as exc:
            return exc

    async def _handle_in_lanes(self, messages: Sequence[Msg]) -> None:
        """One lane per aggregate, in the order fetched; at most ``concurrency`` at once."""
        lanes: dict[str, list[tuple[Msg, Envelope | InvalidEnvelope]]] = {}
        for msg in messages:
            parsed = self._parse(msg)
            key = parsed.subject if isinstance(parsed, Envelope) else f"poison:{id(msg)}"
            lanes.setdefault(key, []).append((msg, parsed))
        gate = asyncio.Semaphore(self.concurrency)

        async def lane(items: list[tuple[Msg, Envelope | InvalidEnvelope]]) -> None:
            async with gate:
                for msg, parsed in items:
                    if self.stopping:  # a stop ends the batch here: the rest go back at once
                        await msg.nak()
                        continue
                    await self._handle(msg, parsed)

        results = await asyncio.gather(
            *(lane(items) for items in lanes.values()), return_exceptions=True
        )
        for result in results:  # (a lost connection to NATS: every lane has finished first)
            if isinstance(result, BaseException):
                raise result

    async def _handle(self, msg: Msg, parsed: Envelope | InvalidEnvelope) -> None:
        deliveries = msg.metadata.num_delivered
        if deliveries > 1:
            CONSUMER_REDELIVERIES.labels(self.name).inc()
        if isinstance(parsed, InvalidEnvelope):
            log.error(
                "consumer %s: parking poison message on %s: %s", self.name, msg.subject, parsed
            )
            await self._park(msg, None, f"not a Concord event: {parsed}")
            return
        envelope = parsed
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
            heartbeat = asyncio.create_task(self._keep_in_progress(msg, self.ack_wait / 2))
            try:
                try:
                    handled = await self.handle(envelope)
                finally:
                    heartbeat.cancel()
                span.set_attribute("concord.event.duplicate", not handled)
                CONSUMER_EVENTS.labels(self.name, "handled" if handled else "duplicate").inc()
            except UnhandleableEvent as exc:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, str(exc)))
                log.error("consumer %s: parking event %s: %s", self.name, envelope.id, exc)
                await self._park(msg, envelope, describe(exc))
                return
            except Exception as exc:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, str(exc)))
                if deliveries >= self.max_deliver and not is_unavailable(exc):
                    log.error(
                        "consumer %s: parking event %s after %d deliveries: %s",
                        self.name,
                        envelope.id,
                        deliveries,
                        describe(exc),
                    )
                    await self._park(msg, envelope, describe(exc))
                else:
                    log.warning(
                        "consumer %s: event %s failed (%s); retrying",
                        self.name,
                        envelope.id,
                        describe(exc),
                    )
                    CONSUMER_EVENTS.labels(self.name, "retried").inc()
                    await msg.nak(delay=retry_delay(deliveries))
                return
        await msg.ack_sync()

    async def _park(self, msg: Msg, envelope: Envelope | None, error: str) -> None:
        """Keep a message that can never be handled (a dead letter), then take it off the
        stream's redelivery. If it cannot be kept (the database is down) it is given back to
        be tried again later: nothing is dropped unrecorded."""
        CONSUMER_EVENTS.labels(self.name, "parked").inc()
        if self.parked is not None:
            try:
                async with self.database.transaction(TenantScope.everything()) as session:
                    await session.execute(
                        insert(self.parked).values(
                            id=uuid.uuid4(),
                            consumer=self.name,
                            event_id=envelope.id if envelope else None,
                            alliance_id=envelope.alliance_id if envelope else None,
                            event_type=envelope.type if envelope else None,
                            subject=msg.subject,
                            payload=msg.data.decode("utf-8", "replace").replace("\x00", "\ufffd"),
                            error=error[:4000],
                            deliveries=msg.metadata.num_delivered,
                        )
                    )
            except Exception as exc:
                log.error("consumer %s: could not park a message: %s", self.name, describe(exc))
                await msg.nak(delay=30.0)
                return
        await msg.term()

    @staticmethod
    async def _keep_in_progress(msg: Msg, every: float) -> None:
        """While a handler works past half the ack wait, tell JetStream it is still at it."""
        while True:
            await asyncio.sleep(every)
            try:
                await msg.in_progress()
            except Exception as exc:  # the connection is gone: redelivery will follow anyway
                log.warning("in-progress signal for %s failed: %s", msg.subject, describe(exc))
                return

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
