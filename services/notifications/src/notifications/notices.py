"""The inbox's writes (read and unread) and the register of each alliance's staff.

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

from contracts.membership import RoleAssigned, RoleEvent
from notifications.models import Notification, StaffMember
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
