"""Budgets in the API (and ``Alliance.budgets``)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from finance import budgets, matters, models, queries
from finance.graphql.figures import BudgetFigures, FinanceFigures, budget_for_alliance
from finance.graphql.figures import for_alliance as figures_for_alliance
from finance.graphql.money import Currency, Money, minor_of
from finance.kinds import BudgetStatus as BudgetStatusEnum
from finance.money import Currency as CurrencyEnum
from servicekit.figures import Grouping
from servicekit.graphql import Info
from servicekit.graphql.ids import parse_id
from servicekit.tenancy import alliance_id

BudgetStatus = strawberry.enum(BudgetStatusEnum)


@strawberry.type(description="A matter finance put to a vote, and its decision.")
class Matter:
    id: strawberry.ID
    kind: str
    status: str
    motion_id: strawberry.ID | None
    body: str | None
    rule: str | None
    decided_on: date | None

    @classmethod
    def of(cls, r: Any) -> Matter:
        return cls(
            id=strawberry.ID(str(r.id)),
            kind=r.kind,
            status=r.status,
            motion_id=strawberry.ID(str(r.motion_id)) if r.motion_id else None,
            body=r.body,
            rule=r.rule,
            decided_on=r.decided_on,
        )


@strawberry.type
class BudgetLine:
    account: str
    name_zh: str
    name_en: str
    fund: str | None
    amount: Money
    note: str | None


def _lines_loader(info: Info) -> DataLoader[uuid.UUID, Any]:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[Any]]:
        async with info.context.tx.use() as session:
            return await queries.budget_lines_of(session, ids)

    return info.context.loader(load, key="budget_lines")


def _matters_loader(info: Info) -> DataLoader[uuid.UUID, Any]:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[Any]]:
        async with info.context.tx.use() as session:
            return await matters.matters_of(session, ids)

    return info.context.loader(load, key="matters_of")


@strawberry.federation.type(keys=["id"], description="An annual budget, or a working group's.")
class Budget:
    id: strawberry.ID
    alliance_id: strawberry.Private[uuid.UUID]
    fiscal_year: int
    currency: str
    status: BudgetStatus  # type: ignore[valid-type]
    working_group_id: strawberry.ID | None
    working_group_name: str | None
    approved_at: datetime | None
    created_at: datetime
    returned_reasons: str | None = strawberry.field(
        description="Why the secretariat's preliminary review last returned it to the group "
        "(AITISA Art.12(1))."
    )

    @classmethod
    def from_row(cls, row: models.Budget) -> Budget:
        return cls(
            id=strawberry.ID(str(row.id)),
            alliance_id=row.alliance_id,
            fiscal_year=row.fiscal_year,
            currency=row.currency,
            status=BudgetStatusEnum(row.status),
            working_group_id=strawberry.ID(str(row.working_group_id))
            if row.working_group_id
            else None,
            working_group_name=row.working_group_name,
            approved_at=row.approved_at,
            created_at=row.created_at,
            returned_reasons=row.returned_reasons,
        )

    @strawberry.field
    def alliance(self) -> Alliance:
        return Alliance(id=strawberry.ID(str(self.alliance_id)))

    @strawberry.field(description="The lines, by account code.")
    async def lines(self, info: Info) -> list[BudgetLine]:
        rows = await _lines_loader(info).load(parse_id(self.id))
        return [
            BudgetLine(
                account=r.account,
                name_zh=r.name_zh,
                name_en=r.name_en,
                fund=r.fund,
                amount=Money.of(r.amount_minor, self.currency),
                note=r.note,
            )
            for r in rows
        ]

    @strawberry.field(description="Every time it went to a vote, oldest first.")
    async def matters(self, info: Info) -> list[Matter]:
        return [Matter.of(r) for r in await _matters_loader(info).load(parse_id(self.id))]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Budget | None:
        row = await _budget_loader(info).load(parse_id(id, "budget"))
        return cls.from_row(row) if row else None


def _budget_loader(info: Info) -> DataLoader[uuid.UUID, Any]:
    async def load(ids: Sequence[uuid.UUID]) -> list[models.Budget | None]:
        async with info.context.tx.use() as session:
            return await queries.budgets_by_id(session, ids)

    return info.context.loader(load, key="budget")


def _budgets_loader(info: Info) -> DataLoader[uuid.UUID, Any]:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[models.Budget]]:
        async with info.context.tx.use() as session:
            return await queries.budgets_of(session, ids)

    return info.context.loader(load, key="budgets_of")


@strawberry.federation.type(keys=["id"])
class Alliance:
    id: strawberry.ID

    @strawberry.field(description="The alliance's budgets, newest fiscal year first.")
    async def budgets(self, info: Info) -> list[Budget]:
        return [Budget.from_row(r) for r in await _budgets_loader(info).load(parse_id(self.id))]

    @strawberry.field(
        description="Membership fees invoiced and paid per period, and those overdue now, per "
        "currency, over a window (staff and the operator). Batched over the request's alliances."
    )
    async def finance_figures(
        self, info: Info, since: date, until: date, grouping: Grouping = Grouping.MONTH
    ) -> FinanceFigures:
        return await figures_for_alliance(info, self.id, since, until, grouping)

    @strawberry.field(
        description="Budget execution (预算执行) of the approved annual budget of a fiscal year: "
        "budgeted against actual per account and fund, per currency (staff and the operator). "
        "Batched over the request's alliances."
    )
    async def budget_figures(self, info: Info, fiscal_year: int) -> BudgetFigures:
        return await budget_for_alliance(info, self.id, fiscal_year)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Alliance:
        return cls(id=id)


@strawberry.type
class BudgetQuery:
    @strawberry.field
    async def budget(self, info: Info, id: strawberry.ID) -> Budget | None:
        return await Budget.resolve_reference(info, id)


@asynccontextmanager
async def preparing(info: Info) -> AsyncIterator[AsyncSession]:
    """The session widened to every alliance the caller holds any role in: a working group's
    leader is a member's contact person, with no scope of its own in the alliance; the domain
    functions decide who may prepare what (``finance.budgets``, AITISA Art.12(1))."""
    principal = info.context.principal
    async with info.context.tx.widened(
        [alliance_id(slug) for slug in principal.alliance_roles]
    ) as session:
        yield session


@strawberry.type
class BudgetMutation:
    @strawberry.mutation(
        description="Start a draft budget for a fiscal year (secretariat; a "
        "working group's budget names the group, approved and not dissolved, and is prepared "
        "by its leader or a co-leader too, AITISA Art.12(1); it takes the group's own name, "
        "``workingGroupName`` is not needed)."
    )
    async def create_budget(
        self,
        info: Info,
        alliance: str,
        fiscal_year: int,
        currency: Currency = CurrencyEnum.CNY,  # type: ignore[valid-type]
        working_group_id: strawberry.ID | None = None,
        working_group_name: str | None = None,
    ) -> Budget:
        async with preparing(info) as session:
            row = await budgets.create_budget(
                session,
                info.context.principal,
                alliance_slug=alliance,
                fiscal_year=fiscal_year,
                currency=CurrencyEnum(currency),
                working_group=parse_id(working_group_id) if working_group_id else None,
                working_group_name=working_group_name,
            )
        return Budget.from_row(row)

    @strawberry.mutation(description="Set the amount of one line of a draft budget.")
    async def set_budget_line(
        self,
        info: Info,
        budget_id: strawberry.ID,
        account: str,
        amount: Decimal,
        fund: str | None = None,
        note: str | None = None,
    ) -> Budget:
        async with preparing(info) as session:
            found = (await queries.budgets_by_id(session, [parse_id(budget_id)]))[0]
            currency = CurrencyEnum(found.currency) if found else CurrencyEnum.CNY
            row = await budgets.set_line(
                session,
                info.context.principal,
                budget_id=parse_id(budget_id),
                account=account,
                fund=fund,
                minor=minor_of(amount, currency),
                note=note,
            )
        return Budget.from_row(row)

    @strawberry.mutation(
        description="Submit: the annual budget goes to the council's vote; a "
        "working group's to the secretariat's preliminary review."
    )
    async def submit_budget(self, info: Info, budget_id: strawberry.ID) -> Budget:
        async with preparing(info) as session:
            row = await budgets.submit(
                session,
                info.context.principal,
                budget_id=parse_id(budget_id),
                today=datetime.now(UTC).date(),
            )
        return Budget.from_row(row)

    @strawberry.mutation(
        description="The secretariat's preliminary review of a working group's "
        "budget (AITISA Art.12(1)): forward to the chair's office, or return."
    )
    async def review_working_group_budget(
        self, info: Info, budget_id: strawberry.ID, forward: bool, reason: str | None = None
    ) -> Budget:
        async with preparing(info) as session:
            row = await budgets.review(
                session,
                info.context.principal,
                budget_id=parse_id(budget_id),
                forward=forward,
                reason=reason,
                today=datetime.now(UTC).date(),
            )
        return Budget.from_row(row)
