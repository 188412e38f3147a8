"""Official holiday schedules, loaded by the platform operator (the one writer of
``calendar_schedules`` here), and deadlines counted on them.

China's State Council publishes each year's arrangement, with its make-up working days (调休),
in the autumn before; the platform does not wait for a release of the ``holidays`` package.
The operator loads the notice as a schedule file (``charter calendar schema`` prints its JSON
Schema; ``charter calendar check`` validates it offline). Every version is kept; the highest
of a country and year counts. Loading publishes ``membership.calendar.schedule_loaded`` so
every service that counts deadlines recounts its provisional ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from charter.calendars import CALENDAR_CODES, Due
from charter.errors import CharterError
from charter.ids import DeadlineUnit
from charter.schedules import Schedule, ScheduleValidationError, parse_schedule_text
from contracts.membership import CalendarScheduleLoaded
from membership import events
from membership.models import calendar_schedules
from servicekit.auth import Principal
from servicekit.calendars import StoredSchedules, schedule_id
from servicekit.errors import Conflict, DomainError, Forbidden

SCHEDULES = StoredSchedules(calendar_schedules)

MAX_SCHEDULE_BYTES = 256 * 1024
"""A year's notice lists a few dozen days; anything larger is not a schedule."""

MAX_PERIOD = 3660
"""No charter period is longer than ten years of days."""


@dataclass(frozen=True)
class StoredSchedule:
    """A loaded schedule, and whether it is the version that counts for its country and year."""

    schedule: Schedule
    row: dict[str, Any]
    current: bool
    newly_loaded: bool = False


async def load(session: AsyncSession, actor: Principal, text: str) -> StoredSchedule:
    """Validate and keep an official schedule (platform operator); loading the same file again
    changes nothing, another file under a version already loaded is refused."""
    if not actor.operator:
        raise Forbidden("only the platform operator loads official holiday schedules")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SCHEDULE_BYTES:
        raise DomainError(
            f"a schedule file is at most {MAX_SCHEDULE_BYTES // 1024} KiB",
            code="SCHEDULE_TOO_LARGE",
        )
    if "\x00" in text:
        raise DomainError("a schedule file holds no NUL characters", code="INVALID_SCHEDULE")
    try:
        schedule = parse_schedule_text(text)
    except ScheduleValidationError as exc:
        raise DomainError(
            str(exc).splitlines()[0],
            code="INVALID_SCHEDULE",
            problems=[p.model_dump(mode="json") for p in exc.problems],
        ) from None
    stored = await SCHEDULES.stored(session, schedule)
    if stored is not None:
        if stored["document"] != schedule.to_data():
            raise Conflict(
                f"{schedule.country} {schedule.year} version {schedule.version} is loaded "
                "already with other content; load a correction as the next version",
                code="SCHEDULE_VERSION_EXISTS",
            )
        return await _answer(session, schedule, stored, newly_loaded=False)
    row = await SCHEDULES.keep(session, schedule, loaded_by=actor.user_id)
    if row is None:  # loaded by a concurrent request between the two statements
        raise Conflict(
            f"{schedule.label} is being loaded by another request", code="SCHEDULE_VERSION_EXISTS"
        )
    await events.publish(
        session,
        CalendarScheduleLoaded(
            schedule_id=row["id"],
            country=schedule.country,
            year=schedule.year,
            version=schedule.version,
            schedule=schedule.to_data(),
            loaded_by=actor.user_id,
        ),
        subject=schedule_id(schedule),
        alliance_id=None,
    )
    return await _answer(session, schedule, row, newly_loaded=True)


async def listed(
    session: AsyncSession, *, country: str | None = None, year: int | None = None
) -> list[StoredSchedule]:
    """Every loaded version, by country, year and version (one statement, and the book's mark)."""
    c = calendar_schedules.c
    query = sa.select(*c).order_by(c.country, c.year, c.version)
    if country is not None:
        query = query.where(c.country == country.upper())
    if year is not None:
        query = query.where(c.year == year)
    rows = [dict(r) for r in (await session.execute(query)).mappings()]
    book = await SCHEDULES.book(session)
    out = []
    for row in rows:
        schedule = Schedule.model_validate(row["document"])
        current = book.current(schedule.country, schedule.year)
        out.append(
            StoredSchedule(schedule, row, current is not None and current.version == row["version"])
        )
    return out


async def count_due(
    session: AsyncSession, *, calendar: str, start: date, n: int, unit: DeadlineUnit | str
) -> Due:
    """A period counted on a calendar with every loaded schedule (Civil Code Art.201, 203)."""
    code = calendar.upper()
    if code not in CALENDAR_CODES:
        raise DomainError(
            f"unknown calendar {calendar!r} (known: {', '.join(CALENDAR_CODES)})",
            code="UNKNOWN_CALENDAR",
            field="calendar",
        )
    if not 1 <= n <= MAX_PERIOD:
        raise DomainError(
            f"a period is 1 to {MAX_PERIOD} days or working days", code="INVALID_PERIOD", field="n"
        )
    try:
        return (await SCHEDULES.calendar(session, code)).due(start, n, unit)
    except CharterError as exc:  # past the last year any calendar can be counted for
        raise DomainError(str(exc), code="DEADLINE_OUT_OF_RANGE") from exc


async def _answer(
    session: AsyncSession, schedule: Schedule, row: dict[str, Any], *, newly_loaded: bool
) -> StoredSchedule:
    current = (await SCHEDULES.book(session)).current(schedule.country, schedule.year)
    return StoredSchedule(
        schedule,
        row,
        current is not None and current.version == schedule.version,
        newly_loaded,
    )
