"""Finance's dashboard figures in GraphQL: ``Alliance.financeFigures`` (batched across
alliances) and ``Query.financeFigures`` (the platform's total). Translation only: the
aggregates are in ``finance.figures``."""

from __future__ import annotations

from datetime import date

import strawberry

from finance import figures
from finance.graphql.money import Money
from servicekit.figures import Grouping
from servicekit.graphql import Info
from servicekit.graphql.figures import alliance_figures, platform_figures, window_of
from servicekit.graphql.ids import parse_id


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
    def of(
        cls, found: figures.FinanceFigures, since: date, until: date, grouping: Grouping
    ) -> FinanceFigures:
        return cls(
            since=since,
            until=until,
            grouping=grouping,
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


async def for_alliance(
    info: Info, alliance_id: strawberry.ID, since: date, until: date, grouping: Grouping
) -> FinanceFigures:
    window = window_of(since, until, grouping)
    found = await alliance_figures(
        info, "finance", parse_id(alliance_id), window, figures.finance_figures
    )
    return FinanceFigures.of(found, since, until, grouping)


@strawberry.type
class FiguresQuery:
    @strawberry.field(
        description="Finance figures of every alliance the caller may see, together (the "
        "operator: the platform; an alliance's staff: their alliances). Periods in UTC."
    )
    async def finance_figures(
        self, info: Info, since: date, until: date, grouping: Grouping = Grouping.MONTH
    ) -> FinanceFigures:
        window = window_of(since, until, grouping)
        found = await platform_figures(info, window, figures.finance_figures)
        return FinanceFigures.of(found, since, until, grouping)
