"""Finance's subgraph: budgets, and ``Alliance.budgets``."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from datetime import datetime

import strawberry

from finance import budgets, models
from servicekit.graphql import Info, make_schema
from servicekit.graphql.ids import parse_id


@strawberry.enum
class BudgetStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"


def _budgets_loader(info: Info):
    async def load(ids: Sequence[uuid.UUID]) -> list[list[models.Budget]]:
        async with info.context.tx.use() as session:
            return await budgets.budgets_of(session, ids)

    return info.context.loader(load, key="budgets_of")


@strawberry.federation.type(keys=["id"], description="An alliance's budget for one fiscal year.")
class Budget:
    id: strawberry.ID
    alliance_id: strawberry.Private[uuid.UUID]
    fiscal_year: int
    currency: str
    status: BudgetStatus
    created_at: datetime

    @classmethod
    def from_row(cls, row: models.Budget) -> Budget:
        return cls(
            id=strawberry.ID(str(row.id)),
            alliance_id=row.alliance_id,
            fiscal_year=row.fiscal_year,
            currency=row.currency,
            status=BudgetStatus(row.status),
            created_at=row.created_at,
        )

    @strawberry.field
    def alliance(self) -> Alliance:
        return Alliance(id=strawberry.ID(str(self.alliance_id)))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Budget | None:
        async with info.context.tx.use() as session:
            found = await budgets.budgets_by_id(session, [parse_id(id)])
        return cls.from_row(found[0]) if found[0] else None


@strawberry.federation.type(keys=["id"])
class Alliance:
    id: strawberry.ID

    @strawberry.field(description="The alliance's budgets, newest fiscal year first.")
    async def budgets(self, info: Info) -> list[Budget]:
        return [Budget.from_row(r) for r in await _budgets_loader(info).load(parse_id(self.id))]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Alliance:
        return cls(id=id)


@strawberry.type
class Query:
    @strawberry.field
    async def budget(self, info: Info, id: strawberry.ID) -> Budget | None:
        return await Budget.resolve_reference(info, id)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Start a draft budget for a fiscal year (secretariat).")
    async def create_budget(
        self, info: Info, alliance: str, fiscal_year: int, currency: str = "CNY"
    ) -> Budget:
        async with info.context.tx.use() as session:
            row = await budgets.create_budget(
                session,
                info.context.principal,
                alliance_slug=alliance,
                fiscal_year=fiscal_year,
                currency=currency,
            )
        return Budget.from_row(row)


schema = make_schema(query=Query, mutation=Mutation, types=[Alliance, Budget])
