"""Filing notices: the inbox row and one delivery row per recipient and channel, in the
transaction that handles the event (or the job, or the announcement).

Every row has a unique key — the inbox ``(event, recipient)``, a delivery ``(event, kind,
channel, recipient)`` — and is inserted with ``ON CONFLICT DO NOTHING``: a redelivered event,
a restarted consumer or a second replica handling the same event adds nothing. What each row
says is rendered here from the templates, once, so the senders need nothing but the row.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.invitations import Invitation, to_ics
from notifications.kinds import EMAIL, INBOX, WEBHOOK, kind
from notifications.models import (
    Delivery,
    Notification,
    Preference,
    RecipientSettings,
    SeatHolder,
    StaffMember,
    WebhookEndpoint,
)
from notifications.rendering import Rendered, render_all
from servicekit.auth.principal import OFFICER_ROLES, SECRETARIAT
from servicekit.live import notify

NOTICE_CHANNEL = "concord_notices"
"""Told, on commit, of each new inbox row: key the recipient, payload the notice's id
(``notificationAdded``)."""


@dataclass(frozen=True)
class Notice:
    """One kind of notice for some people, with what its templates need."""

    kind: str
    recipients: Sequence[str]
    context: dict[str, Any]
    subject_id: str
    internal: bool = False
    """Confidential (AII Art.14(4), China–ASEAN Art.19(7)): marked so, and kept off webhooks."""
    invitation: Invitation | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def message_id(delivery_id: uuid.UUID) -> str:
    return f"<{delivery_id}@notifications.concord>"


def webhook_id(delivery_id: uuid.UUID) -> str:
    """Stable across retries (Standard Webhooks: receivers deduplicate on it)."""
    return f"msg_{delivery_id.hex}"


async def staff(session: AsyncSession, alliance_id: uuid.UUID, *roles: str) -> list[str]:
    """The people holding any of ``roles`` in the alliance (from ``membership.role.*``)."""
    rows = await session.scalars(
        sa.select(StaffMember.user_id).where(
            StaffMember.alliance_id == alliance_id,
            StaffMember.role.in_(roles),
            StaffMember.active,
        )
    )
    return sorted(set(rows))


async def seat_holders(
    session: AsyncSession, alliance_id: uuid.UUID, bodies: Sequence[str]
) -> list[str]:
    """The people who sit on any of ``bodies`` now (from ``governance.seat.changed``)."""
    rows = await session.scalars(
        sa.select(SeatHolder.user_id).where(
            SeatHolder.alliance_id == alliance_id,
            SeatHolder.body.in_(bodies),
            SeatHolder.active,
            SeatHolder.user_id.is_not(None),
        )
    )
    return sorted({user for user in rows if user})


async def secretariat(session: AsyncSession, alliance_id: uuid.UUID) -> list[str]:
    return await staff(session, alliance_id, SECRETARIAT)


async def officers(session: AsyncSession, alliance_id: uuid.UUID) -> list[str]:
    return await staff(session, alliance_id, *sorted(OFFICER_ROLES))


async def file(
    session: AsyncSession,
    *,
    alliance_id: uuid.UUID,
    event_id: uuid.UUID,
    event_type: str,
    notices: Iterable[Notice],
) -> int:
    """File ``notices`` once each; returns how many inbox rows were new."""
    endpoints = (
        await session.scalars(
            sa.select(WebhookEndpoint).where(
                WebhookEndpoint.alliance_id == alliance_id, WebhookEndpoint.active
            )
        )
    ).all()
    new = 0
    for notice in notices:
        spec = kind(notice.kind)
        texts = render_all(notice.kind, notice.context)
        people = sorted(set(r for r in notice.recipients if r))
        if not people:
            continue  # nobody to tell (no secretariat registered yet, …): nothing to send
        prefs = await _preferences(session, alliance_id, notice.kind, people)
        for person in people:
            pref, settings = prefs.get(person, (None, None))
            channels = set(pref.channels) if pref is not None else set(spec.default_channels)
            if spec.mandatory:
                channels.add(INBOX)
            language = (pref.language if pref is not None else None) or (
                settings.language if settings is not None else "zh"
            )
            if INBOX in channels:
                new += await _inbox(
                    session, alliance_id, event_id, event_type, notice, texts, person
                )
            if EMAIL in channels and settings is not None and settings.email:
                await _email(
                    session, alliance_id, event_id, notice, texts, language, person, settings
                )
        if not notice.internal:
            for endpoint in endpoints:
                await _webhook(session, alliance_id, event_id, event_type, notice, texts, endpoint)
    return new


async def _preferences(
    session: AsyncSession, alliance_id: uuid.UUID, kind_name: str, people: list[str]
) -> dict[str, tuple[Preference | None, RecipientSettings | None]]:
    if not people:
        return {}
    rows = (
        await session.execute(
            sa.select(RecipientSettings.user_id, RecipientSettings, Preference)
            .select_from(RecipientSettings)
            .outerjoin(
                Preference,
                sa.and_(
                    Preference.alliance_id == RecipientSettings.alliance_id,
                    Preference.user_id == RecipientSettings.user_id,
                    Preference.kind == kind_name,
                ),
            )
            .where(
                RecipientSettings.alliance_id == alliance_id,
                RecipientSettings.user_id.in_(people),
            )
        )
    ).all()
    found: dict[str, tuple[Preference | None, RecipientSettings | None]] = {
        user: (pref, settings) for user, settings, pref in rows
    }
    # Preferences of people who never gave an address still choose their channels.
    missing = [p for p in people if p not in found]
    if missing:
        for pref in await session.scalars(
            sa.select(Preference).where(
                Preference.alliance_id == alliance_id,
                Preference.kind == kind_name,
                Preference.user_id.in_(missing),
            )
        ):
            found[pref.user_id] = (pref, None)
    return found


async def _inbox(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    event_id: uuid.UUID,
    event_type: str,
    notice: Notice,
    texts: dict[str, Rendered],
    person: str,
) -> int:
    inserted = await session.execute(
        insert(Notification)
        .values(
            id=uuid.uuid4(),
            alliance_id=alliance_id,
            recipient_id=person,
            event_id=event_id,
            event_type=event_type,
            subject_id=notice.subject_id,
            kind=notice.kind,
            internal=notice.internal,
            title_zh=texts["zh"].title,
            title_en=texts["en"].title,
            body_zh=texts["zh"].body,
            body_en=texts["en"].body,
        )
        .on_conflict_do_nothing(index_elements=["event_id", "recipient_id"])
        .returning(Notification.id)
    )
    row = inserted.first()
    if row is None:
        return 0  # filed before (a redelivery, another replica): no second notice, no news
    await notify(session, NOTICE_CHANNEL, person, str(row[0]))
    return 1


async def _delivery(session: AsyncSession, **values: Any) -> None:
    await session.execute(
        insert(Delivery)
        .values(id=values.pop("id", uuid.uuid4()), status="pending", attempts=0, **values)
        .on_conflict_do_nothing(index_elements=["event_id", "kind", "channel", "recipient"])
    )


async def _email(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    event_id: uuid.UUID,
    notice: Notice,
    texts: dict[str, Rendered],
    language: str,
    person: str,
    settings: RecipientSettings,
) -> None:
    assert settings.email is not None
    text = texts[language]
    payload: dict[str, Any] = {"subject": text.title, "text": text.body}
    if notice.invitation is not None:
        ics = to_ics(notice.invitation, attendee_email=settings.email)
        payload["ics"] = base64.b64encode(ics).decode()
    await _delivery(
        session,
        alliance_id=alliance_id,
        event_id=event_id,
        kind=notice.kind,
        channel=EMAIL,
        recipient=person,
        target=settings.email,
        language=language,
        payload=payload,
    )


async def _webhook(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    event_id: uuid.UUID,
    event_type: str,
    notice: Notice,
    texts: dict[str, Rendered],
    endpoint: WebhookEndpoint,
) -> None:
    payload = {
        "type": f"concord.notice.{notice.kind}",
        "timestamp": datetime.now(UTC).isoformat(),
        "data": {
            "allianceId": str(alliance_id),
            "eventId": str(event_id),
            "eventType": event_type,
            "subjectId": notice.subject_id,
            "kind": notice.kind,
            "recipients": sorted(set(notice.recipients)),
            "titleZh": texts["zh"].title,
            "titleEn": texts["en"].title,
            "bodyZh": texts["zh"].body,
            "bodyEn": texts["en"].body,
            **notice.extra,
        },
    }
    await _delivery(
        session,
        alliance_id=alliance_id,
        event_id=event_id,
        kind=notice.kind,
        channel=WEBHOOK,
        recipient=str(endpoint.id),
        target=endpoint.url,
        language="zh",
        payload=payload,
    )
