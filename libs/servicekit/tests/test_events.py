"""The outbox relay and the consumers against a real PostgreSQL and JetStream."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import nats
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Event
from devkit.local.provision import ServiceDatabase
from devkit.testing.events import event, eventually, publish
from devkit.testing.handles import PostgresHandle
from servicekit.app import ConsumerSpec
from servicekit.db import Database, metadata
from servicekit.events import Envelope, record
from servicekit.events.bus import EventBus, ensure_stream
from servicekit.events.consumer import EventConsumer
from servicekit.events.parked import listed, replay
from servicekit.events.relay import OutboxRelay
from servicekit.events.tables import PARKED, event_table_policies, event_tables
from servicekit.tenancy import TenantScope

META = metadata()
OUTBOX, INBOX = event_tables(META)
ALLIANCE = uuid.uuid4()


@pytest.fixture(scope="module")
async def database(postgres: PostgresHandle) -> AsyncIterator[Database]:
    provisioned: ServiceDatabase = postgres.fresh_database("eventstest")
    owner = Database(provisioned.migration_url)
    async with owner.engine.begin() as conn:
        await conn.run_sync(META.create_all)
        for statement in event_table_policies():
            await conn.execute(sa.text(statement))
    await owner.dispose()
    db = Database(provisioned.app_url)
    yield db
    await db.dispose()


@pytest.fixture
async def bus(nats_url: str) -> AsyncIterator[EventBus]:
    events_bus = EventBus(nats_url, name="events-test")
    events_bus.start()
    await events_bus.ready()
    yield events_bus
    await events_bus.close()


async def test_a_rolled_back_change_leaves_no_event(database: Database) -> None:
    marker = f"rolled-back-{uuid.uuid4()}"
    with pytest.raises(RuntimeError):
        async with database.transaction(TenantScope.of(ALLIANCE)) as session:
            await record(
                session,
                OUTBOX,
                source="/t",
                type="test.rolled_back",
                subject=marker,
                data={},
                alliance_id=ALLIANCE,
            )
            raise RuntimeError("the change failed after its event was recorded")
    async with database.transaction(TenantScope.everything()) as session:
        assert (
            await session.scalar(
                sa.select(sa.func.count())
                .select_from(OUTBOX)
                .where(OUTBOX.c.envelope["subject"].astext == marker)
            )
            == 0
        )


async def test_the_outbox_is_unreadable_outside_the_relay(database: Database) -> None:
    async with database.transaction(TenantScope.of(ALLIANCE)) as session:
        await record(
            session,
            OUTBOX,
            source="/t",
            type="test.private",
            subject="s",
            data={},
            alliance_id=ALLIANCE,
        )
        assert await session.scalar(sa.select(sa.func.count()).select_from(OUTBOX)) == 0
    with pytest.raises(sa.exc.DBAPIError):  # a request may not write another alliance's events
        async with database.transaction(TenantScope.of(ALLIANCE)) as session:
            await record(
                session,
                OUTBOX,
                source="/t",
                type="test.foreign",
                subject="s",
                data={},
                alliance_id=uuid.uuid4(),
            )


async def test_two_relays_publish_every_event_exactly_once(
    database: Database, bus: EventBus, nats_url: str
) -> None:
    kind = f"test.relay{uuid.uuid4().hex[:8]}"
    relays = [OutboxRelay(database, bus, OUTBOX, batch_size=7) for _ in range(2)]

    async def drain(relay: OutboxRelay) -> int:
        sent = 0
        while n := await relay.relay_once():
            sent += n
        return sent

    await drain(relays[0])  # what earlier tests left
    async with database.transaction(TenantScope.of(ALLIANCE)) as session:
        for n in range(300):
            await record(
                session,
                OUTBOX,
                source="/t",
                type=kind,
                subject=str(n),
                data={"n": n},
                alliance_id=ALLIANCE,
            )
    sent = await asyncio.gather(*(drain(r) for r in relays))
    assert sum(sent) == 300 and all(sent), sent  # both worked, neither sent a row twice
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        info = await js.stream_info("CONCORD", subjects_filter=f"concord.{kind}")
        assert info.state.subjects == {f"concord.{kind}": 300}
    finally:
        await nc.close()


async def test_consumers_skip_poison_and_retry_failures(
    database: Database, bus: EventBus, nats_url: str
) -> None:
    kind = f"test.consume{uuid.uuid4().hex[:8]}"
    handled: list[int] = []
    attempts: dict[int, int] = {}

    async def handler(session: AsyncSession, envelope: Envelope) -> None:
        n = envelope.data["n"]
        attempts[n] = attempts.get(n, 0) + 1
        if n == 2 and attempts[n] < 3:
            raise RuntimeError("a passing failure")
        handled.append(n)

    consumer = EventConsumer(
        name=f"test-{kind.split('.')[1]}",
        event_types=[kind],
        handler=handler,
        database=database,
        bus=bus,
        inbox=INBOX,
    )
    task = asyncio.create_task(consumer.run())
    try:
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        await ensure_stream(js)
        await js.publish(f"concord.{kind}", b"not an event at all")
        await nc.close()
        await publish(nats_url, *(event(kind, {"n": n}, alliance_id=ALLIANCE) for n in (1, 2, 3)))
        assert await eventually(lambda: _done(handled, 3), within=15)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert sorted(handled) == [1, 2, 3]
    assert attempts[2] == 3  # retried after two failures (nak with backoff), then handled once
    assert task.cancelled()  # and it stops when asked


async def test_a_slow_handler_is_not_redelivered_and_a_lost_one_comes_back_within_the_ack_wait(
    database: Database, bus: EventBus, nats_url: str
) -> None:
    kind = f"test.slow{uuid.uuid4().hex[:8]}"
    attempts: list[int] = []
    release = asyncio.Event()

    async def handler(session: AsyncSession, envelope: Envelope) -> None:
        attempts.append(envelope.data["n"])
        if envelope.data["n"] == 1:
            await asyncio.sleep(3.0)  # past the 2 s ack wait: kept alive by in-progress signals
        elif len(attempts) == 2:
            await release.wait()  # the first consumer of event 2 is lost with it in hand

    def consumer() -> EventConsumer:
        return EventConsumer(
            name=f"test-{kind.split('.')[1]}",
            event_types=[kind],
            handler=handler,
            database=database,
            bus=bus,
            inbox=INBOX,
            ack_wait=2.0,
        )

    first = asyncio.create_task(consumer().run())
    second: asyncio.Task[None] | None = None
    try:
        await publish(nats_url, event(kind, {"n": 1}, alliance_id=ALLIANCE))
        await asyncio.sleep(4.5)
        assert attempts == [1]  # handled once, never redelivered while it was being handled
        await publish(nats_url, event(kind, {"n": 2}, alliance_id=ALLIANCE))
        assert await eventually(lambda: _done(attempts, 2), within=5)
        first.cancel()  # lost with event 2 in hand: neither acknowledged nor given back
        await asyncio.gather(first, return_exceptions=True)
        lost_at = asyncio.get_running_loop().time()
        second = asyncio.create_task(consumer().run())
        assert await eventually(lambda: _done(attempts, 3), within=10)
        assert asyncio.get_running_loop().time() - lost_at < 2.0 + 3.0  # the ack wait, not 30 s
    finally:
        release.set()
        for task in (first, second):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
    assert attempts == [1, 2, 2]


async def test_an_event_that_keeps_failing_is_parked_with_its_error_and_replayed_once_fixed(
    database: Database, bus: EventBus, nats_url: str
) -> None:
    kind = f"test.parked{uuid.uuid4().hex[:8]}"
    fixed = asyncio.Event()
    handled: list[int] = []

    async def handler(session: AsyncSession, envelope: Envelope) -> None:
        if not fixed.is_set():
            raise KeyError("no such thing")
        handled.append(envelope.data["n"])

    consumer = EventConsumer(
        name=f"test-{kind.split('.')[1]}",
        event_types=[kind],
        handler=handler,
        database=database,
        bus=bus,
        inbox=INBOX,
        max_deliver=2,
    )
    parked_table = META.tables[PARKED]

    async def parked_of_kind() -> list[dict[str, object]]:
        rows = await listed(database, parked_table)
        return [r for r in rows if r["subject"] == f"concord.{kind}"]

    async def two_parked() -> list[dict[str, object]] | None:
        rows = await parked_of_kind()
        return rows if len(rows) == 2 else None

    task = asyncio.create_task(consumer.run())
    try:
        nc = await nats.connect(nats_url)
        await nc.jetstream().publish(f"concord.{kind}", b"\x00 not an event")
        await nc.close()
        failing = event(kind, {"n": 7}, alliance_id=ALLIANCE)
        await publish(nats_url, failing)
        rows = await eventually(two_parked, within=15)
        by_kind = {r["event_type"]: r for r in rows}
        assert by_kind[None]["error"].startswith("not a Concord event")  # type: ignore[union-attr]
        parked = by_kind[kind]
        assert parked["event_id"] == failing.id and parked["deliveries"] == 2
        assert parked["error"] == "KeyError: 'no such thing'"
        assert handled == []

        fixed.set()
        outcomes = await replay(
            database,
            parked_table,
            nats_url,
            [parked["id"], by_kind[None]["id"]],  # type: ignore[list-item]
        )
        assert sorted(o for _, o in outcomes) == [
            "not a Concord event: cannot be replayed",
            "replayed",
        ]
        assert await eventually(lambda: _done(handled, 1), within=10)
        # Replayed again by mistake: the inbox has it, nothing is handled twice.
        await replay(database, parked_table, nats_url, [parked["id"]])  # type: ignore[list-item]
        await asyncio.sleep(1.0)
        assert handled == [7]
        again = {r["event_type"]: r for r in await parked_of_kind()}[kind]
        assert again["replays"] == 2 and again["replayed_at"] is not None
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_an_event_failing_while_the_database_drops_its_connection_is_retried_not_parked(
    database: Database, bus: EventBus
) -> None:
    """The server ends the handler's own session (as a restart would) more times than the
    consumer's ``max_deliver``: the outage is not the event's fault, so it is retried, never
    parked, and handled once when the database serves again."""
    kind = f"test.dropped{uuid.uuid4().hex[:8]}"
    drops: list[int] = []
    handled: list[int] = []

    async def handler(session: AsyncSession, envelope: Envelope) -> None:
        if len(drops) < 3:
            drops.append(envelope.data["n"])
            await session.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        handled.append(envelope.data["n"])

    consumer = EventConsumer(
        name=f"test-{kind.split('.')[1]}",
        event_types=[kind],
        handler=handler,
        database=database,
        bus=bus,
        inbox=INBOX,
        max_deliver=2,
    )
    task = asyncio.create_task(consumer.run())
    try:
        await publish(bus.url, event(kind, {"n": 5}, alliance_id=ALLIANCE))
        assert await eventually(lambda: _done(handled, 1), within=20)
        assert drops == [5, 5, 5]
        parked = [
            r
            for r in await listed(database, META.tables[PARKED])
            if r["subject"] == f"concord.{kind}"
        ]
        assert parked == []
        await asyncio.sleep(1.0)
        assert handled == [5]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_consumer_in_lanes_keeps_each_aggregates_order_and_handles_each_event_once(
    database: Database, bus: EventBus, nats_url: str
) -> None:
    kind = f"test.lanes{uuid.uuid4().hex[:8]}"
    seen: dict[str, list[int]] = {}
    running = 0
    most_at_once = 0

    async def handler(session: AsyncSession, envelope: Envelope) -> None:
        nonlocal running, most_at_once
        running += 1
        most_at_once = max(most_at_once, running)
        try:
            await session.execute(sa.text("SELECT pg_sleep(0.02)"))
            seen.setdefault(envelope.subject, []).append(envelope.data["n"])
        finally:
            running -= 1

    consumer = EventConsumer(
        name=f"test-{kind.split('.')[1]}",
        event_types=[kind],
        handler=handler,
        database=database,
        bus=bus,
        inbox=INBOX,
        batch=50,
        concurrency=4,
    )
    aggregates = [str(uuid.uuid4()) for _ in range(6)]
    envelopes = [
        event(kind, {"n": n}, alliance_id=ALLIANCE, subject=aggregate)
        for n in range(5)
        for aggregate in aggregates
    ]
    task = asyncio.create_task(consumer.run())
    try:
        await publish(nats_url, *envelopes)
        # The same events again under new message ids: the inbox turns them away.
        for envelope in envelopes[:6]:
            await publish(nats_url, envelope, msg_id=str(uuid.uuid4()))
        assert await eventually(lambda: _done([n for v in seen.values() for n in v], 30), within=20)
        await asyncio.sleep(0.5)  # a duplicate, were it handled, would be by now
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert {a: seen[a] for a in aggregates} == {a: [0, 1, 2, 3, 4] for a in aggregates}
    assert 1 < most_at_once <= 4  # aggregates side by side, never more than the bound


async def _done(handled: list[int], count: int) -> bool:
    return len(handled) >= count


class Counted(Event, type="test.contracts.counted", subject="counter"):
    """A test-only contract (not under ``contracts.``, so it is not exported)."""

    count_value: int


async def test_a_typed_consumer_gets_models_and_terminates_data_outside_the_contract(
    database: Database, bus: EventBus, nats_url: str
) -> None:
    seen: list[Counted] = []
    attempts: list[str] = []

    async def on_counted(session: AsyncSession, event: Counted, envelope: Envelope) -> None:
        attempts.append(str(envelope.id))
        seen.append(event)

    spec = ConsumerSpec(name=f"test-typed-{uuid.uuid4().hex[:6]}", handlers={Counted: on_counted})
    assert spec.subscribed_types == ["test.contracts.counted"]
    consumer = EventConsumer(
        name=spec.name,
        event_types=spec.subscribed_types,
        handler=spec.dispatch,
        database=database,
        bus=bus,
        inbox=INBOX,
    )
    task = asyncio.create_task(consumer.run())
    try:
        await publish(
            nats_url,
            event(Counted.TYPE, {"countValue": "not a number"}, alliance_id=ALLIANCE),
            event(Counted.TYPE, Counted(count_value=7).to_data(), alliance_id=ALLIANCE),
        )
        assert await eventually(lambda: _done(seen, 1), within=15)
        await asyncio.sleep(1.5)  # a nak'd poison message would be back by now
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert seen == [Counted(count_value=7)]
    assert len(attempts) == 1  # the misfit was terminated before its handler, never retried
