"""Finance's dashboard figures in GraphQL: ``Alliance.financeFigures`` and
``Alliance.budgetFigures`` (batched across alliances), ``Query.financeFigures`` and
``Query.budgetFigures`` (the platform's total). Translation only: the aggregates are in
``finance.figures``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from finance import figures
from finance.graphql.money import Money
from finance.money import execution_rate
from servicekit.errors import DomainError
from servicekit.figures import Grouping, Window
from servicekit.graphql import Info
from servicekit.graphql.figures import Figures, window_of


@strawberry.type(description="Membership fees of one period in one currency.")
class FeesPeriod:
    period: date = strawberry.field(description="the period's first day")
    invoices: int = strawberry.field(description="invoices issued in the period")
    invoiced: Money
    payments: int = strawberry.field(description="payments received in the period")
    paid: Money


@strawberry.type(description="Invoices overdue now, in one currency.")
class OverdueFees:
    invoices: int
    outstanding: Money = strawberry.field(description="what remains to be paid of them")


@strawberry.type(description="An alliance's (or the platform's) fees over a window.")
class FinanceFigures:
    since: date
    until: date
    grouping: Grouping
    fees: list[FeesPeriod] = strawberry.field(
        description="periods with any invoice or payment, per currency (never summed across)"
    )
    overdue: list[OverdueFees]

    @classmethod
    def of(cls, found: figures.FinanceFigures, window: Window) -> FinanceFigures:
        return cls(
            since=window.since,
            until=window.until,
            grouping=window.grouping,
            fees=[
                FeesPeriod(
                    period=f.period,
                    invoices=f.invoices,
                    invoiced=Money.of(f.invoiced_minor, f.currency),
                    payments=f.payments,
                    paid=Money.of(f.paid_minor, f.currency),
                )
                for f in found.fees
            ],
            overdue=[
                OverdueFees(
                    invoices=o.invoices, outstanding=Money.of(o.outstanding_minor, o.currency)
                )
                for o in found.overdue
            ],
        )


@strawberry.type(description="One line of the approved annual budget: budgeted against actual.")
class BudgetLineFigures:
    code: str = strawberry.field(description="the account's code")
    name_zh: str
    name_en: str
    kind: str = strawberry.field(description="income | expense | ...")
    fund: str | None = strawberry.field(
        description="the fund the line is for; null: the line counts every fund's postings"
    )
    restriction: str | None = strawberry.field(description="unrestricted | earmarked")
    budgeted: Money
    actual: Money = strawberry.field(description="posted this fiscal year, so far")
    remaining: Money
    rate: Decimal | None = strawberry.field(
        description="actual / budgeted, 4 places; null: nothing budgeted"
    )


@strawberry.type(
    description="预算执行: an alliance's (or the platform's) approved annual budgets against the "
    "books, per account, fund and currency (never summed across currencies)."
)
class BudgetFigures:
    fiscal_year: int
    lines: list[BudgetLineFigures]

    @classmethod
    def of(cls, found: list[figures.BudgetLineFigure], fiscal_year: int) -> BudgetFigures:
        return cls(
            fiscal_year=fiscal_year,
            lines=[
                BudgetLineFigures(
                    code=r.code,
                    name_zh=r.name_zh,
                    name_en=r.name_en,
                    kind=r.kind,
                    fund=r.fund,
                    restriction=r.restriction,
                    budgeted=Money.of(r.budgeted_minor, r.currency),
                    actual=Money.of(r.actual_minor, r.currency),
                    remaining=Money.of(r.budgeted_minor - r.actual_minor, r.currency),
                    rate=execution_rate(r.actual_minor, r.budgeted_minor),
                )
                for r in found
            ],
        )


def fiscal_year_of(year: int) -> int:
    if not 2000 <= year <= 2200:
        raise DomainError(
            "the fiscal year must be between 2000 and 2200",
            code="BAD_USER_INPUT",
            field="fiscalYear",
        )
    return year


FINANCE = Figures("finance", figures.finance_figures, FinanceFigures.of)
BUDGET = Figures("budget", figures.budget_execution, BudgetFigures.of)


async def for_alliance(
    info: Info, alliance_id: strawberry.ID, since: date, until: date, grouping: Grouping
) -> FinanceFigures:
    return await FINANCE.of_alliance(info, alliance_id, window_of(since, until, grouping))


async def budget_for_alliance(
    info: Info, alliance_id: strawberry.ID, fiscal_year: int
) -> BudgetFigures:
    return await BUDGET.of_alliance(info, alliance_id, fiscal_year_of(fiscal_year))


@strawberry.type
class FiguresQuery:
    @strawberry.field(
        description="Finance figures of every alliance the caller may see, together (the "
        "operator: the platform; an alliance's staff: their alliances). Periods in UTC."
    )
    async def finance_figures(
        self, info: Info, since: date, until: date, grouping: Grouping = Grouping.MONTH
    ) -> FinanceFigures:
        return await FINANCE.of_platform(info, window_of(since, until, grouping))

    @strawberry.field(
        description="Budget execution of every alliance the caller may see, together (the "
        "operator: the platform; an alliance's staff: their alliances), per account, fund and "
        "currency, for one fiscal year."
    )
    async def budget_figures(self, info: Info, fiscal_year: int) -> BudgetFigures:
        return await BUDGET.of_platform(info, fiscal_year_of(fiscal_year))
