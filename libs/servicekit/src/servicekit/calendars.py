"""The official holiday schedules a service counts deadlines on, kept in its own table.

Membership stores each schedule the platform operator loads and publishes
``membership.calendar.schedule_loaded``; every other service that counts deadlines keeps a copy
from that event in the same table shape (no service reads another's database). The table is
platform-wide (a country's holidays belong to no alliance), so it has no tenant policy.

:class:`StoredSchedules` turns the table into the ``charter.calendars.ScheduleBook`` that
``get_calendar`` counts on. Each replica of a service keeps the book in memory and rereads the
table when its mark (row count, newest position and time: one statement) has changed, so a
schedule that another replica received is counted on here from the next deadline on.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from charter.calendars import Calendar, ScheduleBook, get_calendar
from charter.schedules import Schedule

TABLE = "calendar_schedules"


def schedule_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        TABLE,
        metadata,
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", JSONB, nullable=False),
        sa.Column("loaded_by", sa.Text, nullable=False),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("position", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.UniqueConstraint("country", "year", "version"),
    )


def create_table_ops() -> None:
    """The migration step that creates the table (same shape as :func:`schedule_table`)."""
    from alembic import op

    op.create_table(
        TABLE,
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("loaded_by", sa.Text(), nullable=False),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("position", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint(
            "country", "year", "version", name=op.f(f"uq_{TABLE}_country_year_version")
        ),
    )


def drop_table_ops() -> None:
    from alembic import op

    op.drop_table(TABLE)


def schedule_id(schedule: Schedule) -> uuid.UUID:
    """Stable for a country, year and version, alike in every service."""
    return uuid.uuid5(
        uuid.NAMESPACE_URL,
        f"concord:calendar:{schedule.country}:{schedule.year}:v{schedule.version}",
    )


class StoredSchedules:
    """A service's schedules: kept in its table, counted on through an in-memory book."""

    def __init__(self, table: sa.Table) -> None:
        self.table = table
        self._book = ScheduleBook()
        self._mark: tuple[Any, ...] | None = None
        self._calendars: dict[str, Calendar] = {}

    async def keep(
        self, session: AsyncSession, schedule: Schedule, *, loaded_by: str
    ) -> dict[str, Any] | None:
        """Store a schedule; the stored row (None: this version was already there)."""
        row = await session.execute(
            insert(self.table)
            .values(
                id=schedule_id(schedule),
                country=schedule.country,
                year=schedule.year,
                version=schedule.version,
                document=schedule.to_data(),
                loaded_by=loaded_by,
            )
            .on_conflict_do_nothing()
            .returning(*self.table.c)
        )
        found = row.mappings().one_or_none()
        return dict(found) if found else None

    async def stored(self, session: AsyncSession, schedule: Schedule) -> dict[str, Any] | None:
        c = self.table.c
        row = await session.execute(
            sa.select(*c).where(
                c.country == schedule.country,
                c.year == schedule.year,
                c.version == schedule.version,
            )
        )
        found = row.mappings().one_or_none()
        return dict(found) if found else None

    async def book(self, session: AsyncSession) -> ScheduleBook:
        c = self.table.c
        mark = tuple(
            (await session.execute(sa.select(sa.func.count(), sa.func.max(c.position)))).one()
        )
        if mark != self._mark:
            documents = await session.scalars(sa.select(c.document).order_by(c.position))
            self._book = ScheduleBook(Schedule.model_validate(d) for d in documents)
            self._calendars = {}
            self._mark = mark
        return self._book

    async def calendar(self, session: AsyncSession, code: str) -> Calendar:
        book = await self.book(session)
        found = self._calendars.get(code)
        if found is None:
            found = self._calendars[code] = get_calendar(code, book)
        return found
