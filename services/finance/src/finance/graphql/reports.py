"""The reports as GraphQL types, each with its spreadsheet (the same rows)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import strawberry

from finance import reports
from finance.graphql.money import Money
from finance.graphql.spreadsheet import Spreadsheet
from finance.money import execution_rate, from_minor
from finance.spreadsheets import Cell, Column, workbook


def _d(minor: int, currency: str) -> Decimal:
    return from_minor(minor, currency)


@strawberry.type
class TrialBalanceLine:
    code: str
    name_zh: str
    name_en: str
    kind: str
    debit: Money
    credit: Money
    balance: Money


@strawberry.type
class CurrencyTotals:
    currency: str
    debit: Money
    credit: Money
    difference: Money


@strawberry.type(description="试算平衡表: the year's movements per account, per currency.")
class TrialBalance:
    alliance: str
    fiscal_year: int
    lines: list[TrialBalanceLine]
    totals: list[CurrencyTotals]
    rows: strawberry.Private[list[reports.TrialBalanceRow]]

    @classmethod
    def of(cls, slug: str, year: int, rows: list[reports.TrialBalanceRow]) -> TrialBalance:
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in rows:
            sums[r.currency][0] += r.debit_minor
            sums[r.currency][1] += r.credit_minor
        return cls(
            alliance=slug,
            fiscal_year=year,
            rows=rows,
            lines=[
                TrialBalanceLine(
                    code=r.code,
                    name_zh=r.name_zh,
                    name_en=r.name_en,
                    kind=r.kind.value,
                    debit=Money.of(r.debit_minor, r.currency),
                    credit=Money.of(r.credit_minor, r.currency),
                    balance=Money.of(r.balance_minor, r.currency),
                )
                for r in rows
            ],
            totals=[
                CurrencyTotals(
                    currency=c,
                    debit=Money.of(d, c),
                    credit=Money.of(k, c),
                    difference=Money.of(d - k, c),
                )
                for c, (d, k) in sorted(sums.items())
            ],
        )

    @strawberry.field(description="The same figures as an XLSX workbook.")
    def spreadsheet(self) -> Spreadsheet:
        columns = [
            Column("科目代码", "Account code", 12),
            Column("科目名称", "Account", 22),
            Column("Account (English)", "Account (English)", 26),
            Column("币种", "Currency", 8),
            Column("借方", "Debit"),
            Column("贷方", "Credit"),
            Column("余额", "Balance"),
        ]
        body: list[list[Cell]] = [
            [
                r.code,
                r.name_zh,
                r.name_en,
                r.currency,
                _d(r.debit_minor, r.currency),
                _d(r.credit_minor, r.currency),
                _d(r.balance_minor, r.currency),
            ]
            for r in self.rows
        ]
        for t in self.totals:
            body.append(["合计 Total", "", "", t.currency, t.debit.amount, t.credit.amount, None])
        content = workbook(
            f"{self.alliance} {self.fiscal_year}年度试算平衡表",
            f"Trial balance {self.fiscal_year}",
            columns,
            body,
        )
        return Spreadsheet.of(f"{self.alliance}-trial-balance-{self.fiscal_year}.xlsx", content)


@strawberry.type
class FundBalanceLine:
    code: str
    name_zh: str
    name_en: str
    restriction: str
    source: str
    purposes: list[str]
    balance: Money
    income: Money
    expense: Money


@strawberry.type(description="资金余额表: each fund's own ledger (专账管理).")
class FundBalances:
    alliance: str
    funds: list[FundBalanceLine]
    rows: strawberry.Private[list[reports.FundBalance]]

    @classmethod
    def of(cls, slug: str, rows: list[reports.FundBalance]) -> FundBalances:
        return cls(
            alliance=slug,
            rows=rows,
            funds=[
                FundBalanceLine(
                    code=r.code,
                    name_zh=r.name_zh,
                    name_en=r.name_en,
                    restriction=r.restriction,
                    source=r.source,
                    purposes=r.purposes,
                    balance=Money.of(r.balance_minor, r.currency),
                    income=Money.of(r.income_minor, r.currency),
                    expense=Money.of(r.expense_minor, r.currency),
                )
                for r in rows
            ],
        )

    @strawberry.field(description="The same figures as an XLSX workbook.")
    def spreadsheet(self) -> Spreadsheet:
        columns = [
            Column("资金代码", "Fund code", 18),
            Column("资金名称", "Fund", 24),
            Column("性质", "Restriction", 14),
            Column("来源", "Source", 16),
            Column("用途", "Purposes", 28),
            Column("币种", "Currency", 8),
            Column("收入", "Income"),
            Column("支出", "Expense"),
            Column("余额", "Balance"),
        ]
        body: list[list[Cell]] = [
            [
                r.code,
                r.name_zh,
                r.restriction,
                r.source,
                ", ".join(r.purposes),
                r.currency,
                _d(r.income_minor, r.currency),
                _d(r.expense_minor, r.currency),
                _d(r.balance_minor, r.currency),
            ]
            for r in self.rows
        ]
        content = workbook(f"{self.alliance} 资金余额表", "Fund balances", columns, body)
        return Spreadsheet.of(f"{self.alliance}-fund-balances.xlsx", content)


@strawberry.type
class IncomeLine:
    source: str
    code: str
    name_zh: str
    name_en: str
    amount: Money


@strawberry.type(description="收入来源表: the year's income by source (China-ASEAN Art.24).")
class IncomeBySource:
    alliance: str
    fiscal_year: int
    lines: list[IncomeLine]
    rows: strawberry.Private[list[reports.IncomeRow]]

    @classmethod
    def of(cls, slug: str, year: int, rows: list[reports.IncomeRow]) -> IncomeBySource:
        return cls(
            alliance=slug,
            fiscal_year=year,
            rows=rows,
            lines=[
                IncomeLine(
                    source=r.source,
                    code=r.code,
                    name_zh=r.name_zh,
                    name_en=r.name_en,
                    amount=Money.of(r.amount_minor, r.currency),
                )
                for r in rows
            ],
        )

    @strawberry.field(description="The same figures as an XLSX workbook.")
    def spreadsheet(self) -> Spreadsheet:
        columns = [
            Column("来源", "Source", 26),
            Column("科目代码", "Account code", 12),
            Column("科目名称", "Account", 20),
            Column("Account (English)", "Account (English)", 26),
            Column("币种", "Currency", 8),
            Column("金额", "Amount"),
        ]
        body: list[list[Cell]] = [
            [r.source, r.code, r.name_zh, r.name_en, r.currency, _d(r.amount_minor, r.currency)]
            for r in self.rows
        ]
        content = workbook(
            f"{self.alliance} {self.fiscal_year}年度收入来源表",
            f"Income by source {self.fiscal_year}",
            columns,
            body,
        )
        return Spreadsheet.of(f"{self.alliance}-income-{self.fiscal_year}.xlsx", content)


@strawberry.type
class ExecutionLine:
    budget_id: strawberry.ID
    budget_status: str
    working_group_id: strawberry.ID | None
    working_group_name: str | None
    code: str
    name_zh: str
    name_en: str
    kind: str
    fund: str | None
    budgeted: Money
    actual: Money
    remaining: Money
    rate: Decimal | None = strawberry.field(description="actual / budgeted, 4 places")


@strawberry.type(description="预算执行表: budget against actual, per line, fund and group.")
class BudgetExecution:
    alliance: str
    fiscal_year: int
    lines: list[ExecutionLine]
    rows: strawberry.Private[list[reports.ExecutionRow]]

    @classmethod
    def of(cls, slug: str, year: int, rows: list[reports.ExecutionRow]) -> BudgetExecution:
        return cls(
            alliance=slug,
            fiscal_year=year,
            rows=rows,
            lines=[
                ExecutionLine(
                    budget_id=strawberry.ID(str(r.budget_id)),
                    budget_status=r.budget_status,
                    working_group_id=strawberry.ID(str(r.working_group_id))
                    if r.working_group_id
                    else None,
                    working_group_name=r.working_group_name,
                    code=r.code,
                    name_zh=r.name_zh,
                    name_en=r.name_en,
                    kind=r.kind,
                    fund=r.fund,
                    budgeted=Money.of(r.budgeted_minor, r.currency),
                    actual=Money.of(r.actual_minor, r.currency),
                    remaining=Money.of(r.remaining_minor, r.currency),
                    rate=execution_rate(r.actual_minor, r.budgeted_minor),
                )
                for r in rows
            ],
        )

    @strawberry.field(description="The same figures as an XLSX workbook.")
    def spreadsheet(self) -> Spreadsheet:
        columns = [
            Column("推进组", "Working group", 20),
            Column("预算状态", "Status", 10),
            Column("科目代码", "Account code", 12),
            Column("科目名称", "Account", 20),
            Column("资金", "Fund", 16),
            Column("币种", "Currency", 8),
            Column("预算数", "Budgeted"),
            Column("实际数", "Actual"),
            Column("余额", "Remaining"),
        ]
        body: list[list[Cell]] = [
            [
                r.working_group_name or "联盟 Alliance",
                r.budget_status,
                r.code,
                r.name_zh,
                r.fund or "",
                r.currency,
                _d(r.budgeted_minor, r.currency),
                _d(r.actual_minor, r.currency),
                _d(r.remaining_minor, r.currency),
            ]
            for r in self.rows
        ]
        content = workbook(
            f"{self.alliance} {self.fiscal_year}年度预算执行表",
            f"Budget execution {self.fiscal_year}",
            columns,
            body,
        )
        return Spreadsheet.of(f"{self.alliance}-budget-execution-{self.fiscal_year}.xlsx", content)
