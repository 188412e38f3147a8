"""``books(alliance:)``: everything of one alliance's finances, for its staff; and
``financeOverview``: the same figures side by side for every alliance, for the operator."""

from __future__ import annotations

import uuid

import strawberry

from finance import audits, final_accounts, funds, income, reports, years
from finance.access import all_alliances, reader_of
from finance.graphql.audits import Auditor, AuditReport, FinalAccounts
from finance.graphql.books import Account, FiscalYear, Fund, JournalEntry, accounts_of, entries_page
from finance.graphql.income import FeeSchedule, Invoice
from finance.graphql.reports import BudgetExecution, FundBalances, IncomeBySource, TrialBalance
from servicekit.errors import Forbidden
from servicekit.graphql import Info
from servicekit.graphql.ids import parse_id


@strawberry.type(description="One alliance's books (its secretariat, officers, the operator).")
class Books:
    alliance: str
    alliance_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The chart of accounts.")
    async def accounts(self, info: Info) -> list[Account]:
        return await accounts_of(info, self.alliance_id)

    @strawberry.field
    async def funds(self, info: Info) -> list[Fund]:
        async with info.context.tx.use() as session:
            return [Fund.of(r) for r in await funds.funds_of(session, self.alliance_id)]

    @strawberry.field
    async def fiscal_years(self, info: Info) -> list[FiscalYear]:
        async with info.context.tx.use() as session:
            return [FiscalYear.of(r) for r in await years.years_of(session, self.alliance_id)]

    @strawberry.field(description="The year's entries, oldest first.")
    async def entries(self, info: Info, fiscal_year: int, first: int = 100) -> list[JournalEntry]:
        return await entries_page(info, self.alliance_id, fiscal_year, first)

    @strawberry.field
    async def trial_balance(
        self, info: Info, fiscal_year: int, fund: str | None = None
    ) -> TrialBalance:
        async with info.context.tx.use() as session:
            rows = await reports.trial_balance(session, self.alliance_id, fiscal_year, fund=fund)
        return TrialBalance.of(self.alliance, fiscal_year, rows)

    @strawberry.field
    async def fund_balances(self, info: Info) -> FundBalances:
        async with info.context.tx.use() as session:
            rows = await reports.fund_balances(session, self.alliance_id)
        return FundBalances.of(self.alliance, rows)

    @strawberry.field
    async def income_by_source(self, info: Info, fiscal_year: int) -> IncomeBySource:
        async with info.context.tx.use() as session:
            rows = await reports.income_by_source(session, self.alliance_id, fiscal_year)
        return IncomeBySource.of(self.alliance, fiscal_year, rows)

    @strawberry.field
    async def budget_execution(
        self, info: Info, fiscal_year: int, working_group_id: strawberry.ID | None = None
    ) -> BudgetExecution:
        async with info.context.tx.use() as session:
            rows = await reports.budget_execution(
                session,
                self.alliance_id,
                fiscal_year,
                working_group=parse_id(working_group_id) if working_group_id else None,
            )
        return BudgetExecution.of(self.alliance, fiscal_year, rows)

    @strawberry.field
    async def fee_schedules(self, info: Info, fiscal_year: int) -> list[FeeSchedule]:
        async with info.context.tx.use() as session:
            return [
                FeeSchedule.of(r)
                for r in await income.fees_of(session, self.alliance_id, fiscal_year)
            ]

    @strawberry.field
    async def invoices(self, info: Info, fiscal_year: int) -> list[Invoice]:
        async with info.context.tx.use() as session:
            return [
                Invoice.of(r)
                for r in await income.invoices_of(session, self.alliance_id, fiscal_year)
            ]

    @strawberry.field
    async def final_accounts(self, info: Info, fiscal_year: int) -> list[FinalAccounts]:
        async with info.context.tx.use() as session:
            rows = await final_accounts.of_year(session, self.alliance_id, fiscal_year)
        return [FinalAccounts.of(r) for r in rows]

    @strawberry.field
    async def auditors(self, info: Info, fiscal_year: int) -> list[Auditor]:
        async with info.context.tx.use() as session:
            rows = await audits.auditors_of(session, self.alliance_id, fiscal_year)
        return [Auditor.of(r) for r in rows]

    @strawberry.field
    async def audit_report(self, info: Info, fiscal_year: int) -> AuditReport | None:
        async with info.context.tx.use() as session:
            row = await audits.report_of(session, self.alliance_id, fiscal_year)
        return AuditReport.of(row) if row else None


@strawberry.type
class BooksQuery:
    @strawberry.field(description="An alliance's books, by its slug.")
    async def books(self, info: Info, alliance: str) -> Books:
        async with info.context.tx.use() as session:
            ref = await reader_of(session, info.context.principal, alliance)
        return Books(alliance=ref.slug, alliance_id=ref.id)

    @strawberry.field(description="Every alliance's books side by side (platform operator).")
    async def finance_overview(self, info: Info) -> list[Books]:
        if not info.context.principal.operator:
            raise Forbidden("only the platform operator sees every alliance's finances")
        async with info.context.tx.use() as session:
            known = await all_alliances(session)
        return [Books(alliance=slug, alliance_id=i) for i, slug in known]
