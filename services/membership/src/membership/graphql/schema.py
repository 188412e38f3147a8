"""Membership's Query and Mutation roots."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from membership import alliances, applications, models
from membership.applications import ApplicationInput
from membership.graphql.types import (
    Alliance,
    Application,
    Membership,
    MembershipTier,
    Organization,
    OrganizationKind,
    parse_id,
)
from membership.organizations import OrganizationInput as OrganizationData
from servicekit.graphql import Info, NotFound, make_schema
from servicekit.tenancy import alliance_id


@strawberry.input
class CreateAllianceInput:
    slug: str = strawberry.field(description="short immutable name, e.g. 'aii'")
    name_zh: str
    name_en: str = ""
    template: str = strawberry.field(description="charter template: aii, aitisa, china-asean")


@strawberry.input
class OrganizationInput:
    name_zh: str
    name_en: str = ""
    kind: OrganizationKind
    country: str = strawberry.field(description="ISO 3166-1 alpha-2, e.g. CN, SG")
    registration_number: str = strawberry.field(
        description="for CN the 18-character unified social credit code"
    )


@strawberry.input
class SubmitApplicationInput:
    alliance: str = strawberry.field(description="the alliance's slug")
    organization: OrganizationInput
    tier: MembershipTier
    contact_name: str
    contact_email: str


@strawberry.type
class Query:
    @strawberry.field(description="The alliances the caller may see.")
    async def alliances(self, info: Info) -> list[Alliance]:
        async with info.context.tx.use() as session:
            rows = await alliances.visible_alliances(session)
        return [Alliance.from_row(r) for r in rows]

    @strawberry.field
    async def alliance(self, info: Info, slug: str) -> Alliance | None:
        async with info.context.tx.use() as session:
            row = await alliances.by_slug(session, slug)
        return Alliance.from_row(row) if row else None

    @strawberry.field(
        description="An application the caller may see (as its contact person "
        "or as the alliance's staff)."
    )
    async def application(self, info: Info, id: strawberry.ID) -> Application | None:
        async with info.context.tx.use() as session:
            found = await applications.applications_by_id(session, [parse_id(id, "application")])
        return Application.from_row(found[0]) if found[0] else None

    @strawberry.field(description="Applications the caller submitted as contact person.")
    async def my_applications(self, info: Info) -> list[Application]:
        async with info.context.tx.use() as session:
            rows = (
                await session.scalars(
                    select(models.Application)
                    .where(models.Application.contact_user_id == info.context.principal.user_id)
                    .order_by(models.Application.submitted_at.desc())
                )
            ).all()
        return [Application.from_row(r) for r in rows]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Create an alliance from a charter template (platform operator)."
    )
    async def create_alliance(self, info: Info, input: CreateAllianceInput) -> Alliance:
        scope = info.context.tx.scope.including([alliance_id(input.slug)])
        async with info.context.tx.use(scope) as session:
            row = await alliances.create_alliance(
                session,
                info.context.principal,
                slug=input.slug,
                name_zh=input.name_zh,
                name_en=input.name_en,
                template=input.template,
            )
        return Alliance.from_row(row)

    @strawberry.mutation(
        description="Apply for membership; the caller becomes the organisation's contact person."
    )
    async def submit_application(self, info: Info, input: SubmitApplicationInput) -> Application:
        scope = info.context.tx.scope.including([alliance_id(input.alliance)])
        async with info.context.tx.use(scope) as session:
            alliance = await alliances.by_slug(session, input.alliance)
            if alliance is None:
                raise NotFound(f"there is no alliance {input.alliance!r}")
            org = input.organization
            row = await applications.submit(
                session,
                info.context.principal,
                alliance,
                ApplicationInput(
                    organization=OrganizationData(
                        org.name_zh,
                        org.name_en,
                        org.kind.value,
                        org.country,
                        org.registration_number,
                    ),
                    tier=input.tier.value,
                    contact_name=input.contact_name,
                    contact_email=input.contact_email,
                ),
            )
        return Application.from_row(row)

    @strawberry.mutation(description="Approve an application (the alliance's secretariat).")
    async def approve_application(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> Application:
        async with info.context.tx.use() as session:
            row = await applications.approve(
                session, info.context.principal, parse_id(id, "application"), reason
            )
        return Application.from_row(row)

    @strawberry.mutation(
        description="Reject an application with its reasons (the alliance's secretariat)."
    )
    async def reject_application(self, info: Info, id: strawberry.ID, reason: str) -> Application:
        async with info.context.tx.use() as session:
            row = await applications.reject(
                session, info.context.principal, parse_id(id, "application"), reason
            )
        return Application.from_row(row)


schema = make_schema(query=Query, mutation=Mutation, types=[Organization, Membership])
