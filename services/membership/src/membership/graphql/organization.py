"""The Organization entity: one identity across every alliance it belongs to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from membership import models
from membership.graphql.common import OrganizationKind, localized
from membership.graphql.loaders import memberships_of_loader, organization_loader
from servicekit.graphql import Info
from servicekit.graphql.ids import parse_id

if TYPE_CHECKING:
    from membership.graphql.membership import Membership


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

    @strawberry.field
    def name(self, info: Info) -> str:
        return localized(info, self.name_zh, self.name_en or self.name_zh)

    @strawberry.field(
        description="Its memberships in the alliances the caller may see "
        "(every alliance, for the platform operator)."
    )
    async def memberships(
        self, info: Info
    ) -> list[Annotated[Membership, strawberry.lazy("membership.graphql.membership")]]:
        from membership.graphql.membership import Membership

        rows = await memberships_of_loader(info).load(parse_id(self.id, "organization"))
        return [Membership.from_row(r) for r in rows]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Organization | None:
        row = await organization_loader(info).load(parse_id(id, "organization"))
        return cls.from_row(row) if row else None
