"""The Alliance entity: a tenant of the platform, with its members, charter and people."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from membership import models, queries
from membership.graphql import figures
from membership.graphql.application import Application
from membership.graphql.common import (
    ApplicationKind,
    ApplicationStatus,
    CharterVersionInfo,
    MembershipStatus,
    MembershipTier,
    Person,
    TierCount,
    TierInfo,
    localized,
    tier_infos,
)
from membership.graphql.loaders import alliance_loader, charter_loader
from membership.graphql.membership import Membership, MembershipConnection
from servicekit.figures import Grouping
from servicekit.graphql import Connection, Info
from servicekit.graphql.ids import parse_id
from servicekit.graphql.pagination import (
    KEY_TEXT,
    KEY_TIME,
    KEY_UUID,
    build_connection,
    check_page_size,
    decode_cursor,
    selects,
)


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
        return localized(info, self.name_zh, self.name_en)

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
        cursor = decode_cursor(after, (KEY_TEXT, KEY_UUID)) if after else None
        filters = queries.MemberFilter(
            tier=tier.value if tier else None,
            status=status.value if status else None,
            country=country,
            name=name,
        )
        alliance_id = parse_id(self.id, "alliance")
        async with info.context.tx.use() as session:
            rows = await queries.page_of_members(
                session, alliance_id, filters, first=first, after=cursor
            )
            # One count per tier gives both totals, and only when the query asks for them.
            totals = (
                await queries.totals_by_tier(session, alliance_id, filters)
                if selects(info, "totalCount", "totalsByTier")
                else {}
            )
        total = totals.get(tier.value, 0) if tier else sum(totals.values())
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
            return CharterVersionInfo.from_row(await queries.current_charter(session, alliance))

    @strawberry.field(description="Every version of the charter, oldest first.")
    async def charter_versions(self, info: Info) -> list[CharterVersionInfo]:
        async with info.context.tx.use() as session:
            rows = await queries.versions_of(session, parse_id(self.id, "alliance"))
        return [CharterVersionInfo.from_row(r) for r in rows]

    @strawberry.field(description="People holding roles in the alliance.")
    async def people(self, info: Info) -> list[Person]:
        async with info.context.tx.use() as session:
            found = await queries.current_roles(session, [parse_id(self.id, "alliance")])
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
        check_page_size(first)
        cursor = decode_cursor(after, (KEY_TIME, KEY_UUID)) if after else None
        async with info.context.tx.use() as session:
            rows, total = await queries.page_of_applications(
                session,
                info.context.principal,
                self.slug,
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

    @strawberry.field(
        description="The alliance's membership in figures over a window (its staff and the "
        "operator; one aggregate for every alliance of the request). Periods in UTC."
    )
    async def membership_figures(
        self, info: Info, since: date, until: date, grouping: Grouping = Grouping.MONTH
    ) -> figures.MembershipFigures | None:
        return await figures.for_alliance(info, self.id, since, until, grouping)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Alliance | None:
        row = await alliance_loader(info).load(parse_id(id, "alliance"))
        return cls.from_row(row) if row else None
