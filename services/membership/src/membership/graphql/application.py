"""The Application entity: a membership matter moving as the charter says."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from membership import models
from membership.graphql.common import (
    ApplicationKind,
    ApplicationStatus,
    BodyKind,
    ContactPerson,
    DecisionReference,
    HistoryEntry,
    Material,
    MembershipTier,
    timeline_of,
)
from membership.graphql.loaders import (
    alliance_loader,
    application_loader,
    documents_loader,
    membership_loader,
    organization_loader,
)
from membership.graphql.membership import Membership
from membership.graphql.organization import Organization
from servicekit.graphql import Info
from servicekit.graphql.ids import parse_id

if TYPE_CHECKING:
    from membership.graphql.alliance import Alliance


@strawberry.federation.type(
    keys=["id"],
    description="An application (admission, change of "
    "tier, withdrawal) or an expulsion proposal, moving as the charter "
    "says.",
)
class Application:
    id: strawberry.ID
    alliance_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID]
    membership_id: strawberry.Private[uuid.UUID | None]
    kind: ApplicationKind
    tier: MembershipTier | None = strawberry.field(description="the tier asked for")
    status: ApplicationStatus
    contact_person: ContactPerson
    grounds: str | None
    submitted_at: datetime
    forwarded_at: datetime | None
    decided_at: datetime | None
    decision_reason: str | None = strawberry.field(
        description="the reasons of a return or rejection, or a note on the decision"
    )
    decision_reference: DecisionReference | None

    @classmethod
    def from_row(cls, row: models.Application) -> Application:
        ref = row.decision_reference
        return cls(
            id=strawberry.ID(str(row.id)),
            alliance_id=row.alliance_id,
            organization_id=row.organization_id,
            membership_id=row.membership_id,
            kind=ApplicationKind(row.kind),
            tier=MembershipTier(row.tier) if row.tier else None,
            status=ApplicationStatus(row.status),
            contact_person=ContactPerson(
                user_id=strawberry.ID(row.contact_user_id),
                name=row.contact_name,
                email=row.contact_email,
            ),
            grounds=row.grounds,
            submitted_at=row.submitted_at,
            forwarded_at=row.forwarded_at,
            decided_at=row.decided_at,
            decision_reason=row.decision_reason,
            decision_reference=DecisionReference(
                body=BodyKind(ref["body"]),
                meeting=ref["meeting"],
                decided_on=date.fromisoformat(ref["decidedOn"]),
                minutes=ref.get("minutes"),
            )
            if ref
            else None,
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

    @strawberry.field(description="The membership it concerns (or created, for an admission).")
    async def membership(self, info: Info) -> Membership | None:
        if self.membership_id is None:
            return None
        row = await membership_loader(info).load(self.membership_id)
        return Membership.from_row(row) if row else None

    @strawberry.field
    async def materials(self, info: Info) -> list[Material]:
        rows = await documents_loader(info).load(parse_id(self.id, "application"))
        return [
            Material(
                material=r.material,
                file_name=r.file_name,
                content_type=r.content_type,
                size=r.size,
                sha256=r.sha256,
                reference=r.reference,
                uploaded_at=r.uploaded_at,
            )
            for r in rows
        ]

    @strawberry.field(description="Every step, oldest first, with the rule it applied.")
    async def timeline(self, info: Info) -> list[HistoryEntry]:
        return await timeline_of(info, parse_id(self.id, "application"))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Application | None:
        row = await application_loader(info).load(parse_id(id, "application"))
        return cls.from_row(row) if row else None
