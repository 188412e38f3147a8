"""What membership learns from governance: decisions on forwarded applications, and meeting
attendance for the charter's consecutive-absence rules (``contracts.governance``)."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from charter.ids import MatterKind
from contracts.governance import ApplicationDecided, AttendanceRecorded, MotionDecided
from membership import alliances, applications
from membership.applications import Decision
from membership.attendance import on_attendance
from membership.models import Alliance
from servicekit.app import ConsumerSpec
from servicekit.errors import DomainError
from servicekit.events import Envelope

log = logging.getLogger(__name__)


async def on_decision(session: AsyncSession, event: ApplicationDecided, envelope: Envelope) -> None:
    """A governance vote decided a forwarded application. A decision this service must refuse
    (the application is not forwarded, the wrong body voted) is logged, not retried: retrying
    cannot make it valid."""
    try:
        async with session.begin_nested():
            await applications.record_decision(
                session,
                None,
                event.application_id,
                Decision(
                    approved=event.approved,
                    body=event.body,
                    meeting=event.meeting,
                    decided_on=event.decided_on,
                    minutes=event.minutes,
                    reason=event.reason,
                    motion_id=event.motion_id,
                ),
            )
    except DomainError as exc:
        log.error(
            "governance decision %s on application %s refused: %s",
            envelope.id,
            event.application_id,
            exc.message,
        )


async def on_motion_decided(
    session: AsyncSession, event: MotionDecided, envelope: Envelope
) -> None:
    """A charter amendment whose last stage passed on the platform becomes the next charter
    version, citing the motion (AII Art.27: council, then the assembly)."""
    if event.matter is not MatterKind.CHARTER_AMENDMENT or not event.passed:
        return
    alliance = await session.get(Alliance, event.alliance_id, with_for_update=True)
    if alliance is None:
        raise LookupError(f"motion for unknown alliance {event.alliance_id}")
    note = (
        f"{event.title}: motion {event.motion_id} passed by the {event.body.value}"
        f"{f' at {event.meeting}' if event.meeting else ''} on {event.decided_on} ({event.rule})"
    )
    try:
        async with session.begin_nested():
            await alliances.adopt_amendment(
                session,
                alliance,
                {c.path: c.new for c in event.changes},
                note,
                adopted_by="governance",
                motion_id=event.motion_id,
            )
    except DomainError as exc:
        log.error("charter amendment of motion %s refused: %s", event.motion_id, exc.message)


CONSUMERS = [
    ConsumerSpec(
        name="membership-governance",
        handlers={
            ApplicationDecided: on_decision,
            AttendanceRecorded: on_attendance,
            MotionDecided: on_motion_decided,
        },
    ),
]
