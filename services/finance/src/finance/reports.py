"""The figures: trial balance, fund balances, income by source, budget execution. Each is
one SQL statement (aggregated in PostgreSQL), read in the caller's scope, so the platform
operator reads every alliance's figures with the same queries its staff use.

Figures are integer minor units per currency; nothing here adds two currencies together.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from finance.kinds import DEBIT_NORMAL, AccountKind
from finance.models import Budget, accounts, budget_lines, funds, journal_entries, postings

NET = sa.case((postings.c.side == "debit", postings.c.amount_minor), else_=-postings.c.amount_minor)


@dataclass(frozen=True)
class TrialBalanceRow:
    code: str
    name_zh: str
    name_en: str
    kind: AccountKind
    currency: str
    debit_minor: int
    credit_minor: int

    @property
    def balance_minor(self) -> int:
        """In the account's normal direction (debit for assets and expenses)."""
        net = self.debit_minor - self.credit_minor
        return net if self.kind in DEBIT_NORMAL else -net


async def trial_balance(
    session: AsyncSession, alliance: uuid.UUID, year: int, *, fund: str | None = None
) -> list[TrialBalanceRow]:
    """The movements of the year per account and currency (optionally of one fund)."""
    query = (
        sa.select(
            accounts.c.code,
            accounts.c.name_zh,
            accounts.c.name_en,
            accounts.c.kind,
            postings.c.currency,
            sa.func.coalesce(
                sa.func.sum(postings.c.amount_minor).filter(postings.c.side == "debit"), 0
            ).label("debit"),
            sa.func.coalesce(
                sa.func.sum(postings.c.amount_minor).filter(postings.c.side == "credit"), 0
            ).label("credit"),
        )
        .select_from(postings)
        .join(journal_entries, journal_entries.c.id == postings.c.entry_id)
        .join(accounts, accounts.c.id == postings.c.account_id)
        .where(journal_entries.c.alliance_id == alliance, journal_entries.c.fiscal_year == year)
        .group_by(
            accounts.c.code,
            accounts.c.name_zh,
            accounts.c.name_en,
            accounts.c.kind,
            postings.c.currency,
        )
        .order_by(postings.c.currency, accounts.c.code)
    )
    if fund is not None:
        query = query.join(funds, funds.c.id == postings.c.fund_id).where(funds.c.code == fund)
    return [
        TrialBalanceRow(
            r.code,
            r.name_zh,
            r.name_en,
            AccountKind(r.kind),
            r.currency,
            int(r.debit),
            int(r.credit),
        )
        for r in (await session.execute(query)).all()
    ]


@dataclass(frozen=True)
class FundBalance:
    code: str
    name_zh: str
    name_en: str
    restriction: str
    source: str
    purposes: list[str]
    currency: str
    balance_minor: int
    income_minor: int
    expense_minor: int


async def fund_balances(session: AsyncSession, alliance: uuid.UUID) -> list[FundBalance]:
    """Each fund's balance (kept by the database with every posting) and the income and
    spending that went through it, all years."""
    income = sa.func.coalesce(sa.func.sum(-NET).filter(accounts.c.kind == "income"), 0).label(
        "income"
    )
    expense = sa.func.coalesce(sa.func.sum(NET).filter(accounts.c.kind == "expense"), 0).label(
        "expense"
    )
    moved = (
        sa.select(postings.c.fund_id, income, expense)
        .join(accounts, accounts.c.id == postings.c.account_id)
        .where(postings.c.alliance_id == alliance)
        .group_by(postings.c.fund_id)
        .subquery()
    )
    rows = (
        await session.execute(
            sa.select(funds, moved.c.income, moved.c.expense)
            .outerjoin(moved, moved.c.fund_id == funds.c.id)
            .where(funds.c.alliance_id == alliance)
            .order_by(funds.c.restriction.desc(), funds.c.code)
        )
    ).all()
    return [
        FundBalance(
            r.code,
            r.name_zh,
            r.name_en,
            r.restriction,
            r.source,
            list(r.purposes),
            r.currency,
            r.balance_minor,
            int(r.income or 0),
            int(r.expense or 0),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class IncomeRow:
    source: str
    code: str
    name_zh: str
    name_en: str
    currency: str
    amount_minor: int


async def income_by_source(
    session: AsyncSession, alliance: uuid.UUID, year: int
) -> list[IncomeRow]:
    """The year's income per source of China-ASEAN Art.24 (credits less debits)."""
    rows = (
        await session.execute(
            sa.select(
                accounts.c.income_source,
                accounts.c.code,
                accounts.c.name_zh,
                accounts.c.name_en,
                postings.c.currency,
                sa.func.sum(-NET).label("amount"),
            )
            .select_from(postings)
            .join(journal_entries, journal_entries.c.id == postings.c.entry_id)
            .join(accounts, accounts.c.id == postings.c.account_id)
            .where(
                journal_entries.c.alliance_id == alliance,
                journal_entries.c.fiscal_year == year,
                accounts.c.kind == "income",
            )
            .group_by(
                accounts.c.income_source,
                accounts.c.code,
                accounts.c.name_zh,
                accounts.c.name_en,
                postings.c.currency,
            )
            .order_by(postings.c.currency, accounts.c.code)
        )
    ).all()
    return [
        IncomeRow(r.income_source, r.code, r.name_zh, r.name_en, r.currency, int(r.amount))
        for r in rows
    ]


@dataclass(frozen=True)
class ExecutionRow:
    budget_id: uuid.UUID
    budget_status: str
    working_group_id: uuid.UUID | None
    working_group_name: str | None
    code: str
    name_zh: str
    name_en: str
    kind: str
    fund: str | None
    currency: str
    budgeted_minor: int
    actual_minor: int

    @property
    def remaining_minor(self) -> int:
        return self.budgeted_minor - self.actual_minor


async def budget_execution(
    session: AsyncSession,
    alliance: uuid.UUID,
    year: int,
    *,
    working_group: uuid.UUID | None = None,
) -> list[ExecutionRow]:
    """Budget against actual, per line, at this moment: the year's postings on the line's
    account (and fund, if the line names one; and the group's entries, for a working group's
    budget), in the budget's currency. One statement whatever the number of entries."""
    actual = (
        sa.select(
            postings.c.account_id,
            postings.c.fund_id,
            journal_entries.c.working_group_id,
            journal_entries.c.currency,
            sa.func.sum(NET).label("net"),
        )
        .join(journal_entries, journal_entries.c.id == postings.c.entry_id)
        .where(journal_entries.c.alliance_id == alliance, journal_entries.c.fiscal_year == year)
        .group_by(
            postings.c.account_id,
            postings.c.fund_id,
            journal_entries.c.working_group_id,
            journal_entries.c.currency,
        )
        .cte("actual")
        # Computed once: inlined into the per-line subquery it would be re-aggregated per line.
        .prefix_with("MATERIALIZED")
    )
    budgets_t = Budget.__table__
    matched = (
        sa.select(sa.func.coalesce(sa.func.sum(actual.c.net), 0))
        .where(
            actual.c.account_id == budget_lines.c.account_id,
            actual.c.currency == budgets_t.c.currency,
            sa.or_(budget_lines.c.fund_id.is_(None), actual.c.fund_id == budget_lines.c.fund_id),
            sa.or_(
                budgets_t.c.working_group_id.is_(None),
                actual.c.working_group_id == budgets_t.c.working_group_id,
            ),
        )
        .scalar_subquery()
    )
    query = (
        sa.select(
            budgets_t.c.id,
            budgets_t.c.status,
            budgets_t.c.working_group_id,
            budgets_t.c.working_group_name,
            budgets_t.c.currency,
            accounts.c.code,
            accounts.c.name_zh,
            accounts.c.name_en,
            accounts.c.kind,
            funds.c.code.label("fund"),
            budget_lines.c.amount_minor,
            matched.label("net"),
        )
        .select_from(budget_lines)
        .join(budgets_t, budgets_t.c.id == budget_lines.c.budget_id)
        .join(accounts, accounts.c.id == budget_lines.c.account_id)
        .outerjoin(funds, funds.c.id == budget_lines.c.fund_id)
        .where(budgets_t.c.alliance_id == alliance, budgets_t.c.fiscal_year == year)
        .order_by(
            budgets_t.c.working_group_name.nulls_first(),
            accounts.c.code,
            funds.c.code.nulls_first(),
        )
    )
    if working_group is not None:
        query = query.where(budgets_t.c.working_group_id == working_group)
    out = []
    for r in (await session.execute(query)).all():
        net = int(r.net)
        actual_minor = net if r.kind == "expense" else -net
        out.append(
            ExecutionRow(
                r.id,
                r.status,
                r.working_group_id,
                r.working_group_name,
                r.code,
                r.name_zh,
                r.name_en,
                r.kind,
                r.fund,
                r.currency,
                r.amount_minor,
                actual_minor,
            )
        )
    return out
