"""What people and the secretariat set: a person's address, language and preferences; the
alliance's webhook endpoints; announcements; the delivery log.

Each function checks its input and raises a typed error before it writes anything.
"""

from __future__ import annotations

import base64
import re
import secrets
import uuid
from collections.abc import Sequence
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications import filing
from notifications.kinds import KINDS, check_language, check_preference
from notifications.models import (
    Alliance,
    Delivery,
    DeliveryAttempt,
    Member,
    Preference,
    RecipientSettings,
    WebhookEndpoint,
)
from servicekit.auth.principal import SECRETARIAT, Principal
from servicekit.graphql import DomainError, Forbidden, NotFound

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidEmail(DomainError):
    code = "INVALID_EMAIL"


class WebhookNotHttps(DomainError):
    code = "WEBHOOK_NOT_HTTPS"


class InvalidWebhookUrl(DomainError):
    code = "INVALID_WEBHOOK_URL"


class EmptyAnnouncement(DomainError):
    code = "EMPTY_ANNOUNCEMENT"


def require_secretariat(principal: Principal, slug: str) -> None:
    if not (principal.operator or principal.has_role(slug, SECRETARIAT)):
        raise Forbidden(f"only the secretariat of {slug} manages its notices and channels")


async def set_settings(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    user_id: str,
    *,
    email: str | None,
    language: str,
) -> RecipientSettings:
    check_language(language)
    if email is not None and not EMAIL.match(email):
        raise InvalidEmail(f"{email!r} is not an email address")
    values = {"email": email, "language": language}
    await session.execute(
        insert(RecipientSettings)
        .values(alliance_id=alliance_id, user_id=user_id, **values)
        .on_conflict_do_update(index_elements=["alliance_id", "user_id"], set_=values)
    )
    row = await session.get(RecipientSettings, (alliance_id, user_id), populate_existing=True)
    assert row is not None
    return row


async def set_preference(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    user_id: str,
    *,
    kind: str,
    channels: Sequence[str],
    language: str | None,
) -> Preference:
    check_preference(kind, list(channels), language)
    values = {"channels": sorted(set(channels)), "language": language}
    await session.execute(
        insert(Preference)
        .values(alliance_id=alliance_id, user_id=user_id, kind=kind, **values)
        .on_conflict_do_update(index_elements=["alliance_id", "user_id", "kind"], set_=values)
    )
    row = await session.get(Preference, (alliance_id, user_id, kind), populate_existing=True)
    assert row is not None
    return row


async def preferences_of(
    session: AsyncSession, alliance_id: uuid.UUID, user_id: str
) -> tuple[RecipientSettings | None, dict[str, Preference]]:
    settings = await session.get(RecipientSettings, (alliance_id, user_id))
    prefs = await session.scalars(
        sa.select(Preference).where(
            Preference.alliance_id == alliance_id, Preference.user_id == user_id
        )
    )
    return settings, {p.kind: p for p in prefs if p.kind in KINDS}


def check_webhook_url(url: str, *, production: bool) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidWebhookUrl(f"{url!r} is not an http(s) URL")
    if production and parts.scheme != "https":
        raise WebhookNotHttps("webhook endpoints must use https in production", url=url)
    return url


async def register_webhook(
    session: AsyncSession, alliance_id: uuid.UUID, url: str, *, production: bool
) -> WebhookEndpoint:
    check_webhook_url(url, production=production)
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        alliance_id=alliance_id,
        url=url,
        secret="whsec_" + base64.b64encode(secrets.token_bytes(32)).decode(),
        active=True,
    )
    session.add(endpoint)
    await session.flush()
    return endpoint


async def remove_webhook(
    session: AsyncSession, alliance_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.alliance_id != alliance_id:
        raise NotFound("no such webhook endpoint in this alliance")
    endpoint.active = False
    await session.flush()
    return endpoint


async def webhooks_of(session: AsyncSession, alliance_id: uuid.UUID) -> Sequence[WebhookEndpoint]:
    return (
        await session.scalars(
            sa.select(WebhookEndpoint)
            .where(WebhookEndpoint.alliance_id == alliance_id)
            .order_by(WebhookEndpoint.created_at)
        )
    ).all()


async def announce(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    *,
    title_zh: str,
    title_en: str,
    body_zh: str,
    body_en: str,
    internal: bool,
) -> tuple[uuid.UUID, int]:
    """An announcement of the secretariat to every member (each member's contact person: AII
    Art.12, the right to the alliance's information) and to its staff; ``internal`` marks it
    confidential (AII Art.14(4), China–ASEAN Art.19(7)) and keeps it off webhooks."""
    if not all(s.strip() for s in (title_zh, title_en, body_zh, body_en)):
        raise EmptyAnnouncement("an announcement needs a title and a text in Chinese and English")
    contacts = await session.scalars(
        sa.select(Member.contact_user_id).where(
            Member.alliance_id == alliance_id, Member.active, Member.contact_user_id.is_not(None)
        )
    )
    staff = await filing.staff(session, alliance_id, "secretariat", *sorted(filing.OFFICER_ROLES))
    recipients = sorted({*(c for c in contacts if c), *staff})
    alliance = await session.get(Alliance, alliance_id)
    names = (alliance.name_zh, alliance.name_en) if alliance else ("", "")
    announcement_id = uuid.uuid4()
    await filing.file(
        session,
        alliance_id=alliance_id,
        event_id=announcement_id,
        event_type="notifications.announcement",
        notices=[
            filing.Notice(
                kind="announcement",
                recipients=recipients,
                context={
                    "title_zh": title_zh,
                    "title_en": title_en,
                    "body_zh": body_zh,
                    "body_en": body_en,
                    "internal": internal,
                    "alliance_name_zh": names[0],
                    "alliance_name_en": names[1],
                },
                subject_id=str(announcement_id),
                internal=internal,
            )
        ],
    )
    return announcement_id, len(recipients)


async def delivery_log(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    *,
    channel: str | None,
    status: str | None,
    first: int,
    after: tuple[str, str] | None,
) -> tuple[Sequence[Delivery], dict[uuid.UUID, list[DeliveryAttempt]], int]:
    from datetime import datetime

    where = [Delivery.alliance_id == alliance_id]
    if channel:
        where.append(Delivery.channel == channel)
    if status:
        where.append(Delivery.status == status)
    query = sa.select(Delivery).where(*where)
    if after is not None:
        query = query.where(
            sa.tuple_(Delivery.created_at, Delivery.id)
            < sa.tuple_(
                sa.literal(datetime.fromisoformat(after[0])), sa.literal(uuid.UUID(after[1]))
            )
        )
    rows = (
        await session.scalars(
            query.order_by(Delivery.created_at.desc(), Delivery.id.desc()).limit(first + 1)
        )
    ).all()
    attempts: dict[uuid.UUID, list[DeliveryAttempt]] = {r.id: [] for r in rows}
    if rows:
        for attempt in await session.scalars(
            sa.select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id.in_(list(attempts)))
            .order_by(DeliveryAttempt.number)
        ):
            attempts[attempt.delivery_id].append(attempt)
    total = await session.scalar(sa.select(sa.func.count()).select_from(Delivery).where(*where))
    return rows, attempts, int(total or 0)
