"""Membership's GraphQL types: the entities it owns and the loaders that fetch them."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import strawberry

from membership import alliances, applications, memberships, models, organizations
from membership.memberships import MemberFilter, page_of_members
from servicekit.graphql import Connection, DomainError, Info
from servicekit.graphql.pagination import build_connection, check_page_size, decode_cursor


@strawberry.enum(description="An organisation's membership tier (GLOSSARY).")
class MembershipTier(enum.Enum):
    ORDINARY = "ordinary"
    DIRECTOR = "director"
    VICE_CHAIR = "vice_chair"
    CHAIR = "chair"


@strawberry.enum
class OrganizationKind(enum.Enum):
    ENTERPRISE = "enterprise"
    INSTITUTION = "institution"
    ASSOCIATION = "association"
    UNIVERSITY = "university"
    RESEARCH_INSTITUTE = "research_institute"
    FINANCIAL_INSTITUTION = "financial_institution"


@strawberry.enum
class MembershipStatus(enum.Enum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    EXPELLED = "expelled"
    TERMINATED = "terminated"


@strawberry.enum
class ApplicationStatus(enum.Enum):
    SUBMITTED = "submitted"
    FORWARDED = "forwarded"
    RETURNED = "returned"
    APPROVED = "approved"
    REJECTED = "rejected"


def parse_id(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise DomainError(f"{value!r} is not a valid {what} id", code="BAD_USER_INPUT") from exc


async def _load_alliances(info: Info, ids: Sequence[uuid.UUID]):
    async with info.context.tx.use() as session:
        return await alliances.alliances_by_id(session, ids)


def alliance_loader(info: Info):
    return info.context.loader(lambda ids: _load_alliances(info, ids), key="alliance")


def organization_loader(info: Info):
    async def load(ids: Sequence[uuid.UUID]):
        async with info.context.tx.use() as session:
            return await organizations.organizations_by_id(session, ids)

    return info.context.loader(load, key="organization")


@strawberry.type
class ContactPerson:
    user_id: strawberry.ID
    name: str
    email: str


@strawberry.federation.type(
    keys=["id"],
    description="A member organisation: one identity across every alliance it belongs to.",
)
class Organization:
    id: strawberry.ID
    name_zh: str
    name_en: str
    kind: OrganizationKind
    country: str = strawberry.field(description="ISO 3166-1 alpha-2")
    registration_number: str

    @classmethod
    def from_row(cls, row: models.Organization) -> Organization:
        return cls(
            id=strawberry.ID(str(row.id)),
            name_zh=row.name_zh,
            name_en=row.name_en,
            kind=OrganizationKind(row.kind),
            country=row.country,
            registration_number=row.registration_number,
        )


@strawberry.federation.type(keys=["id"], description="An organisation's membership of an alliance.")
class Membership:
    id: strawberry.ID
    alliance_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    tier: MembershipTier
    status: MembershipStatus
    contact_person: ContactPerson
    joined_at: datetime

    @classmethod
    def from_row(cls, row: models.Membership) -> Membership:
        return cls(
            id=strawberry.ID(str(row.id)),
            alliance_id=row.alliance_id,
            organization_id=row.organization_id,
            tier=MembershipTier(row.tier),
            status=MembershipStatus(row.status),
            contact_person=ContactPerson(
                user_id=strawberry.ID(row.contact_user_id),
                name=row.contact_name,
                email=row.contact_email,
            ),
            joined_at=row.joined_at,
        )

    @strawberry.field
    async def organization(self, info: Info) -> Organization:
        row = await organization_loader(info).load(self.organization_id)
        return Organization.from_row(row)

    @strawberry.field
    async def alliance(self, info: Info) -> Annotated[Alliance, strawberry.lazy(__name__)]:
        return Alliance.from_row(await alliance_loader(info).load(self.alliance_id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Membership | None:
        async with info.context.tx.use() as session:
            found = await memberships.memberships_by_id(session, [parse_id(id, "membership")])
        return cls.from_row(found[0]) if found[0] else None


@strawberry.federation.type(keys=["id"])
class Application:
    id: strawberry.ID
    alliance_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    tier: MembershipTier
    status: ApplicationStatus
    contact_person: ContactPerson
    submitted_at: datetime
    decided_at: datetime | None
    decision_reason: str | None

    @classmethod
    def from_row(cls, row: models.Application) -> Application:
        return cls(
            id=strawberry.ID(str(row.id)),
            alliance_id=row.alliance_id,
            organization_id=row.organization_id,
            tier=MembershipTier(row.tier),
            status=ApplicationStatus(row.status),
            contact_person=ContactPerson(
                user_id=strawberry.ID(row.contact_user_id),
                name=row.contact_name,
                email=row.contact_email,
            ),
            submitted_at=row.submitted_at,
            decided_at=row.decided_at,
            decision_reason=row.decision_reason,
        )

    @strawberry.field
    async def organization(self, info: Info) -> Organization:
        return Organization.from_row(await organization_loader(info).load(self.organization_id))

    @strawberry.field
    async def alliance(self, info: Info) -> Annotated[Alliance, strawberry.lazy(__name__)]:
        return Alliance.from_row(await alliance_loader(info).load(self.alliance_id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Application | None:
        async with info.context.tx.use() as session:
            found = await applications.applications_by_id(session, [parse_id(id, "application")])
        return cls.from_row(found[0]) if found[0] else None


@strawberry.federation.type(
    keys=["id"], description="An alliance: a tenant of the platform, running by its own charter."
)
class Alliance:
    id: strawberry.ID
    slug: str
    name_zh: str
    name_en: str
    template: str = strawberry.field(description="the charter template it was created from")
    charter_version: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: models.Alliance) -> Alliance:
        return cls(
            id=strawberry.ID(str(row.id)),
            slug=row.slug,
            name_zh=row.name_zh,
            name_en=row.name_en,
            template=row.template,
            charter_version=row.charter_version,
            created_at=row.created_at,
        )

    @strawberry.field(description="The name in the caller's language.")
    def name(self, info: Info) -> str:
        return self.name_en if info.context.principal.locale == "en" else self.name_zh

    @strawberry.field(description="Member organisations, in name order.")
    async def members(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        tier: MembershipTier | None = None,
        status: MembershipStatus | None = MembershipStatus.ACTIVE,
        country: str | None = None,
        name: str | None = None,
    ) -> Connection[Membership]:
        check_page_size(first)
        cursor = tuple(decode_cursor(after, 2)) if after else None
        filters = MemberFilter(
            tier=tier.value if tier else None,
            status=status.value if status else None,
            country=country,
            name=name,
        )
        async with info.context.tx.use() as session:
            rows, total = await page_of_members(
                session, uuid.UUID(self.id), filters, first=first, after=cursor
            )
        return build_connection(
            rows,
            first=first,
            after=after,
            total=total,
            keyset=lambda m: (m.sort_name, m.id),
            node=Membership.from_row,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Alliance | None:
        row = await alliance_loader(info).load(parse_id(id, "alliance"))
        return cls.from_row(row) if row else None
