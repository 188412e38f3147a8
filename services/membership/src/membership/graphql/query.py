"""Membership's Query root."""

from __future__ import annotations

import strawberry

from membership import queries
from membership.graphql.alliance import Alliance
from membership.graphql.application import Application
from membership.graphql.calendars import CalendarQuery
from membership.graphql.common import MembershipTier, RightCheck
from membership.graphql.figures import FiguresQuery
from membership.graphql.loaders import organization_loader
from membership.graphql.membership import Membership
from membership.graphql.organization import Organization
from servicekit.graphql import Info
from servicekit.graphql.ids import parse_id


@strawberry.type
class Query(FiguresQuery, CalendarQuery):
    @strawberry.field(description="The alliances the caller may see.")
    async def alliances(self, info: Info) -> list[Alliance]:
        async with info.context.tx.use() as session:
            rows = await queries.visible_alliances(session)
        return [Alliance.from_row(r) for r in rows]

    @strawberry.field
    async def alliance(self, info: Info, slug: str) -> Alliance | None:
        async with info.context.tx.use() as session:
            row = await queries.alliance_by_slug(session, slug)
        return Alliance.from_row(row) if row else None

    @strawberry.field(
        description="An application the caller may see (as its contact person "
        "or as the alliance's staff)."
    )
    async def application(self, info: Info, id: strawberry.ID) -> Application | None:
        return await Application.resolve_reference(info, id)

    @strawberry.field
    async def membership(self, info: Info, id: strawberry.ID) -> Membership | None:
        return await Membership.resolve_reference(info, id)

    @strawberry.field(
        description="An organisation and its memberships (across every alliance, "
        "for the platform operator)."
    )
    async def organization(self, info: Info, id: strawberry.ID) -> Organization | None:
        row = await organization_loader(info).load(parse_id(id, "organization"))
        return Organization.from_row(row) if row else None

    @strawberry.field(description="Applications the caller is the contact person of.")
    async def my_applications(self, info: Info) -> list[Application]:
        async with info.context.tx.use() as session:
            rows = await queries.my_applications(session, info.context.principal.user_id)
        return [Application.from_row(r) for r in rows]

    @strawberry.field(description="Memberships the caller is the contact person of.")
    async def my_memberships(self, info: Info) -> list[Membership]:
        async with info.context.tx.use() as session:
            rows = await queries.my_memberships(session, info.context.principal.user_id)
        return [Membership.from_row(r) for r in rows]

    @strawberry.field(
        description="Whether an organisation holds a right in an alliance under "
        "the charter in force, and the article that grants it."
    )
    async def right_check(
        self, info: Info, alliance: str, organization_id: strawberry.ID, right: str
    ) -> RightCheck:
        org = parse_id(organization_id, "organization")
        async with info.context.tx.use() as session:
            answer = await queries.right_check(
                session, await queries.visible_alliance(session, alliance), org, right
            )
        return RightCheck(
            allowed=answer.allowed,
            tier=MembershipTier(answer.tier) if answer.tier else None,
            source=answer.source,
            reason=answer.reason,
        )
