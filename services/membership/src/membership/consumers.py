"""What membership learns from governance: decisions on forwarded applications, and meeting
attendance for the charter's consecutive-absence rules (shapes in docs/events.md)."""

from __future__ import annotations

import logging
import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from membership import applications, events
from membership.applications import Decision
from membership.attendance import on_attendance
from servicekit.app import ConsumerSpec
from servicekit.events import Envelope
from servicekit.graphql import DomainError

log = logging.getLogger(__name__)


async def on_decision(session: AsyncSession, event: Envelope) -> None:
    """A governance vote decided a forwarded application. A decision this service must refuse
    (the application is not forwarded, the wrong body voted) is logged, not retried: retrying
    cannot make it valid."""
    data = event.data
    try:
        async with session.begin_nested():
            await applications.record_decision(
                session,
                None,
                uuid.UUID(data["applicationId"]),
                Decision(
                    approved=bool(data["approved"]),
                    body=data["body"],
                    meeting=data["meeting"],
                    decided_on=date.fromisoformat(data["decidedOn"]),
                    minutes=data.get("minutes"),
                    reason=data.get("reason"),
                ),
            )
    except DomainError as exc:
        log.error(
            "governance decision %s on application %s refused: %s",
            event.id,
            data.get("applicationId"),
            exc.message,
        )


async def on_governance_event(session: AsyncSession, event: Envelope) -> None:
    handler = {
        events.GOVERNANCE_DECISION: on_decision,
        events.GOVERNANCE_ATTENDANCE: on_attendance,
    }[event.type]
    await handler(session, event)


CONSUMERS = [
    ConsumerSpec(
        name="membership-governance",
        event_types=[events.GOVERNANCE_DECISION, events.GOVERNANCE_ATTENDANCE],
        handler=on_governance_event,
    ),
]
