"""Deadlines and reminders: a small jobs table, claimed with ``FOR UPDATE SKIP LOCKED``.

Why not ``pgqueuer`` (ARCHITECTURE.md "Jobs"): a job here must be written in the transaction
that handles its event (the SQLAlchemy session of the consumer) and must file its notices in
the transaction that marks it done, under the alliance's row-level security. pgqueuer keeps its
queue in its own tables through its own asyncpg driver, outside both transactions and without
tenant policies: an event could be handled and its reminder lost, or a reminder filed twice.
A table of our own gives both for forty lines.

Once: a job has a unique ``key`` (``deadline:<subject>:<deadline>:due``), so scheduling it
again changes nothing (or moves it, if it is still undone); the runner claims due jobs with
``SKIP LOCKED``, so two replicas never run the same one; the notices it files carry the job's
id as their event id, so even a job run twice would file each notice once.

When: a deadline is counted on the alliance's calendar by ``libs/charter`` (Civil Code Art.201
and 203: the start day is not counted; working days count make-up working days), the reminder
falls on the working day before the due date, the overdue notice on the day after, each at
09:00 in the alliance's time zone.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from charter.calendars import get_calendar
from charter.ids import DeadlineUnit
from notifications import filing
from notifications.models import Job
from servicekit.db import Database
from servicekit.events.worker import Worker
from servicekit.tenancy import TenantScope

log = logging.getLogger(__name__)

TIME_ZONE = {"CN": "Asia/Shanghai", "SG": "Asia/Singapore", "MY": "Asia/Kuala_Lumpur"}
REMIND_AT = time(9, 0)


def _at(day: date, calendar: str) -> datetime:
    return datetime.combine(
        day, REMIND_AT, tzinfo=ZoneInfo(TIME_ZONE.get(calendar, "Asia/Shanghai"))
    )


async def schedule_deadline(
    session: AsyncSession,
    *,
    alliance_id: uuid.UUID,
    subject: str,
    deadline: str,
    title_zh: str,
    title_en: str,
    rule: str,
    start_on: date,
    n: int,
    unit: DeadlineUnit | str,
    calendar: str,
    recipients: Sequence[str],
    provisional: bool = False,
    due_on: date | None = None,
    provisional_reason: dict[str, str] | None = None,
    recipient_roles: Sequence[str] = (),
) -> date:
    """Schedule the reminder and the overdue notice of one deadline; returns its due date.

    ``due_on``: the date its owner counted (with the official schedules it has received); when
    not given it is counted here. ``recipient_roles`` are resolved when a notice is filed, so a
    reminder reaches whoever holds the role then. Called again for the same ``subject`` and
    ``deadline`` (a moved deadline), it moves the jobs that have not run yet.
    """
    cal = get_calendar(calendar)
    if due_on is None:
        answer = cal.due(start_on, n, unit)
        due = answer.on
        provisional = provisional or answer.provisional
        if answer.reason:
            provisional_reason = answer.reason.model_dump()
    else:
        due = due_on
    remind = due - timedelta(days=1)
    while not cal.is_working_day(remind) and remind > start_on:
        remind -= timedelta(days=1)
    overdue = due + timedelta(days=1)
    payload: dict[str, Any] = {
        "title_zh": title_zh,
        "title_en": title_en,
        "rule": rule,
        "start_on": start_on.isoformat(),
        "due_on": due.isoformat(),
        "n": n,
        "unit": str(DeadlineUnit(unit)),
        "provisional": provisional,
        "provisional_reason": provisional_reason if provisional else None,
        "recipients": sorted(set(recipients)),
        "recipient_roles": sorted(set(recipient_roles)),
        "subject": subject,
    }
    for suffix, kind, at in (
        ("due", "deadline_due", _at(max(remind, start_on), calendar)),
        ("overdue", "deadline_overdue", _at(overdue, calendar)),
    ):
        await session.execute(
            insert(Job)
            .values(
                id=uuid.uuid4(),
                alliance_id=alliance_id,
                key=f"deadline:{subject}:{deadline}:{suffix}",
                kind=kind,
                due_at=at,
                payload=payload,
                cancelled=False,
            )
            .on_conflict_do_update(
                index_elements=["key"],
                set_={"due_at": at, "payload": payload},
                where=Job.done_at.is_(None),
            )
        )
    return due


async def cancel_deadline(session: AsyncSession, *, subject: str, deadline: str) -> None:
    """The matter was answered in time: its reminders are no longer due."""
    await session.execute(
        sa.update(Job)
        .where(Job.key.like(f"deadline:{subject}:{deadline}:%"), Job.done_at.is_(None))
        .values(cancelled=True)
    )


async def _deadline_notice(session: AsyncSession, job: Job) -> None:
    p = job.payload
    roles = list(p.get("recipient_roles") or [])  # type: ignore[call-overload]
    staff = await filing.staff(session, job.alliance_id, *roles) if roles else []
    await filing.file(
        session,
        alliance_id=job.alliance_id,
        event_id=job.id,
        event_type=f"notifications.job.{job.kind}",
        notices=[
            filing.Notice(
                kind=job.kind,
                recipients=sorted({*p["recipients"], *staff}),  # type: ignore[misc]
                context=dict(p),
                subject_id=str(p["subject"]),
            )
        ],
    )


JobHandler = Callable[[AsyncSession, Job], Awaitable[None]]
HANDLERS: dict[str, JobHandler] = {
    "deadline_due": _deadline_notice,
    "deadline_overdue": _deadline_notice,
}


class JobRunner(Worker):
    name = "notifications-jobs"

    def __init__(self, database: Database, *, poll_interval: float = 1.0, batch: int = 20) -> None:
        super().__init__()
        self.database = database
        self.poll_interval = poll_interval
        self.batch = batch

    async def run(self) -> None:
        while not self.stopping:
            try:
                ran = await self.step()
            except Exception as exc:
                log.warning("jobs: %s; retrying", exc)
                ran = 0
            if not ran:
                await self.pause(self.poll_interval)

    async def step(self, now: datetime | None = None) -> int:
        """Run the jobs due by ``now``, each in the transaction that marks it done."""
        async with self.database.transaction(TenantScope.everything()) as session:
            jobs = (
                await session.scalars(
                    sa.select(Job)
                    .where(
                        Job.done_at.is_(None),
                        sa.not_(Job.cancelled),
                        Job.due_at <= (now or sa.func.now()),
                    )
                    .order_by(Job.due_at)
                    .limit(self.batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for job in jobs:
                await HANDLERS[job.kind](session, job)
                job.done_at = sa.func.now()
            return len(jobs)
