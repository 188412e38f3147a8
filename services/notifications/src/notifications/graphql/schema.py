"""Notifications' subgraph: the caller's notices, overall and per alliance."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Sequence
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.dataloader import DataLoader

from notifications import channels as rules
from notifications import models, notices, queries
from notifications.filing import NOTICE_CHANNEL, webhook_id
from notifications.kinds import KINDS
from servicekit.graphql import Connection, Info, make_schema
from servicekit.graphql.ids import parse_id
from servicekit.graphql.live import hub, live_transaction
from servicekit.graphql.pagination import (
    KEY_TIME,
    KEY_UUID,
    build_connection,
    check_page_size,
    decode_cursor,
)
from servicekit.tenancy import alliance_id


def _notice_loader(info: Info) -> DataLoader[uuid.UUID, models.Notification | None]:
    async def load(ids: Sequence[uuid.UUID]) -> list[models.Notification | None]:
        async with info.context.tx.use() as session:
            return await queries.notices_by_id(session, info.context.principal.user_id, ids)

    return info.context.loader(load, key="notification")


@strawberry.federation.type(keys=["id"], description="A notice addressed to the caller.")
class Notification:
    id: strawberry.ID
    alliance_id: strawberry.Private[uuid.UUID]
    event_type: str = strawberry.field(description="the event that caused it")
    subject_id: strawberry.ID = strawberry.field(description="what it is about")
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    created_at: datetime
    read_at: datetime | None
    kind: str | None = strawberry.field(description="the kind of notice (preferences)")
    internal: bool = strawberry.field(
        description="confidential: not for outside the alliance (AII Art.14(4), "
        "China–ASEAN Art.19(7))"
    )

    @classmethod
    def from_row(cls, row: models.Notification) -> Notification:
        return cls(
            id=strawberry.ID(str(row.id)),
            alliance_id=row.alliance_id,
            event_type=row.event_type,
            subject_id=strawberry.ID(row.subject_id),
            title_zh=row.title_zh,
            title_en=row.title_en,
            body_zh=row.body_zh,
            body_en=row.body_en,
            created_at=row.created_at,
            read_at=row.read_at,
            kind=row.kind,
            internal=row.internal,
        )

    @strawberry.field(description="The title in the caller's language.")
    def title(self, info: Info) -> str:
        return self.title_en if info.context.principal.locale == "en" else self.title_zh

    @strawberry.field(description="The text in the caller's language.")
    def body(self, info: Info) -> str:
        return self.body_en if info.context.principal.locale == "en" else self.body_zh

    @strawberry.field
    def alliance(self) -> Alliance:
        return Alliance(id=strawberry.ID(str(self.alliance_id)))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Notification | None:
        row = await _notice_loader(info).load(parse_id(id, "notification"))
        return cls.from_row(row) if row else None


async def _page(
    info: Info,
    first: int,
    after: str | None,
    unread_only: bool,
    alliance_id: uuid.UUID | None = None,
) -> Connection[Notification]:
    check_page_size(first)
    cursor = tuple(decode_cursor(after, (KEY_TIME, KEY_UUID))) if after else None
    async with info.context.tx.use() as session:
        rows, total = await queries.page_for(
            session,
            info.context.principal.user_id,
            first=first,
            after=cursor,
            alliance_id=alliance_id,
            unread_only=unread_only,
        )
    return build_connection(
        rows,
        first=first,
        after=after,
        total=total,
        keyset=lambda n: (n.created_at.isoformat(), n.id),
        node=Notification.from_row,
    )


@strawberry.federation.type(keys=["id"])
class Alliance:
    id: strawberry.ID

    @strawberry.field(description="The caller's notices from this alliance, newest first.")
    async def my_notifications(
        self, info: Info, first: int = 20, after: str | None = None, unread_only: bool = False
    ) -> Connection[Notification]:
        return await _page(info, first, after, unread_only, parse_id(self.id))

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Alliance:
        return cls(id=id)


@strawberry.enum(description="A channel a person chooses for a kind of notice.")
class NotificationChannel(Enum):
    INBOX = "inbox"
    EMAIL = "email"


@strawberry.type(description="A kind of notice: what a person sets a preference for.")
class NotificationKind:
    name: str
    mandatory: bool = strawberry.field(description="cannot be turned off (always in the inbox)")
    default_channels: list[NotificationChannel]


@strawberry.type
class NotificationPreference:
    kind: str
    channels: list[NotificationChannel]
    language: str | None

    @classmethod
    def from_row(cls, row: models.Preference) -> NotificationPreference:
        return cls(
            kind=row.kind,
            channels=[NotificationChannel(c) for c in row.channels],
            language=row.language,
        )


@strawberry.type(description="The caller's address, language and preferences in one alliance.")
class NotificationSettings:
    email: str | None
    language: str
    preferences: list[NotificationPreference]


@strawberry.type(description="An alliance's endpoint for its notices (Standard Webhooks).")
class WebhookEndpoint:
    id: strawberry.ID
    url: str
    active: bool
    created_at: datetime

    @classmethod
    def from_row(cls, row: models.WebhookEndpoint) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(str(row.id)), url=row.url, active=row.active, created_at=row.created_at
        )


@strawberry.type
class RegisteredWebhook:
    endpoint: WebhookEndpoint
    secret: str = strawberry.field(description="whsec_…: shown only now; verify signatures with it")


@strawberry.type
class DeliveryAttempt:
    number: int
    started_at: datetime
    finished_at: datetime
    ok: bool
    detail: str


@strawberry.type(description="One notice on one channel to one recipient, with every attempt.")
class Delivery:
    id: strawberry.ID
    channel: str
    kind: str
    recipient: str
    target: str
    language: str
    status: str = strawberry.field(
        description="pending, sending, sent, dead (dead-lettered), uncertain (interrupted "
        "mid-send: never resent)"
    )
    attempts: list[DeliveryAttempt]
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    webhook_id: str | None = strawberry.field(description="the webhook-id, the same on every try")


@strawberry.type
class Announcement:
    id: strawberry.ID
    recipients: int


@strawberry.input
class AnnouncementInput:
    alliance: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    internal: bool = False


def _settings(
    row: models.RecipientSettings | None, prefs: dict[str, models.Preference]
) -> NotificationSettings:
    return NotificationSettings(
        email=row.email if row else None,
        language=row.language if row else "zh",
        preferences=[NotificationPreference.from_row(p) for _, p in sorted(prefs.items())],
    )


@strawberry.type
class Query:
    @strawberry.field(description="The caller's notices from every alliance, newest first.")
    async def my_notifications(
        self, info: Info, first: int = 20, after: str | None = None, unread_only: bool = False
    ) -> Connection[Notification]:
        return await _page(info, first, after, unread_only)

    @strawberry.field(description="Every kind of notice, and which cannot be turned off.")
    def notification_kinds(self) -> list[NotificationKind]:
        return [
            NotificationKind(
                name=k.name,
                mandatory=k.mandatory,
                default_channels=[NotificationChannel(c) for c in k.default_channels],
            )
            for k in KINDS.values()
        ]

    @strawberry.field(description="The caller's address, language and preferences.")
    async def my_notification_settings(self, info: Info, alliance: str) -> NotificationSettings:
        async with info.context.tx.use() as session:
            row, prefs = await rules.preferences_of(
                session, alliance_id(alliance), info.context.principal.user_id
            )
        return _settings(row, prefs)

    @strawberry.field(description="The alliance's webhook endpoints (secretariat).")
    async def webhook_endpoints(self, info: Info, alliance: str) -> list[WebhookEndpoint]:
        rules.require_secretariat(info.context.principal, alliance)
        async with info.context.tx.use() as session:
            rows = await rules.webhooks_of(session, alliance_id(alliance))
        return [WebhookEndpoint.from_row(r) for r in rows]

    @strawberry.field(description="The delivery log per channel, newest first (secretariat).")
    async def delivery_log(
        self,
        info: Info,
        alliance: str,
        channel: str | None = None,
        status: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[Delivery]:
        rules.require_secretariat(info.context.principal, alliance)
        check_page_size(first)
        cursor = tuple(decode_cursor(after, (KEY_TIME, KEY_UUID))) if after else None
        async with info.context.tx.use() as session:
            rows, attempts, total = await rules.delivery_log(
                session,
                alliance_id(alliance),
                channel=channel,
                status=status,
                first=first,
                after=(cursor[0], cursor[1]) if cursor else None,
            )

        def node(row: models.Delivery) -> Delivery:
            return Delivery(
                id=strawberry.ID(str(row.id)),
                channel=row.channel,
                kind=row.kind,
                recipient=row.recipient,
                target=row.target,
                language=row.language,
                status=row.status,
                attempts=[
                    DeliveryAttempt(
                        number=a.number,
                        started_at=a.started_at,
                        finished_at=a.finished_at,
                        ok=a.ok,
                        detail=a.detail,
                    )
                    for a in attempts.get(row.id, [])
                ],
                last_error=row.last_error,
                created_at=row.created_at,
                sent_at=row.sent_at,
                webhook_id=webhook_id(row.id) if row.channel == "webhook" else None,
            )

        return build_connection(
            rows,
            first=first,
            after=after,
            total=total,
            keyset=lambda d: (d.created_at.isoformat(), d.id),
            node=node,
        )


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def mark_notification_read(self, info: Info, id: strawberry.ID) -> Notification:
        async with info.context.tx.use() as session:
            row = await notices.mark_read(session, info.context.principal.user_id, parse_id(id))
        return Notification.from_row(row)

    @strawberry.mutation(description="Mark every unread notice of the caller read.")
    async def mark_all_notifications_read(self, info: Info, alliance: str | None = None) -> int:
        async with info.context.tx.use() as session:
            return await notices.mark_all_read(
                session,
                info.context.principal.user_id,
                alliance_id(alliance) if alliance else None,
            )

    @strawberry.mutation(description="The caller's email address and language in an alliance.")
    async def set_my_notification_settings(
        self, info: Info, alliance: str, language: str, email: str | None = None
    ) -> NotificationSettings:
        user = info.context.principal.user_id
        async with info.context.tx.use() as session:
            await rules.set_settings(
                session, alliance_id(alliance), user, email=email, language=language
            )
            row, prefs = await rules.preferences_of(session, alliance_id(alliance), user)
        return _settings(row, prefs)

    @strawberry.mutation(description="Channels and language for one kind of notice.")
    async def set_notification_preference(
        self,
        info: Info,
        alliance: str,
        kind: str,
        channels: list[NotificationChannel],
        language: str | None = None,
    ) -> NotificationPreference:
        async with info.context.tx.use() as session:
            row = await rules.set_preference(
                session,
                alliance_id(alliance),
                info.context.principal.user_id,
                kind=kind,
                channels=[c.value for c in channels],
                language=language,
            )
        return NotificationPreference.from_row(row)

    @strawberry.mutation(description="Add an endpoint for the alliance's notices (secretariat).")
    async def register_webhook_endpoint(
        self, info: Info, alliance: str, url: str
    ) -> RegisteredWebhook:
        rules.require_secretariat(info.context.principal, alliance)
        production = info.context.settings.environment == "production"
        async with info.context.tx.use() as session:
            row = await rules.register_webhook(
                session, alliance_id(alliance), url, production=production
            )
        return RegisteredWebhook(endpoint=WebhookEndpoint.from_row(row), secret=row.secret)

    @strawberry.mutation(description="Stop sending to an endpoint (secretariat).")
    async def remove_webhook_endpoint(
        self, info: Info, alliance: str, id: strawberry.ID
    ) -> WebhookEndpoint:
        rules.require_secretariat(info.context.principal, alliance)
        async with info.context.tx.use() as session:
            row = await rules.remove_webhook(session, alliance_id(alliance), parse_id(id))
        return WebhookEndpoint.from_row(row)

    @strawberry.mutation(
        description="An announcement of the secretariat to every member and the staff "
        "(AII Art.12); internal = confidential (AII Art.14(4), China–ASEAN Art.19(7))."
    )
    async def announce(self, info: Info, input: AnnouncementInput) -> Announcement:
        rules.require_secretariat(info.context.principal, input.alliance)
        async with info.context.tx.use() as session:
            announcement_id, count = await rules.announce(
                session,
                alliance_id(input.alliance),
                title_zh=input.title_zh,
                title_en=input.title_en,
                body_zh=input.body_zh,
                body_en=input.body_en,
                internal=input.internal,
            )
        return Announcement(id=strawberry.ID(str(announcement_id)), recipients=count)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each new notice of the caller, once it is filed (committed), once each: "
        "the nodes of myNotifications as they arrive. What came before: myNotifications."
    )
    async def notification_added(self, info: Info) -> AsyncGenerator[Notification, None]:
        user = info.context.principal.user_id
        async with hub(info).subscribe(NOTICE_CHANNEL, user) as heard:
            while True:
                ids = [uuid.UUID(i) for i in dict.fromkeys(await heard.batch())]
                async with live_transaction(info) as session:
                    rows = await queries.notices_by_id(session, user, ids)
                for row in rows:
                    # None: not the caller's, or not visible in the caller's scope.
                    if row is not None:
                        yield Notification.from_row(row)


schema = make_schema(
    query=Query, mutation=Mutation, subscription=Subscription, types=[Alliance, Notification]
)
