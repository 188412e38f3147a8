"""Finance's dashboard figures: membership fees invoiced and paid in each period, the invoices
overdue now, and the budgets approved (budget against actual, per currency).

Every figure is one SQL aggregate for all the alliances asked for (``GROUP BY`` alliance,
period and currency), in the transaction's scope: row-level security decides which alliances'
rows are counted. Amounts stay exact integers of minor units per currency; nothing is added
across currencies.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.figures import Keys, Window, rows


@dataclass
class FeesPeriod:
    period: date
    currency: str
    invoices: int
    invoiced_minor: int
    payments: int
    paid_minor: int


@dataclass
class Overdue:
    currency: str
    invoices: int
    outstanding_minor: int


@dataclass
class FinanceFigures:
    fees: list[FeesPeriod] = field(default_factory=list)
    overdue: list[Overdue] = field(default_factory=list)


async def finance_figures(
    session: AsyncSession, keys: Keys, window: Window
) -> dict[uuid.UUID | None, FinanceFigures]:
    """The figures of each key (an alliance, or the platform): two statements for any number
    of alliances."""
    out = {k: FinanceFigures() for k in keys.answer_keys()}
    p = keys.params() | window.params()
    key, where = keys.key(), keys.where()
    start, end = "CAST(:start AS date)", "CAST(:end AS date)"
    for r in await rows(
        session,
        f"""
        WITH moves AS (
          SELECT {key} AS key, CAST(date_trunc(:unit, issued_on) AS date) AS period, currency,
                 1 AS invoices, amount_minor AS invoiced, 0 AS payments, 0 AS paid
          FROM invoices WHERE {where} AND issued_on >= {start} AND issued_on < {end}
          UNION ALL
          SELECT {key}, CAST(date_trunc(:unit, paid_on) AS date), currency, 0, 0, 1, amount_minor
          FROM payments WHERE {where} AND paid_on >= {start} AND paid_on < {end})
        SELECT key, period, currency, sum(invoices) AS invoices, sum(invoiced) AS invoiced,
               sum(payments) AS payments, sum(paid) AS paid
        FROM moves GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
        p,
    ):
        out[r.key].fees.append(
            FeesPeriod(
                r.period,
                r.currency,
                int(r.invoices),
                int(r.invoiced),
                int(r.payments),
                int(r.paid),
            )
        )
    for r in await rows(
        session,
        f"""
        SELECT {key} AS key, currency, count(*) AS n, sum(amount_minor - paid_minor) AS due
        FROM invoices WHERE {where} AND status = 'overdue' GROUP BY 1, 2 ORDER BY 1, 2""",
        p,
    ):
        out[r.key].overdue.append(Overdue(r.currency, int(r.n), int(r.due)))
    return out


@dataclass
class BudgetLineFigure:
    """One budget line's execution: an account (and a fund) of the year's approved annual
    budgets, what they budgeted and what the books hold on it, in minor units."""

    code: str
    name_zh: str
    name_en: str
    kind: str
    fund: str | None
    restriction: str | None
    currency: str
    budgeted_minor: int
    actual_minor: int


async def budget_execution(
    session: AsyncSession, keys: Keys, fiscal_year: int
) -> dict[uuid.UUID | None, list[BudgetLineFigure]]:
    """Budget against actual of each key's approved annual budget for ``fiscal_year``
    (China-ASEAN Art.27: the council approves it; a working group's budget, AITISA Art.12(1),
    is part of its alliance's books and not added again), per account, fund and currency.

    A line that names a fund is executed by the year's postings on its account in that fund
    (an earmarked fund is spent only for its purpose, 专款专用, Art.27); a line that names none
    by the postings on its account in every fund (``fund`` null). Actual is in the account's
    normal direction (expenses debit, income credit), as ``books.budgetExecution`` reports it.
    For the platform the lines of every alliance the scope admits are added per account code,
    fund code and currency. One statement for any number of alliances."""
    out: dict[uuid.UUID | None, list[BudgetLineFigure]] = {k: [] for k in keys.answer_keys()}
    p = keys.params() | {"year": fiscal_year}
    for r in await rows(
        session,
        f"""
        WITH actual AS MATERIALIZED (
          SELECT p.alliance_id, p.account_id, p.fund_id, e.currency,
                 sum(CASE WHEN p.side = 'debit' THEN p.amount_minor ELSE -p.amount_minor END)
                   AS net
          FROM postings p JOIN journal_entries e ON e.id = p.entry_id
          WHERE {keys.where("e.alliance_id")} AND e.fiscal_year = :year
          GROUP BY 1, 2, 3, 4),
        lines AS (
          SELECT {keys.key("b.alliance_id")} AS key, a.code, a.name_zh, a.name_en, a.kind,
                 f.code AS fund, f.restriction, b.currency, l.amount_minor AS budgeted,
                 (SELECT coalesce(sum(x.net), 0) FROM actual x
                  WHERE x.alliance_id = l.alliance_id AND x.account_id = l.account_id
                    AND x.currency = b.currency
                    AND (l.fund_id IS NULL OR x.fund_id = l.fund_id)) AS net
          FROM budget_lines l
          JOIN budgets b ON b.id = l.budget_id
          JOIN accounts a ON a.id = l.account_id
          LEFT JOIN funds f ON f.id = l.fund_id
          WHERE {keys.where("b.alliance_id")} AND b.fiscal_year = :year
            AND b.status = 'approved' AND b.working_group_id IS NULL)
        SELECT key, code, min(name_zh) AS name_zh, min(name_en) AS name_en, kind, fund,
               min(restriction) AS restriction, currency, sum(budgeted) AS budgeted,
               sum(CASE WHEN kind = 'expense' THEN net ELSE -net END) AS actual
        FROM lines GROUP BY key, code, kind, fund, currency
        ORDER BY key, currency, code, fund NULLS FIRST""",
        p,
    ):
        out[r.key].append(
            BudgetLineFigure(
                r.code,
                r.name_zh,
                r.name_en,
                r.kind,
                r.fund,
                r.restriction,
                r.currency,
                int(r.budgeted),
                int(r.actual),
            )
        )
    return out
