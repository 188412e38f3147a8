"""Governance's subgraph: bodies, and ``Alliance.bodies``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import strawberry

from governance import bodies, models
from servicekit.graphql import Info, make_schema
from servicekit.graphql.glossary import BodyKind
from servicekit.graphql.ids import parse_id


def _bodies_loader(info: Info):
    async def load(ids: Sequence[uuid.UUID]) -> list[list[models.Body]]:
        async with info.context.tx.use() as session:
            return await bodies.bodies_of(session, ids)

    return info.context.loader(load, key="bodies_of")


@strawberry.federation.type(
    keys=["id"],
    description="A body of an alliance: its general "
    "assembly, council, standing council, committees, secretariat …",
)
class Body:
    id: strawberry.ID
    alliance_id: strawberry.Private[uuid.UUID]
    kind: BodyKind
    name_zh: str
    name_en: str
    min_meetings_per_year: int | None = strawberry.field(
        description="the charter's minimum number of meetings a year, if it sets one"
    )
    source: str = strawberry.field(description="the charter article that sets the body up")

    @classmethod
    def from_row(cls, row: models.Body) -> Body:
        return cls(
            id=strawberry.ID(str(row.id)),
            alliance_id=row.alliance_id,
            kind=BodyKind(row.kind),
            name_zh=row.name_zh,
            name_en=row.name_en,
            min_meetings_per_year=row.min_meetings_per_year,
            source=row.source,
        )

    @strawberry.field(description="The name in the caller's language.")
    def name(self, info: Info) -> str:
        return self.name_en if info.context.principal.locale == "en" else self.name_zh

    @strawberry.field
    def alliance(self) -> Alliance:
        return Alliance(id=strawberry.ID(str(self.alliance_id)))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Body | None:
        async with info.context.tx.use() as session:
            found = await bodies.bodies_by_id(session, [parse_id(id)])
        return cls.from_row(found[0]) if found[0] else None


@strawberry.federation.type(keys=["id"])
class Alliance:
    id: strawberry.ID

    @strawberry.field(description="The alliance's bodies, as its charter sets them up.")
    async def bodies(self, info: Info) -> list[Body]:
        rows = await _bodies_loader(info).load(parse_id(self.id))
        return [Body.from_row(r) for r in rows]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Alliance:
        return cls(id=id)


@strawberry.type
class Query:
    @strawberry.field
    async def body(self, info: Info, id: strawberry.ID) -> Body | None:
        return await Body.resolve_reference(info, id)


schema = make_schema(query=Query, types=[Alliance, Body])
