"""The Membership entity: an organisation's membership of an alliance."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from membership import models
from membership.graphql.common import (
    ContactPerson,
    HistoryEntry,
    MembershipStatus,
    MembershipTier,
    Right,
    TierCount,
    timeline_of,
)
from membership.graphql.loaders import (
    alliance_loader,
    charter_loader,
    membership_loader,
    organization_loader,
)
from membership.graphql.organization import Organization
from servicekit.graphql import Connection, Info
from servicekit.graphql.ids import parse_id

if TYPE_CHECKING:
    from membership.graphql.alliance import Alliance


@strawberry.federation.type(keys=["id"], description="An organisation's membership of an alliance.")
class Membership:
    id: strawberry.ID
    alliance_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    tier: MembershipTier
    status: MembershipStatus
    contact_person: ContactPerson
    certificate_number: str | None = strawberry.field(
        description="the membership certificate, where the charter issues one"
    )
    joined_at: datetime
    ended_at: datetime | None

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
            certificate_number=row.certificate_number,
            joined_at=row.joined_at,
            ended_at=row.ended_at,
        )

    @strawberry.field
    async def organization(self, info: Info) -> Organization:
        return Organization.from_row(await organization_loader(info).load(self.organization_id))

    @strawberry.field
    async def alliance(
        self, info: Info
    ) -> Annotated[Alliance, strawberry.lazy("membership.graphql.alliance")]:
        from membership.graphql.alliance import Alliance

        return Alliance.from_row(await alliance_loader(info).load(self.alliance_id))

    @strawberry.field(description="Every right of its tier under the charter in force.")
    async def rights(self, info: Info) -> list[Right]:
        if self.status != MembershipStatus.ACTIVE:
            return []
        model = await charter_loader(info).load(self.alliance_id)
        return [Right.from_charter(r) for r in model.rights_of(self.tier.value)]

    @strawberry.field(description="Every change of status, tier and contact, oldest first.")
    async def timeline(self, info: Info) -> list[HistoryEntry]:
        return await timeline_of(info, parse_id(self.id, "membership"))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Membership | None:
        row = await membership_loader(info).load(parse_id(id, "membership"))
        return cls.from_row(row) if row else None


@strawberry.type
class MembershipConnection(Connection[Membership]):
    totals_by_tier: list[TierCount] = strawberry.field(
        description="members per tier under the same filters (the tier filter aside)"
    )
