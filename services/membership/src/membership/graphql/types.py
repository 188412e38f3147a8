"""Membership's GraphQL types: the entities it owns, and the loaders that fetch them."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

import charter
from membership import alliances, applications, memberships, models, organizations, roles
from membership.charters import parsed
from membership.memberships import MemberFilter, page_of_members, totals_by_tier
from servicekit.graphql import Connection, Forbidden, Info
from servicekit.graphql.glossary import BodyKind, MembershipTier
from servicekit.graphql.ids import parse_id
from servicekit.graphql.pagination import build_connection, check_page_size, decode_cursor

__all__ = ["BodyKind", "MembershipTier"]


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


@strawberry.enum(description="What an application asks for.")
class ApplicationKind(enum.Enum):
    ADMISSION = "admission"
    TIER_CHANGE = "tier_change"
    WITHDRAWAL = "withdrawal"
    EXPULSION = "expulsion"


def _localized(info: Info, zh: str, en: str) -> str:
    return en if info.context.principal.locale == "en" else zh


# --------------------------------------------------------------------------- loaders


def alliance_loader(info: Info) -> Any:
    async def load(ids: Sequence[uuid.UUID]) -> list[models.Alliance | None]:
        async with info.context.tx.use() as session:
            return await alliances.alliances_by_id(session, ids)

    return info.context.loader(load, key="alliance")


def organization_loader(info: Info) -> Any:
    async def load(ids: Sequence[uuid.UUID]) -> list[models.Organization | None]:
        async with info.context.tx.use() as session:
            return await organizations.organizations_by_id(session, ids)

    return info.context.loader(load, key="organization")


def membership_loader(info: Info) -> Any:
    async def load(ids: Sequence[uuid.UUID]) -> list[models.Membership | None]:
        async with info.context.tx.use() as session:
            return await memberships.memberships_by_id(session, ids)

    return info.context.loader(load, key="membership")


def documents_loader(info: Info) -> Any:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[models.Document]]:
        async with info.context.tx.use() as session:
            return await memberships.documents_of(session, ids)

    return info.context.loader(load, key="documents")


def charter_loader(info: Info) -> Any:
    """The charter model in force for an alliance (id → Charter)."""

    async def load(ids: Sequence[uuid.UUID]) -> list[charter.Charter]:
        async with info.context.tx.use() as session:
            rows = await alliances.alliances_by_id(session, ids)
            found = []
            for row in rows:
                assert row is not None, "a visible record's alliance is visible"
                found.append(parsed(await alliances.current_charter(session, row)))
        return found

    return info.context.loader(load, key="charter")


def timeline_loader(info: Info) -> Any:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[models.HistoryEntry]]:
        async with info.context.tx.use() as session:
            timelines = await memberships.history_of(
                session, membership_ids=ids, application_ids=ids
            )
        return [timelines.get(i, []) for i in ids]

    return info.context.loader(load, key="timeline")


# ----------------------------------------------------------------------------- types


@strawberry.type(description="One change, with who made it, when, why and under which rule.")
class HistoryEntry:
    change: str = strawberry.field(description="status, tier, contact, application_status")
    from_value: str | None
    to_value: str | None
    actor: str
    reason: str | None
    rule: str | None = strawberry.field(description="the charter article applied")
    charter_version: int
    at: datetime

    @classmethod
    def from_row(cls, row: models.HistoryEntry) -> HistoryEntry:
        return cls(
            change=row.change,
            from_value=row.from_value,
            to_value=row.to_value,
            actor=row.actor,
            reason=row.reason,
            rule=row.rule,
            charter_version=row.charter_version,
            at=row.at,
        )


async def _timeline(info: Info, key: uuid.UUID) -> list[HistoryEntry]:
    return [HistoryEntry.from_row(r) for r in await timeline_loader(info).load(key)]


@strawberry.type(description="A right of a tier, as the charter states it.")
class Right:
    id: str
    text_zh: str
    text_en: str
    source: str

    @classmethod
    def from_charter(cls, right: charter.Right) -> Right:
        return cls(id=right.id, text_zh=right.text.zh, text_en=right.text.en, source=right.source)

    @strawberry.field
    def text(self, info: Info) -> str:
        return _localized(info, self.text_zh, self.text_en)


@strawberry.type(description="A tier of the charter with every right it carries.")
class TierInfo:
    id: MembershipTier
    rank: int = strawberry.field(description="0 for the lowest tier")
    name_zh: str
    name_en: str
    source: str
    rights: list[Right]

    @strawberry.field
    def name(self, info: Info) -> str:
        return _localized(info, self.name_zh, self.name_en)


def tier_infos(model: charter.Charter) -> list[TierInfo]:
    return [
        TierInfo(
            id=MembershipTier(str(t.id.value)),
            rank=i,
            name_zh=t.name.zh,
            name_en=t.name.en,
            source=t.source,
            rights=[Right.from_charter(r) for r in model.rights_of(t.id)],
        )
        for i, t in enumerate(model.membership.tiers)
    ]


@strawberry.type
class ContactPerson:
    user_id: strawberry.ID
    name: str
    email: str


@strawberry.type
class TierCount:
    tier: MembershipTier
    count: int


@strawberry.type
class Person:
    """Somebody holding a role in an alliance."""

    id: strawberry.ID
    user_id: strawberry.ID
    name: str
    role: str
    assigned_at: datetime

    @classmethod
    def from_row(cls, row: models.RoleAssignment) -> Person:
        return cls(
            id=strawberry.ID(str(row.id)),
            user_id=strawberry.ID(row.user_id),
            name=row.name,
            role=row.role,
            assigned_at=row.assigned_at,
        )


@strawberry.type
class CharterVersionInfo:
    version: int
    adopted_at: datetime
    adopted_by: str
    reason: str
    document: JSON = strawberry.field(description="the charter as data (see charter JSON Schema)")

    @classmethod
    def from_row(cls, row: models.CharterVersion) -> CharterVersionInfo:
        return cls(
            version=row.version,
            adopted_at=row.adopted_at,
            adopted_by=row.adopted_by,
            reason=row.reason,
            document=cast(JSON, row.document),
        )


@strawberry.type
class Material:
    material: str
    file_name: str | None
    content_type: str | None
    size: int | None
    sha256: str | None
    reference: str | None
    uploaded_at: datetime


@strawberry.type
class DecisionReference:
    body: BodyKind
    meeting: str
    decided_on: date
    minutes: str | None


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
        return _localized(info, self.name_zh, self.name_en or self.name_zh)

    @strawberry.field(
        description="Its memberships in the alliances the caller may see "
        "(every alliance, for the platform operator)."
    )
    async def memberships(self, info: Info) -> list[Membership]:
        async with info.context.tx.use() as session:
            rows = await memberships.of_organization(session, parse_id(self.id, "organization"))
        return [Membership.from_row(r) for r in rows]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Organization | None:
        row = await organization_loader(info).load(parse_id(id, "organization"))
        return cls.from_row(row) if row else None


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
    async def alliance(self, info: Info) -> Annotated[Alliance, strawberry.lazy(__name__)]:
        return Alliance.from_row(await alliance_loader(info).load(self.alliance_id))

    @strawberry.field(description="Every right of its tier under the charter in force.")
    async def rights(self, info: Info) -> list[Right]:
        if self.status != MembershipStatus.ACTIVE:
            return []
        model = await charter_loader(info).load(self.alliance_id)
        return [Right.from_charter(r) for r in model.rights_of(self.tier.value)]

    @strawberry.field(description="Every change of status, tier and contact, oldest first.")
    async def timeline(self, info: Info) -> list[HistoryEntry]:
        return await _timeline(info, parse_id(self.id, "membership"))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Membership | None:
        async with info.context.tx.use() as session:
            found = await memberships.memberships_by_id(session, [parse_id(id, "membership")])
        return cls.from_row(found[0]) if found[0] else None


@strawberry.type
class MembershipConnection(Connection[Membership]):
    totals_by_tier: list[TierCount] = strawberry.field(
        description="members per tier under the same filters (the tier filter aside)"
    )


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
    async def alliance(self, info: Info) -> Annotated[Alliance, strawberry.lazy(__name__)]:
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
        return await _timeline(info, parse_id(self.id, "application"))

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
        return _localized(info, self.name_zh, self.name_en)

    @strawberry.field(description="Member organisations in name order, with totals per tier.")
    async def members(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        tier: MembershipTier | None = None,
        status: MembershipStatus | None = MembershipStatus.ACTIVE,
        country: str | None = None,
        name: str | None = None,
    ) -> MembershipConnection:
        check_page_size(first)
        cursor = decode_cursor(after, 2) if after else None
        filters = MemberFilter(
            tier=tier.value if tier else None,
            status=status.value if status else None,
            country=country,
            name=name,
        )
        alliance_id = parse_id(self.id, "alliance")
        async with info.context.tx.use() as session:
            rows, total = await page_of_members(
                session, alliance_id, filters, first=first, after=cursor
            )
            totals = await totals_by_tier(session, alliance_id, filters)
        return build_connection(
            rows,
            first=first,
            after=after,
            total=total,
            keyset=lambda m: (m.sort_name, m.id),
            node=Membership.from_row,
            connection=MembershipConnection,
            # lowest tier first, as the charters order them
            totals_by_tier=[
                TierCount(tier=t, count=totals[t.value])
                for t in MembershipTier
                if t.value in totals
            ],
        )

    @strawberry.field(
        description="The tiers of the charter in force, lowest first, with every "
        "right of each (the rights table)."
    )
    async def tiers(self, info: Info) -> list[TierInfo]:
        return tier_infos(await charter_loader(info).load(parse_id(self.id, "alliance")))

    @strawberry.field(description="The charter in force.")
    async def charter(self, info: Info) -> CharterVersionInfo:
        alliance = await alliance_loader(info).load(parse_id(self.id, "alliance"))
        async with info.context.tx.use() as session:
            return CharterVersionInfo.from_row(await alliances.current_charter(session, alliance))

    @strawberry.field(description="Every version of the charter, oldest first.")
    async def charter_versions(self, info: Info) -> list[CharterVersionInfo]:
        async with info.context.tx.use() as session:
            rows = await alliances.versions_of(session, parse_id(self.id, "alliance"))
        return [CharterVersionInfo.from_row(r) for r in rows]

    @strawberry.field(description="People holding roles in the alliance.")
    async def people(self, info: Info) -> list[Person]:
        async with info.context.tx.use() as session:
            found = await roles.current(session, [parse_id(self.id, "alliance")])
        return [Person.from_row(r) for r in found[0]]

    @strawberry.field(description="Applications, newest first (the alliance's staff).")
    async def applications(
        self,
        info: Info,
        status: ApplicationStatus | None = None,
        kind: ApplicationKind | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Application]:
        if not info.context.principal.is_staff(self.slug):
            raise Forbidden(f"only the staff of {self.slug} list its applications")
        check_page_size(first)
        cursor = decode_cursor(after, 2) if after else None
        async with info.context.tx.use() as session:
            rows, total = await memberships.page_of_applications(
                session,
                parse_id(self.id, "alliance"),
                status=status.value if status else None,
                kind=kind.value if kind else None,
                first=first,
                after=cursor,
            )
        return build_connection(
            rows,
            first=first,
            after=after,
            total=total,
            keyset=lambda a: (a.submitted_at.isoformat(), a.id),
            node=Application.from_row,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Alliance | None:
        row = await alliance_loader(info).load(parse_id(id, "alliance"))
        return cls.from_row(row) if row else None


@strawberry.type(description="Whether an organisation holds a right in an alliance, and why.")
class RightCheck:
    allowed: bool
    tier: MembershipTier | None
    source: str | None = strawberry.field(description="the article granting the right")
    reason: str
