"""Governance's charter deadlines (``governance.deadline.*``): reminded, flagged, and moved.

- ``opened``: the reminder (the working day before the due date) and the overdue notice (the
  day after) are scheduled for the people concerned (``scheduler``), at the date governance
  counted on the alliance's calendar.
- ``moved``: a provisional deadline was recounted on its year's official schedule and its date
  changed: the jobs move, and the people concerned are told at once (old and new date, the
  schedule, the article).
- ``confirmed``: recounted and unchanged: the jobs lose the provisional mark, nobody is told.
- ``closed``: answered or withdrawn: the jobs still to run are cancelled.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import governance as g
from notifications import filing, scheduler
from servicekit.events import Envelope


async def _schedule(session: AsyncSession, event: g.DeadlineEvent) -> None:
    await scheduler.schedule_deadline(
        session,
        alliance_id=event.alliance_id,
        subject=str(event.subject_id),
        deadline=event.deadline,
        title_zh=event.title_zh,
        title_en=event.title_en,
        rule=event.rule,
        start_on=event.start_on,
        n=event.n,
        unit=event.unit,
        calendar=event.calendar,
        recipients=event.recipient_users,
        recipient_roles=event.recipient_roles,
        provisional=event.provisional,
        due_on=event.due_on,
        provisional_reason=event.provisional_reason.model_dump()
        if event.provisional_reason
        else None,
    )


async def on_deadline_counted(
    session: AsyncSession, event: g.DeadlineOpened | g.DeadlineConfirmed, envelope: Envelope
) -> None:
    """Opened, or confirmed on its year's schedule: (re)schedule its reminders, tell nobody."""
    await _schedule(session, event)


async def on_deadline_moved(
    session: AsyncSession, event: g.DeadlineMoved, envelope: Envelope
) -> None:
    await _schedule(session, event)
    staff = await filing.staff(session, event.alliance_id, *event.recipient_roles)
    await filing.file(
        session,
        alliance_id=event.alliance_id,
        event_id=envelope.id,
        event_type=envelope.type,
        notices=[
            filing.Notice(
                kind="deadline_moved",
                recipients=sorted({*event.recipient_users, *staff}),
                context={"d": event.model_dump()},
                subject_id=str(event.subject_id),
            )
        ],
    )


async def on_deadline_closed(
    session: AsyncSession, event: g.DeadlineClosed, envelope: Envelope
) -> None:
    await scheduler.cancel_deadline(session, subject=str(event.subject_id), deadline=event.deadline)
