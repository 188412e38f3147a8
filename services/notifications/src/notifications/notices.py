"""The inbox's writes (read and unread), the register of each alliance's staff and the register
of who sits on which body.

What each event tells whom is in ``membership_notices`` and ``governance_notices``; the texts
are the templates of each kind (``rendering``); filing, once per recipient and channel, is
``filing``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.governance import SeatChanged
from contracts.membership import RoleAssigned, RoleEvent
from notifications.models import Notification, SeatHolder, StaffMember
from servicekit.errors import NotFound
from servicekit.events import Envelope


async def on_role_event(session: AsyncSession, event: RoleEvent, envelope: Envelope) -> None:
    """Keep the register of who holds which role in each alliance."""
    active = isinstance(event, RoleAssigned)
    await session.execute(
        insert(StaffMember)
        .values(
            assignment_id=event.assignment_id,
            alliance_id=event.alliance_id,
            user_id=event.user_id,
            role=event.role,
            active=active,
        )
        .on_conflict_do_update(index_elements=["assignment_id"], set_={"active": active})
    )


async def on_seat_changed(session: AsyncSession, event: SeatChanged, envelope: Envelope) -> None:
    """Keep the register of who sits on which body; a change older than the one kept for the
    seat (redelivered, or delivered out of order) changes nothing."""
    values = {
        "alliance_id": event.alliance_id,
        "body": event.body,
        "user_id": event.holder_user_id,
        "active": event.active,
        "position": event.position,
    }
    statement = insert(SeatHolder).values(seat_id=event.seat_id, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["seat_id"],
            set_=values,
            where=SeatHolder.position < statement.excluded.position,
        )
    )


async def mark_read(
    session: AsyncSession, recipient: str, notification_id: uuid.UUID
) -> Notification:
    row = await session.scalar(
        sa.select(Notification).where(
            Notification.id == notification_id, Notification.recipient_id == recipient
        )
    )
    if row is None:
        raise NotFound("no such notification of yours")
    if row.read_at is None:
        row.read_at = datetime.now(UTC)
        await session.flush()
    return row


async def mark_all_read(
    session: AsyncSession, recipient: str, alliance_id: uuid.UUID | None = None
) -> int:
    """Mark every unread notice of ``recipient`` read; returns how many."""
    where = [Notification.recipient_id == recipient, Notification.read_at.is_(None)]
    if alliance_id is not None:
        where.append(Notification.alliance_id == alliance_id)
    result = await session.execute(
        sa.update(Notification).where(*where).values(read_at=datetime.now(UTC))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
