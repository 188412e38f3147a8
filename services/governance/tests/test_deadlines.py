"""Charter deadlines counted on the alliance's calendar, provisional past the loaded schedules,
recounted and announced when a year's official schedule arrives (AITISA Art.4(2): the
secretariat answers within 10 working days; Civil Code Art.201 and 203)."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import asyncpg
import pytest

from charter.schedules import parse_schedule_text
from contracts.membership import CalendarScheduleLoaded
from devkit.local.provision import ServiceDatabase
from devkit.testing.calendars import made_up_schedule_text
from devkit.testing.events import eventually, handled, publish
from devkit.testing.subgraph import SubgraphClient
from governance import deadlines
from servicekit.calendars import schedule_id
from servicekit.db import Database
from servicekit.errors import DomainError
from servicekit.events import Envelope
from servicekit.tenancy import TenantScope
from services.governance.tests.support import World

YEAR = 2031
"""This module's made-up schedule year (``devkit.testing.calendars``: a year per module)."""


def loaded_event(text: str) -> Envelope:
    schedule = parse_schedule_text(text)
    model = CalendarScheduleLoaded(
        schedule_id=schedule_id(schedule),
        country=schedule.country,
        year=schedule.year,
        version=schedule.version,
        schedule=schedule.to_data(),
        loaded_by="operator",
    )
    return Envelope(
        type=model.TYPE,
        source="/concord/membership",
        subject=str(model.schedule_id),
        data=model.to_data(),
        alliance_id=None,
    )


async def open_answer(db: Database, world: World, start: date) -> Any:
    subject = uuid.uuid4()
    async with db.transaction(TenantScope.of(world.id)) as session:
        row = await deadlines.open_deadline(
            session,
            alliance_id=world.id,
            subject_type="working_group_application",
            subject_id=subject,
            deadline="creation_answer",
            start_on=start,
            title_zh="答复推进组设立申请",
            title_en="Answer the application to found a working group",
            recipient_roles=["secretariat"],
        )
        return row.id, row.due_on, row.provisional, subject


async def connect(dsn: str) -> asyncpg.Connection:
    """A connection that reads every alliance's rows (the outbox is the relay's to read)."""
    conn = await asyncpg.connect(dsn)
    await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
    return conn


async def events_of(dsn: str, deadline_id: uuid.UUID) -> list[str]:
    conn = await connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT type FROM outbox WHERE envelope->>'subject' = $1 ORDER BY position",
            str(deadline_id),
        )
    finally:
        await conn.close()
    return [r["type"] for r in rows]


@pytest.fixture
async def db(governance_db: ServiceDatabase) -> Any:
    database = Database(governance_db.app_url)
    yield database
    await database.dispose()


async def test_a_provisional_deadline_moves_when_its_years_schedule_is_loaded(
    governance: SubgraphClient, governance_db: ServiceDatabase, nats_url: str, db: Database
) -> None:
    world = World(governance, nats_url, f"aitisa-{uuid.uuid4().hex[:6]}", "aitisa")
    await world.adopt()
    # From 14 January 2031, 10 working days: provisionally 3 February, counted on the statutory
    # Spring Festival (eve 22 January); on the year's schedule (six days off from the eve, the
    # Sunday 19 January worked) 31 January.
    moving, due, provisional, _ = await open_answer(db, world, date(2031, 1, 14))
    assert (due, provisional) == (date(2031, 2, 3), True)
    # From 2 June 2031: 16 June either way (no day of the schedule in between): confirmed.
    kept, due, provisional, _ = await open_answer(db, world, date(2031, 6, 2))
    assert (due, provisional) == (date(2031, 6, 16), True)
    # Within 2026 (the package's data): never provisional, untouched by 2031's schedule.
    settled, due, provisional, _ = await open_answer(db, world, date(2026, 9, 28))
    assert provisional is False

    first = loaded_event(made_up_schedule_text(YEAR))
    await publish(nats_url, first)

    async def moved() -> bool:
        return "governance.deadline.moved" in await events_of(governance_db.migration_dsn, moving)

    await eventually(moved)
    assert await events_of(governance_db.migration_dsn, moving) == [
        "governance.deadline.opened",
        "governance.deadline.moved",
    ]
    assert await events_of(governance_db.migration_dsn, kept) == [
        "governance.deadline.opened",
        "governance.deadline.confirmed",
    ]
    assert await events_of(governance_db.migration_dsn, settled) == ["governance.deadline.opened"]
    conn = await connect(governance_db.migration_dsn)
    try:
        row = await conn.fetchrow(
            "SELECT due_on, provisional, moved_from, provisional_reason FROM deadlines"
            " WHERE id = $1",
            moving,
        )
        moved_event = await conn.fetchval(
            "SELECT envelope FROM outbox WHERE envelope->>'subject' = $1 AND type = $2",
            str(moving),
            "governance.deadline.moved",
        )
    finally:
        await conn.close()
    assert (row["due_on"], row["provisional"], row["moved_from"]) == (
        date(2031, 1, 31),
        False,
        date(2031, 2, 3),
    )
    assert row["provisional_reason"] is None
    data = json.loads(moved_event)["data"]
    assert (data["dueOn"], data["previousDueOn"], data["rule"]) == (
        "2031-01-31",
        "2031-02-03",
        "AITISA Art.4(2)",
    )
    assert data["schedule"].startswith("CN 2031 v1")

    # The same schedule loaded again (another event) changes nothing and announces nothing twice.
    again = loaded_event(made_up_schedule_text(YEAR))
    await publish(nats_url, again)

    await eventually(
        lambda: handled(governance_db.migration_dsn, "governance-calendars", first, again)
    )
    _, due, provisional, _ = await open_answer(db, world, date(2031, 1, 14))
    assert (due, provisional) == (date(2031, 1, 31), False)  # counted on the schedule from now on
    assert (await events_of(governance_db.migration_dsn, moving)).count(
        "governance.deadline.moved"
    ) == 1


async def test_a_window_is_open_on_its_last_day_and_closed_the_day_after(
    governance: SubgraphClient, nats_url: str, db: Database
) -> None:
    world = World(governance, nats_url, f"aitisa-{uuid.uuid4().hex[:6]}", "aitisa")
    await world.adopt()
    _, due, _, subject = await open_answer(db, world, date(2026, 9, 28))
    async with db.transaction(TenantScope.of(world.id)) as session:
        await deadlines.require_open(
            session, subject_id=subject, deadline="creation_answer", on=due
        )
        with pytest.raises(DomainError) as refused:
            await deadlines.require_open(
                session,
                subject_id=subject,
                deadline="creation_answer",
                on=date.fromordinal(due.toordinal() + 1),
            )
    assert refused.value.code == "WINDOW_CLOSED"
    assert "AITISA Art.4(2)" in refused.value.message
