"""The charter deadlines of governance's matters (the one writer of ``deadlines``).

A matter opens a deadline by the charter's id for it (AITISA ``creation_answer``: the
secretariat answers an application to found a working group within 10 working days, Art.4(2));
the period comes from the alliance's charter in force and is counted on the alliance's calendar
(``charter.calendar.default_calendar`` unless the deadline names its own) with the official
schedules governance has received (Civil Code Art.201 and 203: the start day is not counted; a
period in working days counts make-up working days). A year whose schedule nobody has loaded is
counted provisionally (weekends and statutory holidays, no make-up days) and says so.

When a schedule arrives (``membership.calendar.schedule_loaded``), every open provisional
deadline on that country's calendar is recounted: one whose date changed is announced
(``governance.deadline.moved``), one that kept it is confirmed (``governance.deadline.confirmed``).
Notifications reminds the people concerned from these events.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from charter.calendars import Due
from charter.errors import CharterError
from charter.schedules import Schedule
from contracts.governance import (
    DeadlineClosed,
    DeadlineConfirmed,
    DeadlineEvent,
    DeadlineMoved,
    DeadlineOpened,
    DeadlineReason,
)
from contracts.membership import CalendarScheduleLoaded
from governance import charters
from governance.models import SOURCE, Deadline, KnownAlliance, calendar_schedules, outbox
from servicekit.calendars import StoredSchedules
from servicekit.errors import DomainError
from servicekit.events import Envelope, record_event
from servicekit.queries import grouped
from servicekit.tenancy import TenantScope, apply_scope

SCHEDULES = StoredSchedules(calendar_schedules)
"""The official schedules governance counts on (kept from membership's events)."""

OPEN = "open"
OUTCOMES = ("met", "cancelled")


def deadline_id(subject_id: uuid.UUID, deadline: str) -> uuid.UUID:
    return uuid.uuid5(subject_id, f"deadline:{deadline}")


async def open_deadline(
    session: AsyncSession,
    *,
    alliance_id: uuid.UUID,
    subject_type: str,
    subject_id: uuid.UUID,
    deadline: str,
    start_on: date,
    title_zh: str,
    title_en: str,
    recipient_roles: Sequence[str] = (),
    recipient_users: Sequence[str] = (),
) -> Deadline:
    """Open the charter deadline ``deadline`` of a matter, counted from ``start_on``.

    Opening it again for the same matter returns the one already open (a command retried).
    """
    found = await session.scalar(
        sa.select(Deadline).where(Deadline.subject_id == subject_id, Deadline.deadline == deadline)
    )
    if found is not None:
        return found
    _, document = await charters.in_force(session, alliance_id)
    rule = document.deadlines.get(deadline)
    if rule is None:
        raise DomainError(f"the charter sets no deadline {deadline!r}", code="NO_SUCH_DEADLINE")
    code = rule.calendar or document.calendar.default_calendar
    try:
        due = (await SCHEDULES.calendar(session, code)).due(start_on, rule.n, rule.unit)
    except CharterError as exc:  # beyond every calendar (past 2099): the caller's date is wrong
        raise DomainError(str(exc), code="DEADLINE_OUT_OF_RANGE") from exc
    row = Deadline(
        id=deadline_id(subject_id, deadline),
        alliance_id=alliance_id,
        subject_type=subject_type,
        subject_id=subject_id,
        deadline=deadline,
        rule=rule.source,
        title_zh=title_zh,
        title_en=title_en,
        start_on=start_on,
        n=rule.n,
        unit=str(rule.unit),
        calendar=code,
        status=OPEN,
        recipient_roles=sorted(set(recipient_roles)),
        recipient_users=sorted(set(recipient_users)),
        **_counted(due),
    )
    session.add(row)
    await session.flush()
    await _publish(session, DeadlineOpened, row)
    return row


async def close_deadline(
    session: AsyncSession, *, subject_id: uuid.UUID, deadline: str, outcome: str = "met"
) -> Deadline | None:
    """The matter was answered (``met``) or withdrawn (``cancelled``): no more reminders."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    row = await session.scalar(
        sa.select(Deadline)
        .where(Deadline.subject_id == subject_id, Deadline.deadline == deadline)
        .with_for_update()
    )
    if row is None or row.status != OPEN:
        return row
    row.status = outcome
    row.closed_at = datetime.now(UTC)
    await session.flush()
    await _publish(session, DeadlineClosed, row, outcome=outcome)
    return row


async def require_open(
    session: AsyncSession, *, subject_id: uuid.UUID, deadline: str, on: date
) -> Deadline:
    """The deadline's window still runs on ``on`` (its due date included), or a typed error."""
    row = await session.scalar(
        sa.select(Deadline).where(Deadline.subject_id == subject_id, Deadline.deadline == deadline)
    )
    if row is None:
        raise DomainError(f"no {deadline} window is open for this matter", code="WINDOW_CLOSED")
    if on > row.due_on:
        raise DomainError(
            f"the window closed on {row.due_on.isoformat()} ({row.rule}: {row.n} "
            f"{'working days' if row.unit == 'working_days' else 'days'} from "
            f"{row.start_on.isoformat()})",
            code="WINDOW_CLOSED",
            due_on=row.due_on.isoformat(),
            rule=row.rule,
        )
    return row


async def of_subjects(
    session: AsyncSession, subject_ids: Sequence[uuid.UUID]
) -> list[list[Deadline]]:
    """Each matter's deadlines, oldest first (a DataLoader's batch: one statement)."""
    rows = await session.scalars(
        sa.select(Deadline)
        .where(Deadline.subject_id.in_(set(subject_ids)))
        .order_by(Deadline.start_on, Deadline.deadline)
    )
    return grouped(rows, subject_ids, lambda r: r.subject_id)


# --------------------------------------------------------------------------- schedules


async def on_schedule_loaded(
    session: AsyncSession, event: CalendarScheduleLoaded, envelope: Envelope
) -> None:
    """Keep the schedule, then recount the open provisional deadlines on its calendar."""
    schedule = Schedule.model_validate(event.schedule)
    await SCHEDULES.keep(session, schedule, loaded_by=event.loaded_by)
    book = await SCHEDULES.book(session)
    current = book.current(schedule.country, schedule.year)
    if current is None or current.version != schedule.version:
        return  # an older version arrived late: the one that counts has not changed
    # A country's schedule concerns every alliance that counts on its calendar.
    await apply_scope(session, TenantScope.everything())
    calendar = await SCHEDULES.calendar(session, schedule.country)
    rows = await session.scalars(
        sa.select(Deadline)
        .where(
            Deadline.status == OPEN,
            Deadline.calendar == schedule.country,
            Deadline.provisional.is_(True),
        )
        .order_by(Deadline.created_at)
        .with_for_update()
    )
    slugs: dict[uuid.UUID, str] = {}  # (one lookup per alliance, not per deadline)
    for row in rows:
        recounted = calendar.due(row.start_on, row.n, row.unit)
        if schedule.year not in {b.year for b in recounted.bases}:
            continue  # counted on other years only: this schedule changes nothing
        before = row.due_on
        if row.alliance_id not in slugs:
            slugs[row.alliance_id] = await _slug(session, row.alliance_id)
        for name, value in _counted(recounted).items():
            setattr(row, name, value)
        await session.flush()
        if recounted.on != before:
            row.moved_from = before
            await session.flush()
            await _publish(
                session,
                DeadlineMoved,
                row,
                slugs[row.alliance_id],
                previous_due_on=before,
                schedule=schedule.label,
            )
        else:
            await _publish(
                session, DeadlineConfirmed, row, slugs[row.alliance_id], schedule=schedule.label
            )


# --------------------------------------------------------------------------- helpers


def _counted(due: Due) -> dict[str, object]:
    return {
        "due_on": due.on,
        "provisional": due.provisional,
        "provisional_reason": due.reason.model_dump() if due.reason else None,
    }


async def _slug(session: AsyncSession, alliance_id: uuid.UUID) -> str:
    found = await session.scalar(
        sa.select(KnownAlliance.slug).where(KnownAlliance.id == alliance_id)
    )
    return found or ""


async def _publish(
    session: AsyncSession,
    kind: type[DeadlineEvent],
    row: Deadline,
    slug: str | None = None,
    **extra: object,
) -> None:
    if slug is None:
        slug = await _slug(session, row.alliance_id)
    reason = row.provisional_reason
    event = kind(
        deadline_id=row.id,
        alliance_id=row.alliance_id,
        alliance_slug=slug,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        deadline=row.deadline,
        rule=row.rule,
        title_zh=row.title_zh,
        title_en=row.title_en,
        start_on=row.start_on,
        n=row.n,
        unit=row.unit,
        calendar=row.calendar,
        due_on=row.due_on,
        provisional=row.provisional,
        provisional_reason=DeadlineReason(zh=reason["zh"], en=reason["en"]) if reason else None,
        recipient_roles=list(row.recipient_roles),
        recipient_users=list(row.recipient_users),
        **extra,
    )
    await record_event(
        session, outbox, event, source=SOURCE, subject=row.id, alliance_id=row.alliance_id
    )
