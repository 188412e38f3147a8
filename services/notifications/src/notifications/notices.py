"""Turning membership events into notices for the people they concern, in Chinese and English.

The contact person of an applying organisation learns that the application was received,
approved, or rejected with its reasons.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.models import Notification
from servicekit.events import Envelope
from servicekit.graphql import NotFound


@dataclass(frozen=True)
class Text:
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str


def _submitted(d: dict[str, Any]) -> Text:
    return Text(
        f"入会申请已收到：{d['allianceNameZh']}",
        f"Application received: {d['allianceNameEn']}",
        f"{d['organizationNameZh']}的入会申请已提交，秘书处将进行初审。",
        f"The application of {d['organizationNameEn'] or d['organizationNameZh']} has been "
        "received; the secretariat will review it.",
    )


def _approved(d: dict[str, Any]) -> Text:
    return Text(
        f"入会申请已批准：{d['allianceNameZh']}",
        f"Application approved: {d['allianceNameEn']}",
        f"{d['organizationNameZh']}已成为{d['allianceNameZh']}成员。",
        f"{d['organizationNameEn'] or d['organizationNameZh']} is now a member of "
        f"{d['allianceNameEn']}.",
    )


def _rejected(d: dict[str, Any]) -> Text:
    return Text(
        f"入会申请未获批准：{d['allianceNameZh']}",
        f"Application rejected: {d['allianceNameEn']}",
        f"{d['organizationNameZh']}的入会申请未获批准。理由：{d['reason']}",
        f"The application of {d['organizationNameEn'] or d['organizationNameZh']} was not "
        f"approved. Reasons: {d['reason']}",
    )


TEXTS: dict[str, Callable[[dict[str, Any]], Text]] = {
    "membership.application.submitted": _submitted,
    "membership.application.approved": _approved,
    "membership.application.rejected": _rejected,
}


async def on_membership_event(session: AsyncSession, event: Envelope) -> None:
    """File the notice of ``event`` for its contact person (once, even if redelivered)."""
    text = TEXTS[event.type](event.data)
    assert event.alliance_id is not None, "application events belong to an alliance"
    await session.execute(
        insert(Notification)
        .values(
            id=uuid.uuid4(),
            alliance_id=event.alliance_id,
            recipient_id=event.data["contactUserId"],
            event_id=event.id,
            event_type=event.type,
            subject_id=event.subject,
            title_zh=text.title_zh,
            title_en=text.title_en,
            body_zh=text.body_zh,
            body_en=text.body_en,
        )
        .on_conflict_do_nothing(index_elements=["event_id", "recipient_id"])
    )


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
    query = sa.select(Notification).where(*where)
    if after is not None:
        query = query.where(
            sa.tuple_(Notification.created_at, Notification.id)
            < sa.tuple_(
                sa.literal(datetime.fromisoformat(after[0])), sa.literal(uuid.UUID(after[1]))
            )
        )
    rows = (
        await session.scalars(
            query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(first + 1)
        )
    ).all()
    total = await session.scalar(sa.select(sa.func.count()).select_from(Notification).where(*where))
    return rows, int(total or 0)


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
