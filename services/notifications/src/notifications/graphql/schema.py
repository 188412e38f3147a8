"""Notifications' subgraph: the caller's notices, overall and per alliance."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from notifications import models, notices
from servicekit.graphql import Connection, Info, make_schema
from servicekit.graphql.ids import parse_id
from servicekit.graphql.pagination import build_connection, check_page_size, decode_cursor


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
        async with info.context.tx.use() as session:
            row = await session.get(models.Notification, parse_id(id))
        if row is None or row.recipient_id != info.context.principal.user_id:
            return None
        return cls.from_row(row)


async def _page(
    info: Info,
    first: int,
    after: str | None,
    unread_only: bool,
    alliance_id: uuid.UUID | None = None,
) -> Connection[Notification]:
    check_page_size(first)
    cursor = tuple(decode_cursor(after, 2)) if after else None
    async with info.context.tx.use() as session:
        rows, total = await notices.page_for(
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


@strawberry.type
class Query:
    @strawberry.field(description="The caller's notices from every alliance, newest first.")
    async def my_notifications(
        self, info: Info, first: int = 20, after: str | None = None, unread_only: bool = False
    ) -> Connection[Notification]:
        return await _page(info, first, after, unread_only)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def mark_notification_read(self, info: Info, id: strawberry.ID) -> Notification:
        async with info.context.tx.use() as session:
            row = await notices.mark_read(session, info.context.principal.user_id, parse_id(id))
        return Notification.from_row(row)


schema = make_schema(query=Query, mutation=Mutation, types=[Alliance, Notification])
