"""Official holiday schedules and deadline counting in the API (translation only:
``membership.calendars`` validates, stores and counts)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from charter import schedules
from charter.calendars import Basis, Due
from charter.ids import DeadlineUnit
from membership import calendars
from servicekit.graphql import Info

strawberry.enum(DeadlineUnit, description="How a charter period is counted.")
strawberry.enum(Basis, name="CalendarBasis", description="What a calendar year is counted from.")


@strawberry.type(description="A day of a schedule: a holiday or a make-up working day (调休).")
class ScheduleDay:
    date: date
    name: str
    name_en: str

    @classmethod
    def of(cls, day: schedules.ScheduleDay) -> ScheduleDay:
        return cls(date=day.date, name=day.name.zh, name_en=day.name.en)


@strawberry.type(
    description="An official holiday schedule of a country and year (for China the State "
    "Council's notice with its make-up working days), as the platform operator loaded it."
)
class CalendarSchedule:
    id: strawberry.ID
    country: str
    year: int
    version: int
    reference: str = strawberry.field(description="the notice, e.g. 国办发明电〔2026〕N号")
    url: str | None
    published_on: date | None
    holidays: list[ScheduleDay]
    workdays: list[ScheduleDay] = strawberry.field(
        description="make-up working days: weekend days that are worked"
    )
    current: bool = strawberry.field(
        description="whether this is the version that counts (the highest of its year)"
    )
    newly_loaded: bool = strawberry.field(
        description="false when the same file had been loaded before (nothing changed)"
    )
    loaded_by: str
    loaded_at: datetime

    @classmethod
    def of(cls, stored: calendars.StoredSchedule) -> CalendarSchedule:
        s, row = stored.schedule, stored.row
        return cls(
            id=strawberry.ID(str(row["id"])),
            country=s.country,
            year=s.year,
            version=s.version,
            reference=s.source.reference,
            url=s.source.url,
            published_on=s.source.published_on,
            holidays=[
                ScheduleDay(date=d.date, name=d.name.zh, name_en=d.name.en) for d in s.holidays
            ],
            workdays=[
                ScheduleDay(date=d.date, name=d.name.zh, name_en=d.name.en) for d in s.workdays
            ],
            current=stored.current,
            newly_loaded=stored.newly_loaded,
            loaded_by=row["loaded_by"],
            loaded_at=row["loaded_at"],
        )


@strawberry.type(description="What one calendar year of a count was based on.")
class CalendarYearBasis:
    year: int
    basis: Basis
    reference: str = strawberry.field(description="the schedule's notice, or the package used")
    version: int | None
    provisional: bool


@strawberry.type(description="Why a due date is provisional, in both languages.")
class DueReason:
    zh: str
    en: str


@strawberry.type(
    description="A period counted on a calendar (Civil Code Art.201 and 203: the start day is "
    "not counted; a period in days ending on a holiday ends on the next working day; working "
    "days count make-up working days). Provisional when a year it spans has no official "
    "schedule loaded yet (weekends and statutory holidays only, no make-up working days)."
)
class DueDate:
    due_on: date
    start_on: date
    n: int
    unit: DeadlineUnit
    calendar: str
    provisional: bool
    provisional_reason: DueReason | None
    bases: list[CalendarYearBasis]

    @classmethod
    def of(cls, due: Due) -> DueDate:
        return cls(
            due_on=due.on,
            start_on=due.start,
            n=due.n,
            unit=due.unit,
            calendar=due.calendar,
            provisional=due.provisional,
            provisional_reason=DueReason(zh=due.reason.zh, en=due.reason.en)
            if due.reason
            else None,
            bases=[
                CalendarYearBasis(
                    year=b.year,
                    basis=b.basis,
                    reference=b.reference,
                    version=b.version,
                    provisional=b.provisional,
                )
                for b in due.bases
            ],
        )


@strawberry.type
class CalendarQuery:
    @strawberry.field(
        description="The official holiday schedules loaded, every version (filter by country "
        "and year)."
    )
    async def calendar_schedules(
        self, info: Info, country: str | None = None, year: int | None = None
    ) -> list[CalendarSchedule]:
        async with info.context.tx.use() as session:
            found = await calendars.listed(session, country=country, year=year)
        return [CalendarSchedule.of(s) for s in found]

    @strawberry.field(
        description="When a period ends, counted on a calendar (CN, or an ASEAN member's) with "
        "the official schedules loaded; provisional, with the reason, past them."
    )
    async def due_date(
        self,
        info: Info,
        calendar: str,
        start_on: date,
        n: int,
        unit: DeadlineUnit,
    ) -> DueDate:
        async with info.context.tx.use() as session:
            due = await calendars.count_due(
                session, calendar=calendar, start=start_on, n=n, unit=unit
            )
        return DueDate.of(due)


async def load_calendar_schedule(info: Info, schedule: str) -> CalendarSchedule:
    async with info.context.tx.use() as session:
        stored = await calendars.load(session, info.context.principal, schedule)
    return CalendarSchedule.of(stored)
