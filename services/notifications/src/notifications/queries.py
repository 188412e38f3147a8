"""Notifications' reads: a recipient's notices, paged by keyset and batched by id."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from notifications.models import Notification
from servicekit.queries import keyset_page, rows_by_id


async def page_for(
    session: AsyncSession,
    recipient: str,
    *,
    first: int,
    after: Sequence[str] | None,
    alliance_id: uuid.UUID | None = None,
    unread_only: bool = False,
) -> tuple[Sequence[Notification], int]:
    """Newest first, keyset on (created_at, id)."""
    where = [Notification.recipient_id == recipient]
    if alliance_id is not None:
        where.append(Notification.alliance_id == alliance_id)
    if unread_only:
        where.append(Notification.read_at.is_(None))
    return await keyset_page(
        session,
        Notification,
        where,
        order=[Notification.created_at, Notification.id],
        after=(datetime.fromisoformat(after[0]), uuid.UUID(after[1])) if after else None,
        first=first,
        descending=True,
    )


async def notices_by_id(
    session: AsyncSession, recipient: str, ids: Sequence[uuid.UUID]
) -> list[Notification | None]:
    """The notices with these ids that are addressed to ``recipient`` (None for the others:
    nobody sees another person's notices)."""
    rows = await rows_by_id(session, Notification, ids)
    return [r if r is not None and r.recipient_id == recipient else None for r in rows]
